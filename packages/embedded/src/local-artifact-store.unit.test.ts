import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testArtifactStore } from '@nationpulse/ports/testing';
import { createLocalArtifactStore } from './local-artifact-store.ts';

const root = join(mkdtempSync(join(tmpdir(), 'np-artifacts-')), 'reports');

testArtifactStore('local folder', { create: async () => createLocalArtifactStore({ root }) });
