import { ConfigError, parseConfig } from '@nationpulse/platform';
import { describe, expect, it } from 'vitest';
import { reportingConfigSchema } from './config.ts';

describe('reporting config', () => {
  it('defaults to the embedded log, a local artifact folder and every role', () => {
    const c = parseConfig(reportingConfigSchema, {});
    expect(c).toMatchObject({
      // 8084 is the ingestion service's (the gateway's INGESTION_URL default).
      REPORTING_HTTP_PORT: 8085,
      MESSAGE_BUS: 'sqlite',
      ARTIFACT_STORE: 'local',
      REPORTING_ROLES: ['relay', 'worker', 'saga', 'http'],
      REPORT_COMMANDS_TOPIC: 'reports.commands',
      REPORT_EVENTS_TOPIC: 'reports.events',
      REPORT_DLQ_TOPIC: 'reports.dlq',
      REPORT_TIMEOUT_MS: 60_000,
      REPORT_MAX_ATTEMPTS: 3,
    });
  });

  it('fails fast, naming the key, when Kafka or GridFS lack their address or a role is unknown', () => {
    expect(() => parseConfig(reportingConfigSchema, { MESSAGE_BUS: 'kafka' })).toThrow(/KAFKA_BROKERS/);
    expect(() => parseConfig(reportingConfigSchema, { ARTIFACT_STORE: 'gridfs' })).toThrow(/MONGO_URL/);
    expect(() => parseConfig(reportingConfigSchema, { REPORTING_ROLES: 'worker,cook' })).toThrow(ConfigError);
    expect(() => parseConfig(reportingConfigSchema, { REPORT_TIMEOUT_MS: '-5' })).toThrow(/REPORT_TIMEOUT_MS/);
    expect(parseConfig(reportingConfigSchema, { MESSAGE_BUS: 'kafka', KAFKA_BROKERS: 'a:9092,b:9092', REPORTING_ROLES: 'worker' })).toMatchObject({ REPORTING_ROLES: ['worker'] });
  });
});
