import * as grpc from '@grpc/grpc-js';
import type { HealthCheckRequest, HealthCheckResponse, HealthHandlers, HealthServingStatus } from './messages.ts';

export type ServingStatus = 'SERVING' | 'NOT_SERVING';

/**
 * Reports the status of each named service or dependency the server knows, e.g.
 * `{ 'nationpulse.write.v1.CommandService': 'SERVING', eventstore: 'SERVING' }`.
 * The empty name ('', the server overall) is SERVING when every entry is, unless given.
 */
export type HealthCheck = () => Promise<Record<string, ServingStatus>>;

export interface HealthServiceOptions {
  /** How often a Watch re-checks; it sends only changes. Default 5 s. */
  readonly watchIntervalMs?: number;
  /** A check slower than this counts as NOT_SERVING. Default 5 s. */
  readonly checkTimeoutMs?: number;
  /** Aborting it ends every open Watch (status OK, so clients reconnect): abort before shutting the server down. */
  readonly signal?: AbortSignal;
}

/** The overall status, from an explicit '' entry or else every entry being SERVING. */
export const overallStatus = (statuses: Record<string, ServingStatus>): ServingStatus =>
  statuses[''] ?? (Object.values(statuses).every((s) => s === 'SERVING') ? 'SERVING' : 'NOT_SERVING');

/**
 * grpc.health.v1.Health over a check function, for every NationPulse service:
 * - Check('') answers the overall status, Check(name) that entry's, and NOT_FOUND for a name
 *   the check does not report (as the protocol says);
 * - Watch sends the current status at once (SERVICE_UNKNOWN for an unknown name, without ending
 *   the call), then each change, re-checking every `watchIntervalMs` until the client cancels;
 * - a check that throws or times out is NOT_SERVING for every name, so a probe fails rather than
 *   hangs. Concurrent callers share one run of the check.
 */
export const createHealthService = (check: HealthCheck, options: HealthServiceOptions = {}): HealthHandlers => {
  const { watchIntervalMs = 5_000, checkTimeoutMs = 5_000, signal } = options;

  let inFlight: Promise<Record<string, ServingStatus> | null> | null = null;
  /** null when the check failed or timed out. */
  const runCheck = (): Promise<Record<string, ServingStatus> | null> => {
    inFlight ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), checkTimeoutMs);
        });
        return await Promise.race([check(), timeout]);
      } catch {
        return null;
      } finally {
        clearTimeout(timer);
        inFlight = null;
      }
    })();
    return inFlight;
  };

  const statusOf = async (service: string): Promise<HealthServingStatus> => {
    const statuses = await runCheck();
    if (statuses === null) return 'NOT_SERVING';
    if (service === '') return overallStatus(statuses);
    return Object.hasOwn(statuses, service) ? (statuses[service] ?? 'NOT_SERVING') : 'SERVICE_UNKNOWN';
  };

  return {
    Check(call, callback) {
      statusOf(call.request.service).then(
        (status) => {
          if (status === 'SERVICE_UNKNOWN') callback({ code: grpc.status.NOT_FOUND, details: `Unknown service ${call.request.service}` });
          else callback(null, { status });
        },
        () => callback({ code: grpc.status.INTERNAL, details: 'The health check failed' }),
      );
    },

    Watch(call: grpc.ServerWritableStream<HealthCheckRequest, HealthCheckResponse>) {
      const service = call.request.service;
      let last: HealthServingStatus | null = null;
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      const stop = () => {
        stopped = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        if (stopped) return;
        stop();
        call.end();
      };
      const tick = async () => {
        const status = await statusOf(service).catch((): HealthServingStatus => 'NOT_SERVING');
        if (stopped || call.cancelled) return stop();
        if (status !== last) {
          last = status;
          call.write({ status });
        }
        timer = setTimeout(() => void tick(), watchIntervalMs);
      };
      call.on('cancelled', stop);
      call.on('error', stop);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      void tick();
    },
  };
};
