export { testEventStore, type EventStoreFactory } from './event-store.contract.ts';
export { newEvent } from './fixtures.ts';
export { testCache, type CacheFactory } from './cache.contract.ts';
export { testReadStore, type ReadStoreFactory } from './read-store.contract.ts';
export { testJobScheduler, type JobSchedulerFactory } from './job-scheduler.contract.ts';
export { testDatasetLock, type DatasetLockFactory } from './dataset-lock.contract.ts';
