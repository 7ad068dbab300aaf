/**
 * Names the projectors share with the read API (read-api/src/query-handling/cache-keys.ts holds the
 * same; keys.unit.test.ts checks they agree). Copied rather than imported: the projectors do not
 * depend on the read API's package, whose entry point pulls in its servers.
 */

/** The key prefix of every answer the read API caches (invalidated with `deleteByPrefix`). */
export const RESPONSE_CACHE_PREFIX = 'read-api:v1:';

/** Every cached answer of one read API query (keys are `<namespace><scope>|<canonical input>`). */
export const responseNamespace = (query: string): string => `${RESPONSE_CACHE_PREFIX}${query}:`;

/** The cached answers of one query within one scope (the query's `cacheScope` of its input). */
export const responseScope = (query: string, scope: string): string => `${responseNamespace(query)}${scope}|`;

/** The ranking board of an indicator in a year: countries (never aggregates) scored by value. */
export const rankingBoard = (indicator: string, year: number): string => `rank:${indicator}:${year}`;

/** Sync markers: small boards with member `position` (the live checkpoint they reflect) and `version`. */
export const RANKINGS_SYNC_MARKER = 'derived:rankings:synced';
export const PERMISSIONS_SYNC_MARKER = 'derived:permissions:synced';
export const SYNC_MARKER_POSITION = 'position';
export const SYNC_MARKER_VERSION = 'version';

/** Listings (boards with score 0): every ranking board and every user hash written, so a resync can drop the ones gone. */
export const RANKING_BOARDS_LISTING = 'derived:rankings:boards';
export const PERMISSIONS_USERS_LISTING = 'derived:permissions:users';
