import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of a fixture under testing/fixtures. */
export const fixture = (relative: string): string => fileURLToPath(new URL(`./fixtures/${relative}`, import.meta.url));

/** The text of a fixture. */
export const fixtureText = (relative: string): string => readFileSync(fixture(relative), 'utf8');
