import { fileURLToPath } from 'node:url';

/** Absolute path of a fixture under testing/fixtures. */
export const fixture = (relative: string): string => fileURLToPath(new URL(`./fixtures/${relative}`, import.meta.url));
