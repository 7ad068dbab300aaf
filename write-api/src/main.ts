import { runService } from '@nationpulse/platform';
import { writeApiConfigSchema } from './config.ts';
import { startWriteApiService } from './service.ts';

await runService('write-api', writeApiConfigSchema, (config) => startWriteApiService(config));
