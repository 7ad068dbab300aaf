import type { RankingEntry } from '../api/types.ts';
import { href } from '../router/routes.ts';
import { formatValue } from './format.ts';

/** A ranking as labelled horizontal bars (HTML, so it reflows on phones); each country links to its page. */
export const RankingBars = ({ entries, unit, decimals, label }: { entries: readonly RankingEntry[]; unit: string; decimals: number; label: string }) => {
  const max = Math.max(...entries.map((e) => Math.abs(e.value)), 0);
  return (
    <ol className="ranking" aria-label={label}>
      {entries.map((e) => (
        <li key={e.country}>
          <span className="rank">{e.rank}</span>
          <a className="ranking-name" href={href('country', { iso3: e.country })}>
            {e.name}
          </a>
          <span className="ranking-value">{formatValue(e.value, unit, decimals)}</span>
          <span className="bar" aria-hidden="true">
            <span style={{ width: `${max > 0 ? Math.max(1.5, (Math.abs(e.value) / max) * 100) : 0}%` }} />
          </span>
        </li>
      ))}
    </ol>
  );
};
