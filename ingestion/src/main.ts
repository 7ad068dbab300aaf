import { runService } from '@nationpulse/platform';
import { startIngestionService } from './service.ts';
import { ingestionServiceConfigSchema } from './service/config.ts';

await runService('ingestion', ingestionServiceConfigSchema, (config) => startIngestionService(config));
