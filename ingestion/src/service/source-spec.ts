import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { NationPulseError } from '@nationpulse/domain';
import { z } from 'zod';

/**
 * What to ingest, as the HTTP admin API, gRPC, schedules and jobs name it. Discriminated on
 * `kind`; the generic source engine (World Bank API, SDMX) adds its kinds here.
 */
export const sourceSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('world-bank-csv'),
    /** A World Bank data.csv, a folder holding one, or a folder of <indicator>/data.csv; relative to INGESTION_FILE_ROOT. */
    path: z.string().min(1).max(1_000),
    /** The indicator of a single file (default: its folder name). */
    indicator: z
      .string()
      .regex(/^[A-Za-z0-9._]{2,64}$/, 'a World Bank indicator code, e.g. SP.POP.TOTL')
      .optional(),
  }),
]);
export type SourceSpec = z.infer<typeof sourceSpecSchema>;

/** A job's payload: the spec, and who asked for it. */
export const ingestionJobSchema = z.object({ spec: sourceSpecSchema });

/**
 * The dataset a spec ingests: the lock key (never two runs of one dataset at once). For files it
 * is the run's dataset as the file source names it: the indicator, or the file's folder name.
 */
export const datasetOf = (spec: SourceSpec): string => {
  const name = spec.indicator ?? (spec.path.toLowerCase().endsWith('.csv') ? basename(dirname(spec.path)) : basename(spec.path));
  return `${spec.kind}:${name.toUpperCase()}`;
};

/**
 * The spec with its path made absolute inside the allowed root: the admin API must not read
 * arbitrary files of the server.
 */
export const resolveSpecPath = (spec: SourceSpec, fileRoot: string): SourceSpec => {
  const root = resolve(fileRoot);
  const path = resolve(root, spec.path);
  const rel = relative(root, path);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new NationPulseError('validation', 'SOURCE_PATH_NOT_ALLOWED', `The path must lie inside the ingestion file root (${root})`, [
      { path: 'path', message: 'outside INGESTION_FILE_ROOT' },
    ]);
  }
  return { ...spec, path };
};
