import { isAbsolute, relative, resolve } from 'node:path';
import { NationPulseError } from '@nationpulse/domain';
import type { SourceSpec } from '../sources/source-spec.ts';

/**
 * The spec with its file path (file sources only) made absolute inside the allowed root: the admin
 * API must not read arbitrary files of the server. API sources pass unchanged.
 */
export const resolveSpecPath = (spec: SourceSpec, fileRoot: string): SourceSpec => {
  if (spec.kind !== 'world-bank-csv' && spec.kind !== 'sdmx-csv') return spec;
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
