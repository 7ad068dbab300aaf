import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';

/** The first line of stdin (for `--password-stdin`, e.g. `pass show np | nationpulse signin …`). */
export const readFirstLine = async (stdin: CliContext['stdin']): Promise<string> => {
  let text = '';
  for await (const chunk of stdin) {
    text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
};

/** Asks on the terminal without echoing what is typed. */
export const promptHidden = (ctx: CliContext, prompt: string): Promise<string> => {
  const { stdin } = ctx;
  if (!stdin.isTTY || !stdin.setRawMode) {
    return Promise.reject(new CliError('NO_TERMINAL', 'No terminal to ask for the password on: pipe it with --password-stdin', { exitCode: 64 }));
  }
  ctx.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error: CliError | null) => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      ctx.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish(null);
        if (ch === '\u0003') return finish(new CliError('INTERRUPTED', 'Interrupted'));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.on('data', onData);
  });
};
