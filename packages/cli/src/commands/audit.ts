// The read API's own schemas of its audit answers: the CLI parses exactly what the API promises.
import { auditAsOfOutput, auditChangesOutput, auditRunOutput, auditRunsOutput, auditSeriesOutput, type ChangeEntry } from '@nationpulse/read-api/audit-answers';
import { connectionOf, countryArg, globalOptionsHelp, indicatorArg, instantArg, intArg, parseCommandArgs, positionalsOf } from '../args.ts';
import { commandGroup, type Command } from '../command.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { formatDuration, formatFields, formatInstant, formatNumber, formatTable, printJson } from '../output/table.ts';
import { apiClientFor } from '../remote.ts';

const usage = `Usage: nationpulse audit <query> [options]

  series ISO3 INDICATOR [--year Y]     every change of a series' values: old → new, source, run, actor, time
  runs [--limit N] [--offset N]        ingestion runs, newest first
  run RUNID                            one run: counts, rejected rows, the changes it made
  changes [--from ISO] [--to ISO] [--source S] [--actor A] [--limit N] [--offset N]
                                       data changes in a time window, newest first

See also: nationpulse asof --at ISO --country ISO3

${globalOptionsHelp}`;

const arrow = (previous: number | null, value: number) => `${previous === null ? '(new)' : formatNumber(previous)} → ${formatNumber(value)}`;
const origin = (c: { runId: string | null; reason: string | null }) => (c.reason ? `reason: ${c.reason}` : c.runId ? `run ${c.runId}` : '');

const changesTable = (changes: readonly ChangeEntry[]) =>
  formatTable(
    [{ header: 'AT' }, { header: 'COUNTRY' }, { header: 'INDICATOR' }, { header: 'YEAR', align: 'right' }, { header: 'CHANGE' }, { header: 'KIND' }, { header: 'SOURCE' }, { header: 'ACTOR' }, { header: 'ORIGIN' }],
    changes.map((c) => [formatInstant(c.at), c.country, c.indicator, String(c.year), arrow(c.previous, c.value), c.kind, c.source, c.actor, origin(c)]),
  );

const page = (shown: number, offset: number, total: number) => (shown < total ? `${shown} of ${total} shown (from ${offset}); use --limit/--offset for more\n` : '');

const pageQuery = (values: { limit?: string | undefined; offset?: string | undefined }) => ({
  ...(values.limit === undefined ? {} : { limit: intArg('--limit', values.limit, usage, { min: 1, max: 300 }) }),
  ...(values.offset === undefined ? {} : { offset: intArg('--offset', values.offset, usage, { min: 0, max: 100_000 }) }),
});

const series = async (args: readonly string[], ctx: CliContext): Promise<number> => {
  const { values, positionals } = parseCommandArgs(args, { year: { type: 'string' } }, usage);
  const [rawCountry = '', rawIndicator = ''] = positionalsOf(positionals, ['ISO3', 'INDICATOR'], usage);
  const country = countryArg('ISO3', rawCountry, usage);
  const indicator = indicatorArg('INDICATOR', rawIndicator, usage);
  const year = values.year === undefined ? undefined : intArg('--year', values.year, usage, { min: 1800, max: 2200 });
  const connection = connectionOf(values, ctx, usage);
  const body = await apiClientFor(connection, ctx).get(`/api/v1/audit/series/${country}/${encodeURIComponent(indicator)}`, { schema: auditSeriesOutput, query: { year } });
  if (connection.json) {
    printJson(ctx.stdout, body);
    return 0;
  }
  ctx.stdout.write(`${body.country} ${body.indicator}${year === undefined ? '' : ` ${year}`}: ${body.entries.length} change(s)\n`);
  if (body.entries.length > 0) {
    ctx.stdout.write(
      formatTable(
        [{ header: 'YEAR', align: 'right' }, { header: 'CHANGE' }, { header: 'KIND' }, { header: 'SOURCE' }, { header: 'ACTOR' }, { header: 'AT' }, { header: 'ORIGIN' }],
        body.entries.map((e) => [String(e.year), arrow(e.previous, e.value), e.kind, e.source, e.actor, formatInstant(e.at), origin(e)]),
      ),
    );
  }
  return 0;
};

const runs = async (args: readonly string[], ctx: CliContext): Promise<number> => {
  const { values, positionals } = parseCommandArgs(args, { limit: { type: 'string' }, offset: { type: 'string' } }, usage);
  positionalsOf(positionals, [], usage);
  const query = pageQuery(values);
  const connection = connectionOf(values, ctx, usage);
  const body = await apiClientFor(connection, ctx).get('/api/v1/audit/runs', { schema: auditRunsOutput, query });
  if (connection.json) {
    printJson(ctx.stdout, body);
    return 0;
  }
  ctx.stdout.write(
    formatTable(
      [
        { header: 'RUN' },
        { header: 'STATUS' },
        { header: 'DATASET' },
        { header: 'SOURCE' },
        { header: 'TRIGGER' },
        { header: 'STARTED' },
        { header: 'DURATION', align: 'right' },
        { header: 'READ', align: 'right' },
        { header: 'CHANGED', align: 'right' },
        { header: 'REJECTED', align: 'right' },
      ],
      body.runs.map((r) => [r.runId, r.status, r.dataset, r.source, r.trigger, formatInstant(r.startedAt), formatDuration(r.durationMs), formatNumber(r.rowsRead), formatNumber(r.rowsChanged), formatNumber(r.rowsRejected)]),
    ),
  );
  ctx.stdout.write(page(body.runs.length, body.offset, body.total));
  return 0;
};

const run = async (args: readonly string[], ctx: CliContext): Promise<number> => {
  const { values, positionals } = parseCommandArgs(args, {}, usage);
  const [runId = ''] = positionalsOf(positionals, ['RUNID'], usage);
  const connection = connectionOf(values, ctx, usage);
  const body = await apiClientFor(connection, ctx).get(`/api/v1/audit/runs/${encodeURIComponent(runId)}`, { schema: auditRunOutput });
  if (connection.json) {
    printJson(ctx.stdout, body);
    return 0;
  }
  ctx.stdout.write(
    formatFields([
      ['run', body.runId],
      ['status', body.status + (body.failureReason ? ` (${body.failureReason})` : '')],
      ['dataset', body.dataset],
      ['source', body.source],
      ['trigger', `${body.trigger} by ${body.actor}`],
      ['started', formatInstant(body.startedAt)],
      ['finished', formatInstant(body.finishedAt)],
      ['duration', formatDuration(body.durationMs)],
      ['rows', `${formatNumber(body.rowsRead)} read, ${formatNumber(body.rowsChanged)} changed, ${formatNumber(body.rowsUnchanged)} unchanged, ${formatNumber(body.rowsRejected)} rejected`],
      ['series changed', formatNumber(body.seriesChanged)],
      ['parameters', Object.entries(body.parameters).map(([k, v]) => `${k}=${String(v)}`).join(' ') || '-'],
    ]),
  );
  if (body.rejected.length > 0) {
    ctx.stdout.write(`\nrejected rows (${body.rejected.length}):\n`);
    ctx.stdout.write(formatTable([{ header: 'ROW', align: 'right' }, { header: 'REASON' }], body.rejected.map((r) => [String(r.row), r.reason])));
  }
  ctx.stdout.write(`\nchanges (${body.changesTotal}${body.changes.length < body.changesTotal ? `, first ${body.changes.length} shown` : ''}):\n`);
  if (body.changes.length > 0) ctx.stdout.write(changesTable(body.changes));
  return 0;
};

const changes = async (args: readonly string[], ctx: CliContext): Promise<number> => {
  const { values, positionals } = parseCommandArgs(args, { from: { type: 'string' }, to: { type: 'string' }, source: { type: 'string' }, actor: { type: 'string' }, limit: { type: 'string' }, offset: { type: 'string' } }, usage);
  positionalsOf(positionals, [], usage);
  const query = {
    from: values.from === undefined ? undefined : instantArg('--from', values.from, usage),
    to: values.to === undefined ? undefined : instantArg('--to', values.to, usage),
    source: values.source,
    actor: values.actor,
    ...pageQuery(values),
  };
  if (query.from && query.to && Date.parse(query.from) > Date.parse(query.to)) throw new UsageError('--from must not be after --to', usage);
  const connection = connectionOf(values, ctx, usage);
  const body = await apiClientFor(connection, ctx).get('/api/v1/audit/changes', { schema: auditChangesOutput, query });
  if (connection.json) {
    printJson(ctx.stdout, body);
    return 0;
  }
  ctx.stdout.write(body.changes.length > 0 ? changesTable(body.changes) : 'no changes\n');
  ctx.stdout.write(page(body.changes.length, body.offset, body.total));
  return 0;
};

export const auditCommand = commandGroup('audit', 'audit trail: a series, ingestion runs, one run, changes in a window', usage, { series, runs, run, changes });

const asofUsage = `Usage: nationpulse asof --at ISO --country ISO3

A country's indicators as they were known at an instant (GET /api/v1/asof), e.g.
  nationpulse asof --at 2024-05-01T12:00:00Z --country FRA

${globalOptionsHelp}`;

export const asofCommand: Command = {
  name: 'asof',
  summary: "a country's indicators as known at an instant",
  usage: asofUsage,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(args, { at: { type: 'string' }, country: { type: 'string' } }, asofUsage);
    positionalsOf(positionals, [], asofUsage);
    if (!values.at || !values.country) throw new UsageError('--at and --country are required', asofUsage);
    const query = { at: instantArg('--at', values.at, asofUsage), country: countryArg('--country', values.country, asofUsage) };
    const connection = connectionOf(values, ctx, asofUsage);
    const body = await apiClientFor(connection, ctx).get('/api/v1/asof', { schema: auditAsOfOutput, query });
    if (connection.json) {
      printJson(ctx.stdout, body);
      return 0;
    }
    ctx.stdout.write(`${body.country} as known at ${formatInstant(body.at)}: ${body.indicators.length} indicator(s)\n`);
    if (body.indicators.length > 0) {
      ctx.stdout.write(
        formatTable([{ header: 'INDICATOR' }, { header: 'YEAR', align: 'right' }, { header: 'VALUE', align: 'right' }], body.indicators.map((i) => [i.indicator, String(i.year), formatNumber(i.value)])),
      );
    }
    return 0;
  },
};
