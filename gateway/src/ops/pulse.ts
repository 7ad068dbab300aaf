import type { Upstream } from '../upstream/upstream-client.ts';

export type PulseStatus = 'up' | 'degraded' | 'down';

/** One thing the pulse checks: it answers (details) or throws. */
export interface PulseCheck {
  readonly name: string;
  readonly probe: (signal: AbortSignal) => Promise<Record<string, unknown>>;
}

export interface PulseEntry {
  readonly name: string;
  readonly status: 'up' | 'down';
  readonly latencyMs: number;
  readonly details: Record<string, unknown>;
}

export interface Pulse {
  readonly status: PulseStatus;
  readonly checkedAt: string;
  readonly services: readonly PulseEntry[];
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Runs every check at once, each within its own timeout (a hung service costs the pulse at most
 * timeoutMs, never a hang): all up → up, all down → down, else degraded.
 */
export const checkPulse = async (checks: readonly PulseCheck[], options: { timeoutMs: number; now: () => Date }): Promise<Pulse> => {
  const services = await Promise.all(
    checks.map(async ({ name, probe }): Promise<PulseEntry> => {
      const started = performance.now();
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new Error(`no answer within ${options.timeoutMs} ms`));
        }, options.timeoutMs);
      });
      try {
        const details = await Promise.race([probe(controller.signal), deadline]);
        return { name, status: 'up', latencyMs: Math.round(performance.now() - started), details };
      } catch (e) {
        const reported = e && typeof e === 'object' && 'details' in e && e.details && typeof e.details === 'object' ? (e.details as Record<string, unknown>) : {};
        return { name, status: 'down', latencyMs: Math.round(performance.now() - started), details: { error: message(e), ...reported } };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const up = services.filter((s) => s.status === 'up').length;
  const status: PulseStatus = up === services.length ? 'up' : up === 0 ? 'down' : 'degraded';
  return { status, checkedAt: options.now().toISOString(), services };
};

/** An upstream's /health, straight to it (one attempt, so a stopped service shows at once); a non-2xx answer is down. */
export const upstreamHealthCheck = (upstream: Upstream): PulseCheck => ({
  name: upstream.name,
  async probe() {
    const res = await upstream.stream({ method: 'GET', path: '/health', headers: { accept: 'application/json' } });
    let text = '';
    for await (const chunk of res.body) text += String(chunk);
    let body: unknown = text;
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      // not JSON: keep the text
    }
    const details = body && typeof body === 'object' && 'details' in body && body.details && typeof body.details === 'object' ? (body.details as Record<string, unknown>) : { answer: body };
    if (res.statusCode !== 200) throw Object.assign(new Error(`/health answered ${res.statusCode}`), { details });
    return details;
  },
});
