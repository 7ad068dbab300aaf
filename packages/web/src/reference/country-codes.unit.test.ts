import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { atlasNameToIso3, numericToIso3 } from './country-codes.generated.ts';
import { generateCountryCodes, OUTPUT } from './generate-country-codes.ts';

describe('generated country codes', () => {
  it('is up to date with reference data and world-atlas (else: npm run generate:reference -w @nationpulse/web)', () => {
    expect(readFileSync(OUTPUT, 'utf8')).toBe(generateCountryCodes());
  });

  it('maps world-atlas numeric ids and id-less shapes to ISO3', () => {
    expect(numericToIso3['250']).toBe('FRA');
    expect(numericToIso3['004']).toBe('AFG');
    expect(numericToIso3['840']).toBe('USA');
    expect(atlasNameToIso3['Kosovo']).toBe('XKX');
  });
});
