/** From / to year pickers; `to` never before `from`. */
export const YearRange = ({
  years,
  from,
  to,
  onChange,
}: {
  years: readonly number[];
  from: number | null;
  to: number | null;
  onChange: (range: { from: number | null; to: number | null }) => void;
}) => (
  <fieldset className="year-range">
    <legend>Years</legend>
    <label htmlFor="from-year">From</label>
    <select id="from-year" value={from ?? ''} onChange={(e) => onChange({ from: e.target.value ? Number(e.target.value) : null, to })}>
      <option value="">Earliest</option>
      {[...years].reverse().filter((y) => to === null || y <= to).map((y) => (
        <option key={y}>{y}</option>
      ))}
    </select>
    <label htmlFor="to-year">To</label>
    <select id="to-year" value={to ?? ''} onChange={(e) => onChange({ from, to: e.target.value ? Number(e.target.value) : null })}>
      <option value="">Latest</option>
      {years.filter((y) => from === null || y >= from).map((y) => (
        <option key={y}>{y}</option>
      ))}
    </select>
  </fieldset>
);
