export { testEventStore, type EventStoreFactory } from './event-store.contract.ts';
export { newEvent } from './fixtures.ts';
export { testCache, type CacheFactory } from './cache.contract.ts';
export { testReadStore, type ReadStoreFactory } from './read-store.contract.ts';
export { testRefreshTokenStore, type RefreshTokenStoreFactory } from './refresh-token-store.contract.ts';
export { testRateLimiter, type RateLimiterFactory } from './rate-limiter.contract.ts';
export { testNotifications, type NotificationsFactory } from './notifications.contract.ts';
export { testMessageBus, type MessageBusFactory } from './message-bus.contract.ts';
export { testArtifactStore, type ArtifactStoreFactory } from './artifact-store.contract.ts';
