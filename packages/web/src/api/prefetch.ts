/**
 * Answers public/prefetch.js requested before the app booted, keyed by URL. Each is used once,
 * and only with the token it was sent with; a failed fetch means "ask again".
 */
interface Prefetched {
  readonly token: string;
  readonly response: Promise<Response>;
}

declare global {
  interface Window {
    __npPrefetch?: Record<string, Prefetched | undefined>;
  }
}

/**
 * The prefetched answer for this URL and token, once: null when there is none, when it failed,
 * or when it has not come within `timeoutMs` (the caller then asks itself).
 */
export const takePrefetched = async (url: string, token: string | undefined, timeoutMs: number): Promise<Response | null> => {
  const all = typeof window === 'undefined' ? undefined : window.__npPrefetch;
  const entry = all?.[url];
  if (!all || !entry) return null;
  all[url] = undefined;
  if (entry.token !== token) return null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
  try {
    return await Promise.race([entry.response.catch(() => null), late]);
  } finally {
    clearTimeout(timer);
  }
};
