import { useRef } from 'react';

/**
 * The same reference for as long as the value's content stays the same: a caller may pass
 * a fresh array literal on every render (e.g. shaded ranges) without the charts that
 * depend on it being rebuilt each time.
 */
export function useStableValue<T>(value: T): T {
  const ref = useRef(value);
  if (ref.current !== value && JSON.stringify(ref.current) !== JSON.stringify(value))
    ref.current = value;
  return ref.current;
}
