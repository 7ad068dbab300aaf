export { startWriteApiService, jwtSecret, type WriteApiService } from './service.ts';
export { writeApiConfigSchema, type WriteApiConfig } from './config.ts';
export { createWriteSide, type WriteSide } from './composition.ts';
export { bootstrapAdmin } from './bootstrap-admin.ts';
export { commands } from './commands/catalogue.ts';
