import type { Notification, NotificationListener, Notifications } from '@nationpulse/ports';

/**
 * Notifications within one process (embedded mode: the notifier and the gateway share it).
 * Delivery is synchronous and in order; a throwing listener does not stop the others.
 */
export const createInProcessNotifications = (options: { onListenerError?: (error: unknown) => void } = {}): Notifications => {
  const listeners = new Map<string, Set<NotificationListener>>();
  const everyone = new Set<NotificationListener>();

  const deliver = (targets: Iterable<NotificationListener>, notification: Notification) => {
    for (const listener of [...targets]) {
      try {
        listener(notification);
      } catch (error) {
        options.onListenerError?.(error);
      }
    }
  };

  return {
    async publish(userId, notification) {
      deliver(listeners.get(userId) ?? [], notification);
    },
    async broadcast(notification) {
      deliver(everyone, notification);
    },
    async subscribe(userId, listener) {
      // Each subscription gets its own function identity, so one listener may subscribe twice.
      const own: NotificationListener = (n) => listener(n);
      const set = listeners.get(userId) ?? new Set();
      set.add(own);
      listeners.set(userId, set);
      everyone.add(own);
      return {
        async close() {
          everyone.delete(own);
          set.delete(own);
          if (set.size === 0 && listeners.get(userId) === set) listeners.delete(userId);
        },
      };
    },
    async close() {
      listeners.clear();
      everyone.clear();
    },
  };
};
