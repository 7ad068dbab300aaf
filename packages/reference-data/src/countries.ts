import worldCountriesModule, { type Countries } from 'world-countries';

/*
 * world-countries is a CommonJS package (index.cjs: `module.exports = require('./countries.json')`,
 * plus a non-exported "module" entry index.mjs that Vite picks). At run time, under Node/tsx and
 * vitest alike, the default import is the array itself. Its index.d.ts, however, declares
 * `export default countries`, which TypeScript under NodeNext reads as `module.exports.default`,
 * so the static type of the default import is the module object. Accept both shapes, and type
 * the result with the package's own `Countries` (cheaper to type-check than importing the
 * 40,000-line JSON, whose inferred type would weigh on every consumer's type-check).
 */
const loaded: unknown = worldCountriesModule;
const worldCountries: Countries = Array.isArray(loaded)
  ? (loaded as Countries)
  : (loaded as { default: Countries }).default;

/** A country or territory: ISO 3166-1 codes, plus the World Bank economies XKX (Kosovo) and CHI (Channel Islands). */
export interface Country {
  /** ISO 3166-1 alpha-3 (World Bank code for XKX and CHI). */
  iso3: string;
  /** ISO 3166-1 alpha-2 (World Bank iso2 code for XKX 'XK' and CHI 'JG'). Always a string: Namibia is 'NA'. */
  iso2: string;
  /** ISO 3166-1 numeric, zero-padded to 3 digits (e.g. '004'), matching world-atlas ids. */
  numeric: string;
  name: string;
  officialName: string;
  /** Africa, Americas, Antarctic, Asia, Europe or Oceania. */
  region: string;
  /** Sub-region, e.g. 'Western Europe'; empty for the Antarctic territories. */
  subregion: string;
}

/** world-countries lists Kosovo under the UNMIK code UNK; the World Bank uses XKX. */
const KOSOVO_SOURCE_CODE = 'UNK';

/**
 * Kosovo has no ISO numeric code (nor a world-atlas id). '383' is an unassigned ISO numeric
 * code, used by convention (it is Kosovo's calling code) so that every country has a unique numeric.
 */
const KOSOVO_NUMERIC = '383';

const CHANNEL_ISLANDS: Country = {
  iso3: 'CHI',
  iso2: 'JG',
  numeric: '830',
  name: 'Channel Islands',
  officialName: 'Channel Islands',
  region: 'Europe',
  subregion: 'Northern Europe',
};

const fromWorldCountries: Country[] = worldCountries
  .filter((c) => c.cca3 !== '')
  .map((c): Country => {
    const kosovo = c.cca3 === KOSOVO_SOURCE_CODE;
    return {
      iso3: kosovo ? 'XKX' : c.cca3,
      iso2: c.cca2,
      numeric: kosovo && c.ccn3 === '' ? KOSOVO_NUMERIC : c.ccn3.padStart(3, '0'),
      name: c.name.common,
      officialName: c.name.official,
      region: c.region,
      subregion: c.subregion,
    };
  });

const collator = new Intl.Collator('en', { sensitivity: 'base' });

/** Every country and territory, sorted by name. */
export const countries: readonly Country[] = Object.freeze(
  [...fromWorldCountries, ...(fromWorldCountries.some((c) => c.iso3 === 'CHI') ? [] : [CHANNEL_ISLANDS])]
    .sort((a, b) => collator.compare(a.name, b.name))
    .map((c) => Object.freeze(c)),
);

const byIso3: ReadonlyMap<string, Country> = new Map(countries.map((c) => [c.iso3, c]));

/** Looks a country up by its alpha-3 code (exact, upper case: 'FRA'). */
export function countryByIso3(code: string): Country | undefined {
  return byIso3.get(code);
}

/** Whether the code is the alpha-3 code (exact, upper case) of a country or territory — not an aggregate. */
export function isCountry(code: string): boolean {
  return byIso3.has(code);
}
