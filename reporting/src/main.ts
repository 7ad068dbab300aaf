import { runService } from '@nationpulse/platform';
import { reportingConfigSchema } from './config.ts';
import { startReportingService } from './service.ts';

await runService('reporting', reportingConfigSchema, (config) => startReportingService(config));
