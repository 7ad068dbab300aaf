import { connectionOf, globalOptionsHelp, parseCommandArgs, positionalsOf } from '../args.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../errors.ts';
import { formatInstant } from '../output/table.ts';
import { apiClientFor, sessionStoreOf } from '../remote.ts';
import { promptHidden, readFirstLine } from './password-prompt.ts';

const signinUsage = `Usage: nationpulse signin --user NAME [--password-stdin]

Signs in to the gateway (POST /api/v1/auth/signin) and saves the session for that URL in
$NATIONPULSE_CONFIG_DIR/session.json (default ~/.config/nationpulse/session.json, mode 0600).
Later commands send its access token and refresh it transparently when it expires.
NATIONPULSE_TOKEN, when set, is sent instead of any saved session.

  --user NAME         the user to sign in as
  --password-stdin    read the password from the first line of stdin (else asked on the terminal)

${globalOptionsHelp}`;

export const signinCommand: Command = {
  name: 'signin',
  summary: 'sign in and save the session (tokens refresh by themselves)',
  usage: signinUsage,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(args, { user: { type: 'string' }, 'password-stdin': { type: 'boolean' } }, signinUsage);
    positionalsOf(positionals, [], signinUsage);
    if (!values.user) throw new UsageError('--user is required', signinUsage);
    const connection = connectionOf(values, ctx, signinUsage);
    const password = values['password-stdin'] ? await readFirstLine(ctx.stdin) : await promptHidden(ctx, `Password for ${values.user}: `);
    if (!password) throw new UsageError('the password is empty', signinUsage);
    const client = apiClientFor(connection, ctx);
    const session = await client.signIn(values.user, password);
    ctx.stdout.write(`Signed in to ${connection.baseUrl} as ${session.username} (access token valid until ${formatInstant(session.expiresAt)}; session in ${sessionStoreOf(ctx).path})\n`);
    if (ctx.env['NATIONPULSE_TOKEN']) ctx.stderr.write('Note: NATIONPULSE_TOKEN is set and takes precedence over this session.\n');
    return 0;
  },
};

const signoutUsage = `Usage: nationpulse signout

Revokes the saved session of the gateway URL (POST /api/v1/auth/signout) and deletes it locally.

${globalOptionsHelp}`;

export const signoutCommand: Command = {
  name: 'signout',
  summary: 'revoke the saved session and forget it',
  usage: signoutUsage,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(args, {}, signoutUsage);
    positionalsOf(positionals, [], signoutUsage);
    const connection = connectionOf(values, ctx, signoutUsage);
    // Sign-out concerns the saved session, whatever NATIONPULSE_TOKEN says.
    const signedOut = await apiClientFor(connection, { ...ctx, env: { ...ctx.env, NATIONPULSE_TOKEN: undefined } }).signOut();
    ctx.stdout.write(signedOut ? `Signed out of ${connection.baseUrl}\n` : `Not signed in to ${connection.baseUrl}\n`);
    return 0;
  },
};
