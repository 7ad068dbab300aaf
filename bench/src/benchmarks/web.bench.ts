import os from 'node:os';
import { launchChromium, measureFirstDashboard, type PageLoadFigures } from '@nationpulse/web/e2e';
import { buildUi } from '@nationpulse/web/e2e/build-ui';
import { startGatewayStandIn, standInUsers } from '@nationpulse/web/e2e/gateway-stand-in';
import type { BenchContext, Row } from '../types.ts';

export const name = 'web';
export const description =
  "Web UI (issue 8): the production build served gzip-compressed by the gateway stand-in (real read API over read models projected from ingested World Bank rows); headless Chromium loads the dashboard cold (new context, empty cache) with a signed-in session. Bytes from the browser's Resource Timing (transferSize: compressed bodies and headers) for everything the first view loads (document, scripts, styles, API answers, the lazily loaded map shapes); times from the page's performance marks, from navigation start.";

const RUNS = 7;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
const spread = (xs: readonly number[]) => `min ${Math.round(Math.min(...xs))}, max ${Math.round(Math.max(...xs))} over ${xs.length} cold loads`;

export async function run(ctx: BenchContext): Promise<readonly Row[]> {
  ctx.log('building the UI (vite build)');
  await buildUi();
  ctx.log('starting the gateway stand-in (ingesting and projecting the e2e sample)');
  const gateway = await startGatewayStandIn();
  const browser = await launchChromium();
  try {
    await measureFirstDashboard(browser, gateway.url, standInUsers.viewer); // warm-up: server-side caches and JIT, not the browser's
    const runs: PageLoadFigures[] = [];
    for (let i = 0; i < RUNS; i++) {
      runs.push(await measureFirstDashboard(browser, gateway.url, standInUsers.viewer));
      ctx.log(`load ${i + 1}/${RUNS}: ${runs.at(-1)?.firstDataMs.toFixed(0)} ms, ${Math.round((runs.at(-1)?.transferredBytes ?? 0) / 1024)} KB`);
    }
    const first = runs[0];
    if (!first) throw new Error('no measurement');
    const kb = (b: number) => Math.round((b / 1024) * 10) / 10;
    const parts = Object.entries(first.byType)
      .map(([type, bytes]) => `${type} ${kb(bytes)} KB`)
      .join(', ');
    const load = os.loadavg().map((l) => l.toFixed(2)).join(' / ');
    return [
      { metric: 'first dashboard, transferred (compressed)', value: kb(median(runs.map((r) => r.transferredBytes))), unit: 'KB', target: { max: 500 }, note: `${first.requests} requests: ${parts}` },
      { metric: 'first render with data (median)', value: Math.round(median(runs.map((r) => r.firstDataMs))), unit: 'ms', target: { max: 1500 }, note: `${spread(runs.map((r) => r.firstDataMs))}; load average ${load}` },
      { metric: 'world map drawn (median)', value: Math.round(median(runs.map((r) => r.mapDrawnMs))), unit: 'ms', note: spread(runs.map((r) => r.mapDrawnMs)) },
      { metric: 'app script running (median)', value: Math.round(median(runs.map((r) => r.bootMs))), unit: 'ms', note: 'np:boot: the bundle downloaded, parsed and run' },
    ];
  } finally {
    await browser.close();
    await gateway.close();
  }
}
