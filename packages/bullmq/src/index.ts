export { createBullmqScheduler, type BullmqSchedulerOptions } from './bullmq-scheduler.ts';
export { createRedisDatasetLock, type RedisDatasetLockOptions } from './redis-dataset-lock.ts';
