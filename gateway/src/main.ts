import { runService } from '@nationpulse/platform';
import { gatewayConfigSchema } from './config.ts';
import { startGatewayService } from './service.ts';

await runService('gateway', gatewayConfigSchema, (config) => startGatewayService(config));
