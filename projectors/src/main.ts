import { runService } from '@nationpulse/platform';
import { projectorsConfigSchema } from './config.ts';
import { startProjectorsService } from './service.ts';

await runService('projectors', projectorsConfigSchema, (config) => startProjectorsService(config));
