export { startGatewayService, type GatewayService, type GatewayShared } from './service.ts';
export { gatewayConfigSchema, type GatewayConfig } from './config.ts';
export { buildGatewayApp, type GatewayAppDependencies } from './app.ts';
export { createNotifier, type Notifier } from './notifier/notifier.ts';
