import { useId, useMemo, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { formatTick, formatValue } from './format.ts';
import { seriesColour } from './palette.ts';
import { linearScale, niceTicks, valueDomain, yearTicks } from './scale.ts';
import { useWidth } from './use-width.ts';

export interface ChartSeries {
  readonly id: string;
  readonly label: string;
  readonly points: readonly { readonly year: number; readonly value: number }[];
}

export interface LineChartProps {
  readonly title: string;
  readonly unit: string;
  readonly series: readonly ChartSeries[];
  readonly decimals?: number;
  readonly height?: number;
}

const MARGIN = { top: 16, right: 20, bottom: 36, left: 64 };

/**
 * A time-series line chart in SVG: labelled axes (years; values with their unit), one line per
 * series, a legend, and a readout of the values at a year on hover or with the arrow keys
 * (the chart is focusable). A data table alternative follows the chart.
 */
export const LineChart = ({ title, unit, series, decimals = 1, height = 300 }: LineChartProps) => {
  const [box, width] = useWidth<HTMLDivElement>();
  const id = useId();
  const [activeYear, setActiveYear] = useState<number | null>(null);

  const years = useMemo(() => [...new Set(series.flatMap((s) => s.points.map((p) => p.year)))].sort((a, b) => a - b), [series]);
  const values = useMemo(() => series.flatMap((s) => s.points.map((p) => p.value)), [series]);
  const innerW = Math.max(120, width - MARGIN.left - MARGIN.right);
  const innerH = height - MARGIN.top - MARGIN.bottom;
  const first = years[0] ?? 0;
  const last = years[years.length - 1] ?? first;
  const x = linearScale([first, last === first ? first + 1 : last], [0, innerW]);
  const [vMin, vMax] = valueDomain(values);
  const { ticks, domain } = niceTicks(vMin, vMax, height < 240 ? 3 : 5);
  const y = linearScale(domain, [innerH, 0]);
  const xTicks = yearTicks(first, last, Math.max(2, Math.floor(innerW / 70)));

  if (years.length === 0) return <p className="empty">No data for this range.</p>;

  const pathOf = (points: ChartSeries['points']): string => {
    let d = '';
    let previous: number | null = null;
    for (const p of points) {
      // A gap of more than a year breaks the line: missing years are not interpolated.
      d += `${previous === null || p.year - previous > 1 ? 'M' : 'L'}${x(p.year).toFixed(1)},${y(p.value).toFixed(1)}`;
      previous = p.year;
    }
    return d;
  };

  const nearestYear = (px: number): number => years.reduce((best, yr) => (Math.abs(x(yr) - px) < Math.abs(x(best) - px) ? yr : best), first);
  const onPointer = (e: PointerEvent<SVGSVGElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    setActiveYear(nearestYear(((e.clientX - rect.left) / rect.width) * width - MARGIN.left));
  };
  const onKey = (e: KeyboardEvent<SVGSVGElement>) => {
    const i = activeYear === null ? -1 : years.indexOf(activeYear);
    const next = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? (i === -1 ? years.length - 1 : i - 1) : e.key === 'Home' ? 0 : e.key === 'End' ? years.length - 1 : null;
    if (next === null) {
      if (e.key === 'Escape') setActiveYear(null);
      return;
    }
    e.preventDefault();
    setActiveYear(years[Math.max(0, Math.min(years.length - 1, next))] ?? null);
  };

  const readout =
    activeYear === null
      ? null
      : series.map((s, i) => ({ s, i, point: s.points.find((p) => p.year === activeYear) })).filter((r) => r.point !== undefined);
  const readoutX = activeYear === null ? 0 : x(activeYear);

  return (
    <figure className="chart">
      <div ref={box} className="chart-box">
        <svg
          width={width}
          height={height}
          viewBox={`0 0 ${width} ${height}`}
          role="img"
          aria-labelledby={`${id}-t`}
          aria-describedby={`${id}-d`}
          tabIndex={0}
          onPointerMove={onPointer}
          onPointerLeave={() => setActiveYear(null)}
          onKeyDown={onKey}
          onBlur={() => setActiveYear(null)}
        >
          <title id={`${id}-t`}>{title}</title>
          <desc id={`${id}-d`}>
            {`${series.map((s) => s.label).join(', ')}, ${first} to ${last}, in ${unit}. Use the left and right arrow keys to read the values year by year.`}
          </desc>
          <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
            {ticks.map((t) => (
              <g key={t} transform={`translate(0,${y(t).toFixed(1)})`} className="tick">
                <line x2={innerW} className="grid" />
                <text x={-8} dy="0.32em" textAnchor="end">
                  {formatTick(t, unit)}
                </text>
              </g>
            ))}
            {xTicks.map((t) => (
              <g key={t} transform={`translate(${x(t).toFixed(1)},${innerH})`} className="tick">
                <line y2={5} className="axis" />
                <text y={18} textAnchor="middle">
                  {t}
                </text>
              </g>
            ))}
            <line x1={0} x2={innerW} y1={innerH} y2={innerH} className="axis" />
            <text className="axis-title" transform={`translate(${-MARGIN.left + 12},${innerH / 2}) rotate(-90)`} textAnchor="middle">
              {unit}
            </text>
            {series.map((s, i) => (
              <path key={s.id} d={pathOf(s.points)} fill="none" stroke={seriesColour(i)} strokeWidth={2.25} strokeLinejoin="round" strokeLinecap="round" />
            ))}
            {series.map((s, i) =>
              s.points.length <= 2
                ? s.points.map((p) => <circle key={`${s.id}-${p.year}`} cx={x(p.year)} cy={y(p.value)} r={3.5} fill={seriesColour(i)} />)
                : null,
            )}
            {readout && activeYear !== null && (
              <g className="readout" aria-hidden="true">
                <line x1={readoutX} x2={readoutX} y1={0} y2={innerH} className="crosshair" />
                {readout.map(({ s, i, point }) => (
                  <circle key={s.id} cx={readoutX} cy={y(point?.value ?? 0)} r={4.5} fill="#fff" stroke={seriesColour(i)} strokeWidth={2.5} />
                ))}
              </g>
            )}
          </g>
        </svg>
        {readout && activeYear !== null && (
          <div
            className="tooltip"
            role="status"
            style={{ left: Math.min(Math.max(0, MARGIN.left + readoutX + 12), Math.max(0, width - 210)), top: MARGIN.top }}
          >
            <strong>{activeYear}</strong>
            {readout.map(({ s, i, point }) => (
              <span key={s.id}>
                <i style={{ background: seriesColour(i) }} /> {series.length > 1 ? `${s.label}: ` : ''}
                {formatValue(point?.value, unit, decimals)}
              </span>
            ))}
          </div>
        )}
      </div>
      {series.length > 1 && (
        <ul className="legend" aria-label="Legend">
          {series.map((s, i) => (
            <li key={s.id}>
              <i style={{ background: seriesColour(i) }} /> {s.label}
            </li>
          ))}
        </ul>
      )}
      <details className="data-table">
        <summary>Data table</summary>
        <div className="table-wrap">
          <table>
            <caption className="sr-only">{title}</caption>
            <thead>
              <tr>
                <th scope="col">Year</th>
                {series.map((s) => (
                  <th key={s.id} scope="col">
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {[...years].reverse().map((yr) => (
                <tr key={yr}>
                  <th scope="row">{yr}</th>
                  {series.map((s) => (
                    <td key={s.id}>{formatValue(s.points.find((p) => p.year === yr)?.value, unit, decimals)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
};
