import type { Notification, NotificationListener, Notifications } from '@nationpulse/ports';
import { NotificationsUnavailableError } from '@nationpulse/ports';
import { createRedisConnection } from './connection.ts';

export interface RedisNotificationsOptions {
  readonly url: string;
  /** Prepended to every channel; default 'np:'. */
  readonly keyPrefix?: string;
  /** Upper bound for every command; default 1000 ms. */
  readonly commandTimeoutMs?: number;
  /** A message on a channel that is not a notification, or a listener that threw. */
  readonly onError?: (error: unknown) => void;
}

/** A message from the wire, checked before anyone sees it. */
const asNotification = (raw: string): Notification | null => {
  try {
    const value = JSON.parse(raw) as Partial<Notification> | null;
    if (!value || typeof value.id !== 'string' || typeof value.type !== 'string' || typeof value.at !== 'string') return null;
    if (typeof value.data !== 'object' || value.data === null || (value.requires !== undefined && typeof value.requires !== 'string')) return null;
    return value as Notification;
  } catch {
    return null;
  }
};

/**
 * Notifications over Redis pub/sub: one channel per user and one for broadcasts. Each process
 * holds one subscriber connection and subscribes to a user's channel while it has a listener for
 * that user, so a message reaches only the instances holding that user's connections.
 */
export const createRedisNotifications = (options: RedisNotificationsOptions): Notifications => {
  const prefix = options.keyPrefix ?? 'np:';
  const userChannel = (userId: string) => `${prefix}n:u:${userId}`;
  const broadcastChannel = `${prefix}n:all`;
  const unavailable = (message: string, cause: unknown) => new NotificationsUnavailableError(message, { cause });
  const common = { url: options.url, ...(options.commandTimeoutMs ? { commandTimeoutMs: options.commandTimeoutMs } : {}), unavailable };
  const publisher = createRedisConnection({ ...common, name: 'Redis notifications publisher' });
  const subscriber = createRedisConnection({ ...common, name: 'Redis notifications subscriber', subscriber: true });

  /** Listeners by channel (user channels, and the broadcast channel with every listener). */
  const channels = new Map<string, Set<NotificationListener>>();
  subscriber.redis.on('message', (channel: string, message: string) => {
    const listeners = channels.get(channel);
    if (!listeners) return;
    const notification = asNotification(message);
    if (!notification) {
      options.onError?.(new Error(`Not a notification on ${channel}`));
      return;
    }
    for (const listener of [...listeners]) {
      try {
        listener(notification);
      } catch (error) {
        options.onError?.(error);
      }
    }
  });

  const add = async (channel: string, listener: NotificationListener) => {
    const set = channels.get(channel);
    if (set) {
      set.add(listener);
      return;
    }
    channels.set(channel, new Set([listener]));
    try {
      await subscriber.call(() => subscriber.redis.subscribe(channel));
    } catch (e) {
      channels.delete(channel);
      throw e;
    }
  };
  const remove = async (channel: string, listener: NotificationListener) => {
    const set = channels.get(channel);
    if (!set?.delete(listener) || set.size > 0) return;
    channels.delete(channel);
    await subscriber.call(() => subscriber.redis.unsubscribe(channel)).catch(() => undefined);
  };

  return {
    async publish(userId, notification) {
      await publisher.call(() => publisher.redis.publish(userChannel(userId), JSON.stringify(notification)));
    },
    async broadcast(notification) {
      await publisher.call(() => publisher.redis.publish(broadcastChannel, JSON.stringify(notification)));
    },
    async subscribe(userId, listener) {
      const own: NotificationListener = (n) => listener(n);
      await add(userChannel(userId), own);
      try {
        await add(broadcastChannel, own);
      } catch (e) {
        await remove(userChannel(userId), own);
        throw e;
      }
      let open = true;
      return {
        async close() {
          if (!open) return;
          open = false;
          await remove(userChannel(userId), own);
          await remove(broadcastChannel, own);
        },
      };
    },
    async close() {
      channels.clear();
      await Promise.all([publisher.close(), subscriber.close()]);
    },
  };
};
