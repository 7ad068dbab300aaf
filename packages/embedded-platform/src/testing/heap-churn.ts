/**
 * A child process for heap-policy.unit.test.ts: ~30 MB alive for good, and a stream of objects
 * that live long enough to be promoted to the old generation and then die (as an ingestion's
 * series, events and projection batches do). Prints the largest heapTotal seen, in MB.
 * argv: 'policy' to apply the embedded heap policy first, anything else for V8's default.
 */
import { applyEmbeddedHeapPolicy } from '../heap-policy.ts';

if (process.argv[2] === 'policy') applyEmbeddedHeapPolicy();
const kept: { a: number; b: number }[] = [];
for (let i = 0; i < 200_000; i++) kept.push({ a: i, b: i + 0.5 });
const window: { year: number; value: number }[][] = [];
let maxTotal = 0;
for (let round = 0; round < 4000; round++) {
  const batch: { year: number; value: number }[] = [];
  for (let i = 0; i < 1000; i++) batch.push({ year: i, value: i + 0.5 });
  window.push(batch);
  if (window.length > 300) window.shift();
  maxTotal = Math.max(maxTotal, process.memoryUsage().heapTotal);
}
process.stdout.write(`${JSON.stringify({ maxHeapTotalMb: maxTotal / 1048576, kept: kept.length + window.length })}\n`);
