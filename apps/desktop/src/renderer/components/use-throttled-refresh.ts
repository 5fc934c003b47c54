import { useEffect, useRef } from 'react';

/**
 * Calls `refresh` whenever `signal` changes, but at most once per `gapMs`: a change inside
 * the gap is served by one call at its end (so the last change is never lost). The first
 * value is not a change: the query fetches by itself when it mounts.
 */
export function useThrottledRefresh(signal: string, refresh: () => void, gapMs = 500): void {
  const latest = useRef(refresh);
  const seen = useRef(signal);
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    latest.current = refresh;
  });
  useEffect(() => {
    if (seen.current === signal) return;
    seen.current = signal;
    if (timer.current) return; // one is already due: it fetches the newest state
    const run = () => {
      timer.current = null;
      last.current = Date.now();
      latest.current();
    };
    const wait = last.current + gapMs - Date.now();
    if (wait <= 0) run();
    else timer.current = setTimeout(run, wait);
  }, [signal, gapMs]);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    },
    [],
  );
}
