import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { ApiError, createApiClient, localStorageTokenStore, type ApiClient } from '../api/client.ts';
import { endpoints, type Endpoints } from '../api/endpoints.ts';
import { connectLiveEvents, type ConnectionState, type LiveEvent } from '../api/events.ts';
import type { Me } from '../api/types.ts';
import { identityFromToken, mayAccess } from './identity.ts';

export interface Session {
  readonly api: ApiClient;
  readonly ep: Endpoints;
  readonly signedIn: boolean;
  /** Who is signed in; null while loading or signed out. */
  readonly me: Me | null;
  /** Whether /me answered (else roles come from the token, when it has them). */
  readonly meSource: 'server' | 'token' | null;
  /** Whether who-am-I has been settled for this session (answered, read from the token, or failed). */
  readonly meKnown: boolean;
  readonly live: ConnectionState;
  readonly signIn: (username: string, password: string) => Promise<void>;
  readonly signOut: () => Promise<void>;
  readonly may: (permissions: readonly string[]) => boolean;
  /** Subscribes to live events; returns the unsubscribe function. */
  readonly onLive: (listener: (event: LiveEvent) => void) => () => void;
}

const SessionContext = createContext<Session | null>(null);

export const useSession = (): Session => {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
};

/** Runs `listener` for each live event of the given types while the component is mounted. */
export const useLiveEvents = (types: readonly string[], listener: (event: LiveEvent) => void): void => {
  const { onLive } = useSession();
  const ref = useRef(listener);
  ref.current = listener;
  const key = types.join(',');
  useEffect(() => onLive((e) => (key.split(',').includes(e.type) ? ref.current(e) : undefined)), [onLive, key]);
};

export const SessionProvider = ({ children, client }: { children: ReactNode; client?: ApiClient }) => {
  const setSignedInRef = useRef<(s: boolean) => void>(() => undefined);
  const api = useMemo(
    () => client ?? createApiClient({ tokens: localStorageTokenStore(), onSessionChange: (s) => setSignedInRef.current(s) }),
    [client],
  );
  // Known from the stored tokens at once: a signed-in reload renders the page asked for, not the sign-in form first.
  const [signedIn, setSignedIn] = useState(() => api.isSignedIn());
  setSignedInRef.current = setSignedIn;
  const [me, setMe] = useState<Me | null>(null);
  const [meSource, setMeSource] = useState<Session['meSource']>(null);
  const [meKnown, setMeKnown] = useState(false);
  const [live, setLive] = useState<ConnectionState>('closed');
  const listeners = useRef(new Set<(e: LiveEvent) => void>());

  const ep = useMemo(() => endpoints(api), [api]);

  useEffect(() => setSignedIn(api.isSignedIn()), [api]);

  // Who am I: the gateway's /me, else what the access token says.
  useEffect(() => {
    if (!signedIn) {
      setMe(null);
      setMeSource(null);
      setMeKnown(false);
      return;
    }
    let cancelled = false;
    setMeKnown(false);
    ep.me()
      .then((m) => !cancelled && (setMe(m), setMeSource('server'), setMeKnown(true)))
      .catch(async (error: unknown) => {
        if (cancelled) return;
        if (error instanceof ApiError && error.status === 401) return;
        const token = await api.freshAccessToken();
        if (cancelled) return;
        const fromToken = token ? identityFromToken(token) : null;
        setMe(fromToken);
        setMeSource(fromToken ? 'token' : null);
        setMeKnown(true);
      });
    return () => void (cancelled = true);
  }, [signedIn, api, ep]);

  useEffect(() => {
    if (!signedIn) return;
    return connectLiveEvents({
      token: () => api.freshAccessToken(),
      onEvent: (e) => listeners.current.forEach((l) => l(e)),
      onState: setLive,
    });
  }, [signedIn, api]);

  const signIn = useCallback((u: string, p: string) => api.signIn(u, p), [api]);
  const signOut = useCallback(() => api.signOut(), [api]);
  const onLive = useCallback((l: (e: LiveEvent) => void) => {
    listeners.current.add(l);
    return () => void listeners.current.delete(l);
  }, []);
  const may = useCallback((perms: readonly string[]) => mayAccess(me, perms), [me]);

  const value = useMemo<Session>(
    () => ({ api, ep, signedIn, me, meSource, meKnown, live, signIn, signOut, may, onLive }),
    [api, ep, signedIn, me, meSource, meKnown, live, signIn, signOut, may, onLive],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
};
