export * from './config.ts';
export * from './clock.ts';
export * from './ids.ts';
export * from './logger.ts';
export * from './error-mapping.ts';
export * from './auth/passwords.ts';
export * from './auth/tokens.ts';
export * from './http/error-handler.ts';
