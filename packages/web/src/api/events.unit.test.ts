import { describe, expect, it, vi } from 'vitest';
import { connectLiveEvents, parseLiveEvent } from './events.ts';

class FakeEventSource {
  static instances: FakeEventSource[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: MessageEvent<string>) => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  readonly listeners = new Map<string, (e: MessageEvent<string>) => void>();
  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }
  addEventListener(type: string, l: (e: MessageEvent<string>) => void) {
    this.listeners.set(type, l);
  }
  close() {
    this.closed = true;
  }
  emit(type: string, data: string) {
    const e = { type, data } as MessageEvent<string>;
    if (type === 'message') this.onmessage?.(e);
    else this.listeners.get(type)?.(e);
  }
}

describe('live events', () => {
  it('parses named events and typed unnamed messages; ignores what is not JSON', () => {
    expect(parseLiveEvent('report.status', '{"reportId":"r1","status":"generated"}')).toEqual({ type: 'report.status', data: { reportId: 'r1', status: 'generated' } });
    expect(parseLiveEvent('message', '{"type":"ingestion.progress","runId":"x"}')).toEqual({ type: 'ingestion.progress', data: { type: 'ingestion.progress', runId: 'x' } });
    expect(parseLiveEvent('message', 'keep-alive')).toBeNull();
    expect(parseLiveEvent('message', '{"no":"type"}')).toBeNull();
  });

  it('connects with the access token in the query, delivers events and reconnects with a fresh token after an error', async () => {
    vi.useFakeTimers();
    FakeEventSource.instances = [];
    const tokens = ['t1', 't2'];
    const onEvent = vi.fn();
    const states: string[] = [];
    const stop = connectLiveEvents({
      token: async () => tokens.shift() ?? null,
      onEvent,
      onState: (s) => states.push(s),
      createEventSource: (url) => new FakeEventSource(url) as unknown as EventSource,
    });
    await vi.advanceTimersByTimeAsync(0);
    const first = FakeEventSource.instances[0]!;
    expect(first.url).toBe('/api/v1/events?access_token=t1');
    first.onopen?.();
    first.emit('report.status', '{"reportId":"r1","status":"generated"}');
    expect(onEvent).toHaveBeenCalledWith({ type: 'report.status', data: { reportId: 'r1', status: 'generated' } });

    first.onerror?.();
    expect(first.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeEventSource.instances[1]?.url).toBe('/api/v1/events?access_token=t2');
    stop();
    expect(FakeEventSource.instances[1]?.closed).toBe(true);
    expect(states).toEqual(['connecting', 'open', 'closed', 'connecting', 'closed']);
    vi.useRealTimers();
  });
});
