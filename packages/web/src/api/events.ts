import { buildUrl } from './client.ts';

/**
 * Live notifications for the signed-in user: server-sent events from GET /api/v1/events.
 * EventSource cannot send an Authorization header, so the access token goes in the
 * `access_token` query parameter (the gateway accepts it on this path only).
 *
 * Event names the UI understands; the data is JSON. An unnamed message whose data has a `type`
 * field is read as that type, so either framing works.
 */
export const liveEventTypes = ['report.status', 'report.ready', 'report.failed', 'ingestion.progress', 'projection.progress', 'data.changed'] as const;
export type LiveEventType = (typeof liveEventTypes)[number];
export interface LiveEvent {
  readonly type: LiveEventType | (string & {});
  readonly data: Record<string, unknown>;
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface LiveEventsOptions {
  readonly baseUrl?: string;
  /** A valid access token (refreshed when needed), or null when signed out. */
  readonly token: () => Promise<string | null>;
  readonly onEvent: (event: LiveEvent) => void;
  readonly onState?: (state: ConnectionState) => void;
  readonly createEventSource?: (url: string) => EventSource;
}

/** Parses one SSE message into a LiveEvent, or null when it is not JSON we understand. */
export const parseLiveEvent = (name: string, raw: string): LiveEvent | null => {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null) return null;
  const record = data as Record<string, unknown>;
  const type = name && name !== 'message' ? name : typeof record['type'] === 'string' ? record['type'] : null;
  // The gateway's framing: { type, at, data: {...} }: the payload is `data`.
  const inner = record['data'];
  const payload = typeof record['type'] === 'string' && typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? (inner as Record<string, unknown>) : record;
  return type ? { type, data: payload } : null;
};

/** Connects and keeps the stream open: on an error it reconnects with a fresh token, backing off up to 30 s. Returns a stop function. */
export const connectLiveEvents = (options: LiveEventsOptions): (() => void) => {
  const create = options.createEventSource ?? ((url: string) => new EventSource(url));
  let source: EventSource | null = null;
  let stopped = false;
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const handle = (e: MessageEvent<string>) => {
    const event = parseLiveEvent(e.type, e.data);
    if (event) options.onEvent(event);
  };

  const open = async () => {
    if (stopped) return;
    options.onState?.('connecting');
    const token = await options.token();
    if (stopped) return;
    if (!token) {
      options.onState?.('closed');
      return;
    }
    const es = create(buildUrl(options.baseUrl ?? '', '/api/v1/events', { access_token: token }));
    source = es;
    es.onopen = () => {
      failures = 0;
      options.onState?.('open');
    };
    es.onmessage = handle;
    for (const type of liveEventTypes) es.addEventListener(type, handle as EventListener);
    es.onerror = () => {
      es.close();
      if (stopped) return;
      options.onState?.('closed');
      const delay = Math.min(30_000, 1000 * 2 ** failures++);
      timer = setTimeout(() => void open(), delay);
    };
  };
  void open();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    source?.close();
    options.onState?.('closed');
  };
};
