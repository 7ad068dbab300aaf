import { parseArgs } from 'node:util';
import { ConfigError, parseConfig, systemClock } from '@nationpulse/platform';
import { createEventStore, createReadStore } from '@nationpulse/wiring';
import cliProgress from 'cli-progress';
import { createProjectors, rebuildSharesFor } from './composition.ts';
import { projectorsConfigSchema } from './config.ts';

const usage = `Usage: projections <command> [name]

  status              each projection's version, status, position and lag
  rebuild <name>      rebuild one projection into a shadow copy and swap it in, with progress
  catch-up            bring every projection up to the event store's head, then exit

Works on the stores named by the environment (NATIONPULSE_DATA_DIR, EVENT_STORE, READ_STORE, …).
Run it while the projectors service is stopped; with the service running, use its
POST /api/v1/ops/projections/{name}/rebuild instead.`;

const main = async (): Promise<number> => {
  const { positionals } = parseArgs({ allowPositionals: true, strict: true, options: {} });
  const [command, name] = positionals;
  if (!command || !['status', 'rebuild', 'catch-up'].includes(command) || (command === 'rebuild' && !name)) {
    process.stderr.write(`${usage}\n`);
    return 64;
  }
  const config = parseConfig(projectorsConfigSchema);
  const eventStore = await createEventStore(config);
  const readStore = await createReadStore(config);
  const interactive = process.stderr.isTTY === true;
  const bar = new cliProgress.SingleBar(
    { format: ' {projection} |{bar}| {percentage}% | position {value}/{total} | {rate} ev/s | ETA {eta_formatted}', hideCursor: interactive, noTTYOutput: !interactive, notTTYSchedule: 1000, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  let applied = 0;
  const started = Date.now();
  const rebuildShares = rebuildSharesFor(config);
  /** A rebuild in shares is where its slowest share is. */
  const sharePositions = new Map<number, number>();
  const manager = createProjectors({
    ...(rebuildShares ? { rebuildShares } : {}),
    eventStore,
    readStore,
    clock: systemClock,
    batchSize: config.PROJECTORS_BATCH_SIZE,
    commitIntervalMs: config.PROJECTORS_COMMIT_INTERVAL_MS,
    rebuildCommitIntervalMs: config.PROJECTORS_REBUILD_COMMIT_INTERVAL_MS,
    ...(name ? { onProgress: (p) => {
      if (p.projection !== name || (command === 'rebuild' && p.copy !== 'shadow')) return;
      applied += p.eventsApplied;
      if (p.share) sharePositions.set(p.share.index, p.position);
      const position = p.share && sharePositions.size === p.share.count ? Math.min(...sharePositions.values()) : p.share ? 0 : p.position;
      bar.update(position, { projection: name, rate: Math.round(applied / Math.max((Date.now() - started) / 1000, 0.001)) });
    } } : {}),
  });
  try {
    if (command === 'status') {
      for (const s of await manager.status()) process.stdout.write(`${s.name.padEnd(18)} v${s.version} ${s.status.padEnd(10)} position ${s.position} lag ${s.lag}\n`);
      return 0;
    }
    await manager.start();
    if (command === 'rebuild') {
      if (!(await manager.status()).some((s) => s.name === name)) {
        process.stderr.write(`Unknown projection ${name}\n`);
        return 64;
      }
      bar.start(await eventStore.headPosition(), 0, { projection: name, rate: 0 });
      await manager.rebuild(name!);
      bar.update(bar.getTotal());
      bar.stop();
      process.stderr.write(`${name} rebuilt and live (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    } else {
      const head = await eventStore.headPosition();
      while ((await manager.status()).some((s) => s.position < head && s.status !== 'failed')) await new Promise((r) => setTimeout(r, 50));
    }
    return (await manager.status()).some((s) => s.status === 'failed') ? 1 : 0;
  } finally {
    await manager.stop();
    await rebuildShares?.close();
    await Promise.all([eventStore.close(), readStore.close()]);
  }
};

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`projections: ${e instanceof ConfigError || e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
