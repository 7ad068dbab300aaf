import { useCallback, useEffect, useRef, useState } from 'react';

export type AsyncState<T> =
  | { readonly status: 'loading'; readonly data: T | null; readonly error: null }
  | { readonly status: 'ready'; readonly data: T; readonly error: null }
  | { readonly status: 'error'; readonly data: T | null; readonly error: unknown };

/**
 * Runs `load` whenever `deps` change and tracks loading / ready / error. A stale answer (deps
 * changed meanwhile) is dropped; the previous data stays visible while reloading.
 */
export const useAsync = <T>(load: () => Promise<T>, deps: readonly unknown[]): AsyncState<T> & { reload: () => void } => {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading', data: null, error: null });
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const current = ++generation.current;
    setState((s) => ({ status: 'loading', data: s.data, error: null }));
    loadRef.current().then(
      (data) => current === generation.current && setState({ status: 'ready', data, error: null }),
      (error: unknown) => current === generation.current && setState((s) => ({ status: 'error', data: s.data, error })),
    );
    // The caller's deps decide when to reload (the loader itself changes every render).
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
};
