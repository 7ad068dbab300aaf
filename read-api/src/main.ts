import { runService } from '@nationpulse/platform';
import { readApiConfigSchema } from './config.ts';
import { startReadApiService } from './service.ts';

await runService('read-api', readApiConfigSchema, (config) => startReadApiService(config));
