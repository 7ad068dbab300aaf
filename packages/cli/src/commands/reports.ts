import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { reportFormats, reportSpecSchema } from '@nationpulse/domain';
import { reportAnswer, type ReportAnswer } from '@nationpulse/reporting/report-answer';
import { z } from 'zod';
import type { ApiClient } from '../api-client.ts';
import { connectionOf, globalOptionsHelp, intArg, parseCommandArgs, positionalsOf } from '../args.ts';
import { commandGroup } from '../command.ts';
import type { CliContext } from '../context.ts';
import { CliError, UsageError } from '../errors.ts';
import { formatBytes, formatFields, formatInstant, formatNumber, printJson } from '../output/table.ts';
import { pollUntil } from '../polling.ts';
import { apiClientFor } from '../remote.ts';

/** POST /api/v1/reports answers the command's receipt with the report id. */
const requested = z.object({ reportId: z.string(), position: z.number() });

const usage = `Usage: nationpulse reports <request|status|download> …

  request --kind KIND [spec options] [--format csv|xlsx] [--wait [--wait-timeout S]]
      country-profile          --country ISO3 --from-year Y --to-year Y
      indicator-all-countries  --indicator CODE --from-year Y --to-year Y
      ranking                  --indicator CODE --year Y [--order desc|asc]
  status ID                    the report's status, file name, size and sha256
  download ID [-o FILE]        stream the file to FILE (default: the report's file name), checking its sha256

${globalOptionsHelp}`;

const POLL_MS = 500;

const statusOf = (client: ApiClient, id: string, minPosition?: number) =>
  client.get(`/api/v1/reports/${encodeURIComponent(id)}`, { schema: reportAnswer, query: { minPosition } });

const describe = (r: ReportAnswer): string =>
  formatFields([
    ['report', r.reportId],
    ['status', r.status + (r.failure ? ` (${r.failure.reason}: ${r.failure.message})` : '')],
    ['spec', Object.entries(r.spec).map(([k, v]) => `${k}=${String(v)}`).join(' ') || '-'],
    ['format', r.format],
    ['requested', formatInstant(r.requestedAt)],
    ['updated', formatInstant(r.updatedAt)],
    ['rows', formatNumber(r.rows)],
    ...(r.artifact
      ? ([
          ['file', r.artifact.fileName],
          ['size', `${formatBytes(r.artifact.sizeBytes)} (${formatNumber(r.artifact.sizeBytes)} bytes)`],
          ['sha256', r.artifact.sha256],
        ] as const)
      : []),
  ]);

const request = async (args: readonly string[], ctx: CliContext): Promise<number> => {
  const { values, positionals } = parseCommandArgs(
      args,
      {
        kind: { type: 'string' },
        country: { type: 'string' },
        indicator: { type: 'string' },
        year: { type: 'string' },
        'from-year': { type: 'string' },
        'to-year': { type: 'string' },
        order: { type: 'string' },
        format: { type: 'string', default: 'csv' },
        wait: { type: 'boolean' },
        'wait-timeout': { type: 'string' },
      },
      usage,
    );
  positionalsOf(positionals, [], usage);
  if (!values.kind) throw new UsageError('--kind is required', usage);
  const year = (name: string, raw: string | undefined) => (raw === undefined ? undefined : intArg(name, raw, usage, { min: 1800, max: 2200 }));
  // The write side validates again; checking here turns a typo into a usage message before any request.
  const spec = reportSpecSchema.safeParse({
    kind: values.kind,
    country: values.country?.toUpperCase(),
    indicator: values.indicator?.toUpperCase(),
    year: year('--year', values.year),
    fromYear: year('--from-year', values['from-year']),
    toYear: year('--to-year', values['to-year']),
    order: values.order,
  });
  if (!spec.success) {
    const issue = spec.error.issues[0];
    const field = issue?.path.join('.') ?? '';
    throw new UsageError(`${field ? `${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ` : ''}${issue?.message ?? 'invalid report'}`, usage);
  }
  const format = z.enum(reportFormats).safeParse(values.format);
  if (!format.success) throw new UsageError(`--format: expected csv or xlsx, got "${values.format}"`, usage);
  const waitMs = 1000 * (values['wait-timeout'] === undefined ? 300 : intArg('--wait-timeout', values['wait-timeout'], usage, { min: 1, max: 86_400 }));
  const connection = connectionOf(values, ctx, usage);
  const client = apiClientFor(connection, ctx);
  const receipt = await client.post('/api/v1/reports', { body: { spec: spec.data, format: format.data }, schema: requested, idempotencyKey: randomUUID() });
  if (!values.wait) {
    if (connection.json) printJson(ctx.stdout, receipt);
    else ctx.stdout.write(`Report ${receipt.reportId} requested; follow it with: nationpulse reports status ${receipt.reportId}\n`);
    return 0;
  }
  ctx.stderr.write(`Report ${receipt.reportId} requested; waiting for it…\n`);
  const deadline = ctx.now().getTime() + waitMs;
  const report = await pollUntil(ctx, POLL_MS, `the report goes on: nationpulse reports status ${receipt.reportId}`, async () => {
    const current = await statusOf(client, receipt.reportId, receipt.position);
    if (current.status !== 'pending') return current;
    if (ctx.now().getTime() > deadline) throw new CliError('WAIT_TIMEOUT', `Report ${receipt.reportId} is still being generated after ${waitMs / 1000} s (--wait-timeout)`);
    return undefined;
  });
  if (connection.json) printJson(ctx.stdout, report);
  else ctx.stdout.write(describe(report));
  if (report.status === 'ready' && !connection.json) ctx.stdout.write(`Download it with: nationpulse reports download ${report.reportId}\n`);
  return report.status === 'ready' ? 0 : 1;
};

const status = async (args: readonly string[], ctx: CliContext): Promise<number> => {
  const { values, positionals } = parseCommandArgs(args, {}, usage);
  const [id = ''] = positionalsOf(positionals, ['ID'], usage);
  const connection = connectionOf(values, ctx, usage);
  const report = await statusOf(apiClientFor(connection, ctx), id);
  if (connection.json) printJson(ctx.stdout, report);
  else ctx.stdout.write(describe(report));
  return report.status === 'failed' ? 1 : 0;
};

/** The file name a Content-Disposition header proposes, reduced to a bare name (never a path). */
const dispositionName = (header: string | null): string | null => {
  const match = header?.match(/filename\*?=(?:UTF-8'')?"?([^";]+)"?/i);
  return match?.[1] ? basename(decodeURIComponent(match[1])) : null;
};

const download = async (args: readonly string[], ctx: CliContext): Promise<number> => {
  const { values, positionals } = parseCommandArgs(args, { output: { type: 'string', short: 'o' } }, usage);
  const [id = ''] = positionalsOf(positionals, ['ID'], usage);
  const connection = connectionOf(values, ctx, usage);
  const client = apiClientFor(connection, ctx);
  const report = await statusOf(client, id);
  if (report.status !== 'ready') {
    throw new CliError('REPORT_NOT_READY', report.status === 'failed' ? `Report ${id} failed: ${report.failure?.message ?? 'no reason given'}` : `Report ${id} is still being generated`);
  }
  const file = await client.stream(`/api/v1/reports/${encodeURIComponent(id)}/file`);
  const name = values.output ?? (report.artifact ? basename(report.artifact.fileName) : null) ?? dispositionName(file.headers.get('content-disposition')) ?? `report-${id}.${report.format ?? 'bin'}`;
  const target = resolve(ctx.cwd, name);
  const partial = `${target}.part`;
  const hash = createHash('sha256');
  let size = 0;
  try {
    await pipeline(
      Readable.from(file.chunks),
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          hash.update(chunk);
          size += chunk.length;
          yield chunk;
        }
      },
      createWriteStream(partial, { mode: 0o644 }),
    );
  } catch (e) {
    await rm(partial, { force: true });
    throw e;
  }
  const sha256 = hash.digest('hex');
  const expected = report.artifact?.sha256;
  if (expected && expected !== sha256) {
    await rm(partial, { force: true });
    throw new CliError('CHECKSUM_MISMATCH', `The download of report ${id} has sha256 ${sha256}, the report says ${expected}; nothing was saved`);
  }
  await rename(partial, target);
  if (connection.json) printJson(ctx.stdout, { reportId: id, path: target, sizeBytes: size, sha256, verified: expected !== undefined });
  else ctx.stdout.write(`Saved ${target}\n  size    ${formatBytes(size)} (${formatNumber(size)} bytes)\n  sha256  ${sha256}${expected ? ' (verified)' : ''}\n`);
  return 0;
};

export const reportsCommand = commandGroup('reports', 'request a report, follow it, download its file', usage, { request, status, download });
