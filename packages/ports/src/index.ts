export * from './event-store.ts';
export * from './read-store.ts';
export * from './cache.ts';
export * from './scheduling.ts';
