#!/usr/bin/env node
// The CLI runs from its TypeScript source, like every service of the repository: tsx compiles it
// on the fly (no build step), so `npx nationpulse` always runs the code in the working tree.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
