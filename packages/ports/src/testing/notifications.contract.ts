import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notification, Notifications } from '../notifications.ts';

export interface NotificationsFactory {
  /** Notifications to test against; channels may be shared with other runs (user ids here are random). */
  create(): Promise<Notifications>;
  /** Another client of the same bus (another process), if the backend has one. */
  reopen?(): Promise<Notifications>;
}

const note = (type: string, data: Record<string, unknown> = {}, requires?: Notification['requires']): Notification => ({
  id: randomUUID(),
  type,
  at: new Date().toISOString(),
  data,
  ...(requires ? { requires } : {}),
});

/** Collects what a listener receives. */
const inbox = () => {
  const received: Notification[] = [];
  return { received, listener: (n: Notification) => received.push(n) };
};

const eventually = async (check: () => void, timeoutMs = 2_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(10);
    }
  }
};

/** The behaviour every Notifications adapter must show: per-user and broadcast fan-out, live only. */
export function testNotifications(name: string, factory: NotificationsFactory): void {
  describe(`Notifications contract: ${name}`, () => {
    let bus: Notifications;
    const user = () => `user-${randomUUID()}`;
    beforeAll(async () => {
      bus = await factory.create();
    });
    afterAll(async () => {
      await bus?.close();
    });

    it("delivers a user's notifications to that user's subscribers only, in order", async () => {
      const [ada, bob] = [user(), user()];
      const a = inbox();
      const b = inbox();
      const subs = [await bus.subscribe(ada, a.listener), await bus.subscribe(bob, b.listener)];
      const sent = [note('ReportReady', { reportId: 'r1' }), note('ReportReady', { reportId: 'r2' }), note('ReportFailed', { reportId: 'r3' })];
      for (const n of sent) await bus.publish(ada, n);
      await eventually(() => expect(a.received).toEqual(sent));
      await sleep(50);
      expect(b.received).toEqual([]);
      await Promise.all(subs.map((s) => s.close()));
    });

    it('delivers broadcasts to every subscriber, with their audience intact', async () => {
      const a = inbox();
      const b = inbox();
      const subs = [await bus.subscribe(user(), a.listener), await bus.subscribe(user(), b.listener)];
      const n = note('IngestionRunCompleted', { runId: 'run-1', rows: 12 }, 'ingestion:trigger');
      await bus.broadcast(n);
      await eventually(() => {
        expect(a.received).toContainEqual(n);
        expect(b.received).toContainEqual(n);
      });
      await Promise.all(subs.map((s) => s.close()));
    });

    it('serves several subscriptions of one user (two tabs) and stops one when it is closed', async () => {
      const ada = user();
      const tab1 = inbox();
      const tab2 = inbox();
      const s1 = await bus.subscribe(ada, tab1.listener);
      const s2 = await bus.subscribe(ada, tab2.listener);
      const first = note('DataChanged');
      await bus.publish(ada, first);
      await eventually(() => expect([tab1.received, tab2.received]).toEqual([[first], [first]]));
      await s1.close();
      const second = note('DataChanged');
      await bus.publish(ada, second);
      await eventually(() => expect(tab2.received).toEqual([first, second]));
      await sleep(50);
      expect(tab1.received).toEqual([first]);
      await s2.close();
      await s2.close();
    });

    it('keeps no history: what was published before subscribing is not delivered', async () => {
      const ada = user();
      await bus.publish(ada, note('Before'));
      const a = inbox();
      const sub = await bus.subscribe(ada, a.listener);
      const after = note('After');
      await bus.publish(ada, after);
      await eventually(() => expect(a.received).toEqual([after]));
      await sub.close();
    });

    it('keeps delivering to other listeners when one throws', async () => {
      const ada = user();
      const good = inbox();
      const subs = [
        await bus.subscribe(ada, () => {
          throw new Error('a broken listener');
        }),
        await bus.subscribe(ada, good.listener),
      ];
      const n = note('ReportReady');
      await bus.publish(ada, n);
      await eventually(() => expect(good.received).toEqual([n]));
      await Promise.all(subs.map((s) => s.close()));
    });

    it.runIf(factory.reopen !== undefined)('delivers what another client publishes (another process)', async () => {
      const other = await factory.reopen!();
      try {
        const ada = user();
        const a = inbox();
        const sub = await bus.subscribe(ada, a.listener);
        const direct = note('ReportReady', { reportId: 'x' });
        const everyone = note('DataChanged', { series: 3 }, 'data:read');
        await other.publish(ada, direct);
        await other.broadcast(everyone);
        await eventually(() => expect(a.received).toEqual(expect.arrayContaining([direct, everyone])));
        await sub.close();
      } finally {
        await other.close();
      }
    });
  });
}
