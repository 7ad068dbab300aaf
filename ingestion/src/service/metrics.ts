import { Counter, type Registry } from 'prom-client';
import type { RunView } from './ingestion-runner.ts';

/** Ingestion as Prometheus metrics: rows by outcome and runs by status, counted when a run ends. */
export const createIngestionMetrics = (registry: Registry) => {
  const rows = new Counter({ name: 'nationpulse_ingestion_rows_total', help: 'Rows ingested, by outcome', labelNames: ['dataset', 'outcome'], registers: [registry] });
  const runs = new Counter({ name: 'nationpulse_ingestion_runs_total', help: 'Ingestion runs finished, by status', labelNames: ['dataset', 'trigger', 'status'], registers: [registry] });
  return {
    runFinished(run: RunView) {
      runs.inc({ dataset: run.dataset, trigger: run.trigger, status: run.status });
      const summary = run.summary;
      if (!summary) return;
      rows.inc({ dataset: run.dataset, outcome: 'changed' }, summary.rowsChanged);
      rows.inc({ dataset: run.dataset, outcome: 'unchanged' }, summary.rowsUnchanged);
      rows.inc({ dataset: run.dataset, outcome: 'rejected' }, summary.rowsRejected);
    },
  };
};
