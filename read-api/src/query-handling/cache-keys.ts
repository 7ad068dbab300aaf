/**
 * Names the read API shares with the projectors, which keep the cache's derived structures (the
 * projectors keep a copy in projectors/src/derived/keys.ts; a test there checks both agree).
 * Plain constants: importing this module has no side effects.
 */

/** The key prefix of every cached answer (for invalidation with `deleteByPrefix`). */
export const RESPONSE_CACHE_PREFIX = 'read-api:v1:';

/**
 * Every cached answer of one query: `read-api:v1:<query>:`. A cached answer's key is
 * `<namespace><scope>|<canonical input>`, the scope being what the query's `cacheScope` names
 * (empty without one), so the projectors drop one query's answers, or one scope's, and no others.
 */
export const responseNamespace = (query: string): string => `${RESPONSE_CACHE_PREFIX}${query}:`;

/** The cached answers of one query within one scope (say, one series): `read-api:v1:<query>:<scope>|`. */
export const responseScope = (query: string, scope: string): string => `${responseNamespace(query)}${scope}|`;

/** The ranking board of an indicator in a year: countries (never aggregates) scored by value. */
export const rankingBoard = (indicator: string, year: number): string => `rank:${indicator}:${year}`;

/**
 * The rankings boards' sync marker, itself a small board: member `position` scores the position up
 * to which every board reflects the live observations read model (member `version`: the
 * projection version they were built with). No marker, no boards: readers use the read store.
 */
export const RANKINGS_SYNC_MARKER = 'derived:rankings:synced';
export const SYNC_MARKER_POSITION = 'position';
export const SYNC_MARKER_VERSION = 'version';
