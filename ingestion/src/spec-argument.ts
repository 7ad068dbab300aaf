import { readFile } from 'node:fs/promises';

/** A CLI's `--source-spec` value: the JSON spec itself, or `@file.json`. Parsed as JSON only; the schema checks it. */
export const readSpecArgument = async (text: string): Promise<unknown> => {
  const json = text.startsWith('@') ? await readFile(text.slice(1), 'utf8') : text;
  try {
    return JSON.parse(json) as unknown;
  } catch (e) {
    throw new Error(`--source-spec is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
};
