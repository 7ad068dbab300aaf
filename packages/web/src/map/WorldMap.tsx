import { geoEqualEarth, geoPath } from 'd3-geo';
import { useEffect, useMemo, useState } from 'react';
import { feature } from 'topojson-client';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type { GeometryCollection, Topology } from 'topojson-specification';
import atlasUrl from 'world-atlas/countries-110m.json?url';
import { formatValue } from '../charts/format.ts';
import { useWidth } from '../charts/use-width.ts';
import { atlasNameToIso3, numericToIso3 } from '../reference/country-codes.generated.ts';
import { NO_DATA_COLOUR, quantileColourScale } from './colour-scale.ts';

type CountryFeature = Feature<Geometry, { name: string }> & { id?: string | number };

/** Antarctica takes a fifth of the map and has no statistics: left out. */
const HIDDEN = new Set(['010']);

/** The ISO3 code of a world-atlas shape: by its numeric id, else by name (for shapes without one, such as Kosovo). */
export const iso3OfFeature = (f: { id?: string | number; properties: { name: string } | null }): string | null =>
  (f.id !== undefined ? numericToIso3[String(f.id).padStart(3, '0')] : undefined) ?? atlasNameToIso3[f.properties?.name ?? ''] ?? null;

let atlasPromise: Promise<CountryFeature[]> | null = null;
/** The 110m country shapes, fetched once (about 40 KB compressed) when a map is first shown. */
const loadAtlas = (): Promise<CountryFeature[]> => {
  atlasPromise ??= fetch(atlasUrl)
    .then((r) => {
      if (!r.ok) throw new Error(`Map shapes: HTTP ${r.status}`);
      return r.json() as Promise<Topology<{ countries: GeometryCollection<{ name: string }> }>>;
    })
    .then((topology) => {
      const fc = feature(topology, topology.objects.countries) as FeatureCollection<Geometry, { name: string }>;
      return (fc.features as CountryFeature[]).filter((f) => !HIDDEN.has(String(f.id)));
    })
    .catch((error: unknown) => {
      atlasPromise = null;
      throw error;
    });
  return atlasPromise;
};

export interface WorldMapProps {
  /** ISO3 → value; countries missing from it are drawn as "no data". */
  readonly values: ReadonlyMap<string, number>;
  readonly names: ReadonlyMap<string, string>;
  readonly unit: string;
  readonly decimals: number;
  readonly label: string;
  readonly onSelect?: (iso3: string) => void;
}

/** A choropleth of the world: quantile classes of the indicator, a legend, no-data shapes in a neutral hatch. */
export default function WorldMap({ values, names, unit, decimals, label, onSelect }: WorldMapProps) {
  const [box, width] = useWidth<HTMLDivElement>(800);
  const [shapes, setShapes] = useState<CountryFeature[] | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [hover, setHover] = useState<{ iso3: string | null; name: string; x: number; y: number } | null>(null);

  useEffect(() => {
    let live = true;
    loadAtlas().then(
      (s) => live && setShapes(s),
      (e: unknown) => live && setFailed(e instanceof Error ? e.message : 'Map shapes could not be loaded'),
    );
    return () => void (live = false);
  }, []);

  const height = Math.round(width * 0.48);
  const scale = useMemo(() => quantileColourScale([...values.values()]), [values]);
  const paths = useMemo(() => {
    if (!shapes) return [];
    const projection = geoEqualEarth().fitSize([width, height], { type: 'FeatureCollection', features: shapes });
    const path = geoPath(projection);
    return shapes.map((f, i) => {
      const iso3 = iso3OfFeature(f);
      return { key: `${String(f.id ?? f.properties.name)}-${i}`, d: path(f) ?? '', iso3, name: (iso3 && names.get(iso3)) ?? f.properties.name };
    });
  }, [shapes, width, height, names]);

  useEffect(() => {
    if (paths.length > 0 && values.size > 0 && performance.getEntriesByName('np:map-drawn').length === 0) performance.mark('np:map-drawn');
  }, [paths, values]);

  const withData = paths.filter((p) => p.iso3 !== null && values.has(p.iso3)).length;

  return (
    <figure className="map">
      <div ref={box} className="map-box" style={{ minHeight: height }}>
        {failed && <p className="callout callout-error" role="alert">The map could not be drawn: {failed}</p>}
        {!shapes && !failed && <div className="map-placeholder" style={{ height }} role="status">Loading map…</div>}
        {shapes && (
          <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${label}. ${withData} countries with data; the rankings list them.`}>
            <defs>
              <pattern id="no-data-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                <rect width="6" height="6" fill={NO_DATA_COLOUR} />
                <line x1="0" y1="0" x2="0" y2="6" stroke="#c9c4b8" strokeWidth="2" />
              </pattern>
            </defs>
            {paths.map((p) => {
              const value = p.iso3 ? values.get(p.iso3) : undefined;
              return (
                <path
                  key={p.key}
                  d={p.d}
                  className={`country${onSelect && p.iso3 ? ' clickable' : ''}`}
                  fill={value === undefined ? 'url(#no-data-hatch)' : scale.colourOf(value)}
                  data-iso3={p.iso3 ?? undefined}
                  onPointerMove={(e) => {
                    const rect = (e.currentTarget.ownerSVGElement ?? e.currentTarget).getBoundingClientRect();
                    setHover({ iso3: p.iso3, name: p.name, x: e.clientX - rect.left, y: e.clientY - rect.top });
                  }}
                  onPointerLeave={() => setHover(null)}
                  onClick={() => p.iso3 && onSelect?.(p.iso3)}
                >
                  <title>{`${p.name}: ${value === undefined ? 'no data' : formatValue(value, unit, decimals)}`}</title>
                </path>
              );
            })}
          </svg>
        )}
        {hover && (
          <div className="tooltip" style={{ left: Math.min(hover.x + 14, width - 200), top: Math.max(0, hover.y - 10) }} aria-hidden="true">
            <strong>{hover.name}</strong>
            <span>{hover.iso3 && values.has(hover.iso3) ? formatValue(values.get(hover.iso3), unit, decimals) : 'No data'}</span>
          </div>
        )}
      </div>
      <figcaption>
        <ul className="map-legend" aria-label={`Legend (${unit})`}>
          {scale.classes.map((c) => (
            <li key={c.colour + c.from}>
              <i style={{ background: c.colour }} />
              {formatValue(c.from, unit, decimals)} – {formatValue(c.to, unit, decimals)}
            </li>
          ))}
          <li>
            <i className="hatch" />
            No data
          </li>
        </ul>
      </figcaption>
    </figure>
  );
}
