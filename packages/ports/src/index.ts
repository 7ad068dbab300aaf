export * from './event-store.ts';
export * from './read-store.ts';
export * from './cache.ts';
export * from './refresh-token-store.ts';
export * from './rate-limiter.ts';
export * from './notifications.ts';
export * from './message-bus.ts';
export * from './artifact-store.ts';
