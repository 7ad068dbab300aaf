import type { ServerResponse } from 'node:http';
import { fixtureText } from './fixtures.ts';
import { sendJson } from './http-server.ts';

const page = (n: number): string => fixtureText(`world-bank-api/sp.pop.totl.page-${n}.json`);
export const WORLD_BANK_ERROR_200 = fixtureText('world-bank-api/error-invalid-value.json');

/** The API's one-row answer (per_page=1) for SP.POP.TOTL, derived from the first recorded page. */
const probe = (): string => {
  const [meta, rows] = JSON.parse(page(1)) as [{ total: number }, unknown[]];
  return JSON.stringify([{ ...meta, page: 1, pages: meta.total, per_page: 1 }, rows.slice(0, 1)]);
};

/** Answers like the Indicators API (pages of 4 rows): SP.POP.TOTL from the fixtures, an HTTP-200 error for any other indicator. */
export const worldBankApiStandIn = (res: ServerResponse, url: URL): void => {
  const indicator = /\/indicator\/([^/?]+)/.exec(url.pathname)?.[1];
  if (indicator !== 'SP.POP.TOTL') return sendJson(res, WORLD_BANK_ERROR_200);
  if (url.searchParams.get('per_page') === '1') return sendJson(res, probe());
  sendJson(res, page(Number(url.searchParams.get('page'))));
};
