import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ReportingMetrics {
  readonly registry: Registry;
  readonly commandsPublished: Counter<'attempt'>;
  readonly generated: Counter<'format' | 'kind'>;
  readonly generationSeconds: Histogram<'kind'>;
  readonly deadLettered: Counter<'consumer'>;
  readonly sagaOutcomes: Counter<'outcome' | 'reason'>;
  readonly sagaSeconds: Histogram<'outcome'>;
  readonly retries: Counter;
  readonly pending: Gauge;
  readonly consumerLag: Gauge<'group' | 'topic' | 'partition'>;
}

/** One consumer group's lag on one partition, as the bus reports it. */
export interface GroupLag {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

/** A scrape waits this long at most for the broker's offsets; without an answer the lag is left out of that scrape. */
const LAG_SCRAPE_TIMEOUT_MS = 2_000;

/**
 * The saga as Prometheus metrics: request → outcome durations and outcomes, retries, pending
 * reports, worker work, DLQ, and the consumer groups' lag, read from the bus at each scrape.
 */
export const createReportingMetrics = (options: { consumerLag?: () => Promise<readonly GroupLag[]> } = {}): ReportingMetrics => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'nationpulse_reporting_' });
  const registers = [registry];
  return {
    registry,
    commandsPublished: new Counter({ name: 'nationpulse_report_commands_published_total', help: 'GenerateReport commands the relay published (first attempt or retry)', labelNames: ['attempt'], registers }),
    generated: new Counter({ name: 'nationpulse_report_artifacts_total', help: 'Artifacts the worker produced or found already stored', labelNames: ['format', 'kind'], registers }),
    generationSeconds: new Histogram({ name: 'nationpulse_report_generation_seconds', help: 'Worker time from command to stored artifact', labelNames: ['kind'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers }),
    deadLettered: new Counter({ name: 'nationpulse_report_dead_letters_total', help: 'Messages sent to the dead-letter topic', labelNames: ['consumer'], registers }),
    sagaOutcomes: new Counter({ name: 'nationpulse_report_saga_outcomes_total', help: 'Reports finished by the saga', labelNames: ['outcome', 'reason'], registers }),
    sagaSeconds: new Histogram({ name: 'nationpulse_report_saga_duration_seconds', help: 'Time from ReportRequested to ReportGenerated/ReportFailed', labelNames: ['outcome'], buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300], registers }),
    retries: new Counter({ name: 'nationpulse_report_saga_retries_total', help: 'Attempts re-sent after a timeout', registers }),
    pending: new Gauge({ name: 'nationpulse_reports_pending', help: 'Reports requested and not finished, as the saga sees them', registers }),
    consumerLag: new Gauge({
      name: 'nationpulse_kafka_consumer_lag',
      help: "Messages a consumer group of this process has not committed yet, per topic and partition (log end minus committed offset; the embedded log's when MESSAGE_BUS=sqlite)",
      labelNames: ['group', 'topic', 'partition'],
      registers,
      async collect() {
        if (!options.consumerLag) return;
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), LAG_SCRAPE_TIMEOUT_MS)));
        const lags = await Promise.race([options.consumerLag().catch(() => null), late]);
        clearTimeout(timer);
        this.reset();
        for (const l of lags ?? []) this.set({ group: l.group, topic: l.topic, partition: String(l.partition) }, l.lag);
      },
    }),
  };
};
