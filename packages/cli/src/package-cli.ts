import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { CliContext } from './context.ts';

const require = createRequire(import.meta.url);

/**
 * Runs another package's own CLI (`@nationpulse/ingestion/cli`, `@nationpulse/projectors/cli`)
 * as a child process with the same environment, so `nationpulse` adds no second implementation
 * of ingestion or rebuilds. It inherits the terminal when the CLI has one (progress bars redraw in
 * place); otherwise its output is copied to the context's streams. Resolves with its exit code.
 */
export const runPackageCli = (ctx: CliContext, specifier: string, args: readonly string[]): Promise<number> => {
  const entry = require.resolve(specifier);
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const inherit = ctx.stdout === process.stdout && ctx.stderr === process.stderr;
  const child = spawn(process.execPath, ['--import', tsx, entry, ...args], {
    cwd: ctx.cwd,
    env: { ...ctx.env },
    stdio: inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => ctx.stdout.write(chunk));
  child.stderr?.on('data', (chunk: Buffer) => ctx.stderr.write(chunk));
  // Ctrl-C reaches the child from the terminal; from anywhere else, pass it on.
  const interrupt = () => child.kill('SIGINT');
  ctx.signal.addEventListener('abort', interrupt, { once: true });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      ctx.signal.removeEventListener('abort', interrupt);
      resolve(code ?? (signal === 'SIGINT' ? 130 : 1));
    });
  });
};
