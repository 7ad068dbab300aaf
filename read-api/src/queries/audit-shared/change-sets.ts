import type { FindQuery, ReadStore } from '@nationpulse/ports';
import { changeLogEntries, collections, type ChangeLogEntry, type ChangeSetDoc } from '@nationpulse/read-models';

/** Change sets read per page while unwinding a window of entries. */
const PAGE = 100;

/**
 * Entries `[offset, offset + limit)` of the change sets matching `where`, unwound: sets in
 * `direction` of (`field`, position), each set's values in the same direction of year — the
 * order one document per value had, by (field, position, year). Sets before the page are
 * skipped on their `changeCount`, without unwinding them.
 */
export const pageOfEntries = async (
  readStore: ReadStore,
  q: { where: NonNullable<FindQuery['where']>; field: 'at' | 'position'; direction: 'asc' | 'desc'; offset: number; limit: number },
): Promise<ChangeLogEntry[]> => {
  const orderBy = [
    ...(q.field === 'position' ? [] : [{ field: q.field, direction: q.direction }]),
    { field: 'position', direction: q.direction },
  ];
  const out: ChangeLogEntry[] = [];
  let skip = q.offset;
  for (let offset = 0; out.length < q.limit; offset += PAGE) {
    const page = await readStore.find<ChangeSetDoc>(collections.changeSets, { where: q.where, orderBy, limit: PAGE, offset });
    for (const { doc } of page) {
      if (skip >= doc.changeCount) {
        skip -= doc.changeCount;
        continue;
      }
      const entries = changeLogEntries(doc);
      if (q.direction === 'desc') entries.reverse();
      out.push(...entries.slice(skip, skip + q.limit - out.length));
      skip = 0;
      if (out.length >= q.limit) break;
    }
    if (page.length < PAGE) break;
  }
  return out;
};

/** How many values the matching change sets changed. */
export const countEntries = (readStore: ReadStore, where: NonNullable<FindQuery['where']>): Promise<number> =>
  readStore.sum(collections.changeSets, 'changeCount', where);
