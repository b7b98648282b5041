// Loads data for the current page: pending, error and value, reloadable; stale answers are dropped.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Loaded<T> {
  value: T | undefined;
  error: unknown;
  pending: boolean;
  reload: () => void;
}

export function useLoader<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ value: T | undefined; error: unknown; pending: boolean }>({ value: undefined, error: null, pending: true });
  const generation = useRef(0);
  const run = useCallback(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, pending: true, error: null }));
    load().then(
      (value) => { if (mine === generation.current) setState({ value, error: null, pending: false }); },
      (error: unknown) => { if (mine === generation.current) setState({ value: undefined, error, pending: false }); },
    );
  }, deps);
  useEffect(run, [run]);
  return { ...state, reload: run };
}
