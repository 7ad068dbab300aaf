import { NationPulseError, type Permission } from '@nationpulse/domain';

/** A live notification for signed-in users (report ready, ingestion progress, data changed). */
export interface Notification {
  readonly id: string;
  readonly type: string;
  /** ISO-8601. */
  readonly at: string;
  readonly data: Readonly<Record<string, unknown>>;
  /** A broadcast carrying it is for users holding this permission only; the receiver filters. */
  readonly requires?: Permission;
}

export type NotificationListener = (notification: Notification) => void;

export interface NotificationSubscription {
  close(): Promise<void>;
}

/**
 * Fire-and-forget fan-out of notifications to users' open connections: in-process when embedded,
 * Redis pub/sub when distributed (a notification published anywhere reaches the gateway instance
 * holding the user's connection). Nothing is stored: a subscriber gets what is published while it
 * is subscribed, in publication order per publisher.
 */
export interface Notifications {
  /** To one user's subscribers. */
  publish(userId: string, notification: Notification): Promise<void>;
  /** To every subscriber (each filters by `requires`). */
  broadcast(notification: Notification): Promise<void>;
  /** The user's notifications and every broadcast, from the moment the returned promise resolves. */
  subscribe(userId: string, listener: NotificationListener): Promise<NotificationSubscription>;
  close(): Promise<void>;
}

export class NotificationsUnavailableError extends NationPulseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', 'NOTIFICATIONS_UNAVAILABLE', message, undefined, options);
  }
}
