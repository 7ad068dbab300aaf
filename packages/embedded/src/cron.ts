import { invalidCron } from '@nationpulse/ports';

/** A parsed cron expression: the allowed values of each field. Evaluated in UTC. */
export interface Cron {
  readonly seconds: ReadonlySet<number>;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly daysOfWeek: ReadonlySet<number>;
  /** Vixie-cron rule: when both day fields are restricted, a day matching either fires. */
  readonly dayOr: boolean;
}

const FIELDS = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const parseField = (cron: string, text: string, field: (typeof FIELDS)[number]): Set<number> => {
  const names = field.name === 'month' ? MONTHS : field.name === 'day of week' ? DAYS : [];
  const value = (token: string): number => {
    const named = names.indexOf(token.toUpperCase());
    if (named >= 0) return named + (field.name === 'month' ? 1 : 0);
    if (!/^\d+$/.test(token)) throw invalidCron(cron, `${JSON.stringify(token)} is not a ${field.name}`);
    const n = Number(token);
    if (n < field.min || n > field.max) throw invalidCron(cron, `${field.name} ${n} is outside ${field.min}-${field.max}`);
    return n;
  };
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw invalidCron(cron, `bad step in ${JSON.stringify(part)}`);
    let from: number;
    let to: number;
    if (range === '*') [from, to] = [field.min, field.max];
    else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      [from, to] = [value(a), value(b)];
      if (from > to) throw invalidCron(cron, `empty range ${JSON.stringify(range)}`);
    } else {
      from = value(range);
      to = stepText === undefined ? from : field.max;
    }
    for (let v = from; v <= to; v += step) out.add(field.name === 'day of week' && v === 7 ? 0 : v);
  }
  return out;
};

/** Parses five fields (minute hour day-of-month month day-of-week) or six (seconds first). */
export const parseCron = (expression: string): Cron => {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) throw invalidCron(expression, `expected 5 or 6 fields, got ${parts.length}`);
  const texts = parts.length === 5 ? ['0', ...parts] : parts;
  const [seconds, minutes, hours, daysOfMonth, months, daysOfWeek] = FIELDS.map((field, i) => parseField(expression, texts[i] ?? '', field)) as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];
  const restricted = (i: number) => !(texts[i] ?? '').startsWith('*');
  return { seconds, minutes, hours, daysOfMonth, months, daysOfWeek, dayOr: restricted(3) && restricted(5) };
};

const dayMatches = (cron: Cron, d: Date): boolean => {
  const dom = cron.daysOfMonth.has(d.getUTCDate());
  const dow = cron.daysOfWeek.has(d.getUTCDay());
  return cron.dayOr ? dom || dow : dom && dow;
};

/** Eight years of search covers every satisfiable expression (Feb 29 on a given weekday included). */
const SEARCH_LIMIT_MS = 8 * 366 * 86_400_000;

/**
 * The first instant strictly after `afterMs` that the expression matches, or null if none within
 * eight years (e.g. 30 February). Skips whole months, days, hours and minutes that cannot match.
 */
export const nextCronTime = (cron: Cron, afterMs: number): number | null => {
  const d = new Date(Math.floor(afterMs / 1000) * 1000 + 1000);
  const limit = afterMs + SEARCH_LIMIT_MS;
  while (d.getTime() <= limit) {
    if (!cron.months.has(d.getUTCMonth() + 1)) {
      d.setUTCMonth(d.getUTCMonth() + 1, 1);
      d.setUTCHours(0, 0, 0, 0);
    } else if (!dayMatches(cron, d)) {
      d.setUTCDate(d.getUTCDate() + 1);
      d.setUTCHours(0, 0, 0, 0);
    } else if (!cron.hours.has(d.getUTCHours())) {
      d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0);
    } else if (!cron.minutes.has(d.getUTCMinutes())) {
      d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
    } else if (!cron.seconds.has(d.getUTCSeconds())) {
      d.setUTCSeconds(d.getUTCSeconds() + 1, 0);
    } else return d.getTime();
  }
  return null;
};
