import { runService } from '@nationpulse/platform';
import { embeddedPlatformConfigSchema, startEmbeddedPlatform } from './embedded-platform.ts';
import { applyEmbeddedHeapPolicy } from './heap-policy.ts';

// Before the platform starts: the heap's growth is kept close to what is alive (see heap-policy.ts).
applyEmbeddedHeapPolicy();

await runService('nationpulse', embeddedPlatformConfigSchema, async () => {
  const platform = await startEmbeddedPlatform();
  process.stderr.write(
    `NationPulse (embedded) is up on ${platform.urls.gateway} (API docs: ${platform.urls.gateway}/docs)\n  write API  ${platform.urls.writeApi}/openapi.json\n  read API   ${platform.urls.readApi}/api/v1/countries\n  ops        ${platform.urls.projectors}/api/v1/ops/projections\n  reports    ${platform.urls.reporting ?? '(off)'}/api/v1/reports/{id}\n  ingestion  ${platform.urls.ingestion}/openapi.json\n`,
  );
  return platform;
});
