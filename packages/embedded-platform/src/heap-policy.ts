import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what its last full GC found alive, as a percentage.
 * V8's default factor is dynamic, up to 4× the live size when collection is cheap compared with
 * the allocation rate — exactly the case of a full-snapshot ingest (many short-lived objects per
 * value, projection caches of ~60 MB alive): the old heap grew from ~55 MB to ~230 MB before its
 * first full collection, and RSS to 420–440 MB. At 50% it is collected at 1.5× the live size.
 * Measured (BENCHMARKS.md, "Ingestion — issue 4"): peak RSS ~90 MB lower, CPU time of the ingest
 * unchanged within the noise (a few more full collections, each short).
 */
export const EMBEDDED_HEAP_GROWING_PERCENT = 50;

/**
 * Applies the embedded platform's heap policy to this process. `npm start` (main.ts) calls it
 * before starting the platform; the ingestion benchmark's child does the same. V8 reads this flag
 * at each full collection, so setting it at run time takes effect from the next one.
 */
export const applyEmbeddedHeapPolicy = (percent: number = EMBEDDED_HEAP_GROWING_PERCENT): void => {
  if (!Number.isInteger(percent) || percent < 1 || percent > 400) throw new RangeError(`heap growing percent must be an integer in 1..400, got ${percent}`);
  setFlagsFromString(`--heap-growing-percent=${percent}`);
};
