/** A fuzzy membership function: how much (0–1) a value belongs to a set. */
export interface Membership {
  type: 'triangular' | 'trapezoid' | 'gaussian';
  parameters: number[];
}

/**
 * The membership of `x`: triangular [a, b, c] rises from a to a peak at b and falls to c;
 * trapezoid [a, b, c, d] rises a→b, is 1 from b to c, falls c→d (a = b or c = d make a
 * shoulder); gaussian [mean, sigma]. NaN in, NaN out (warm-up stays visible).
 */
export function membership(m: Membership, x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const p = m.parameters;
  switch (m.type) {
    case 'triangular': {
      const [a, b, c] = p as [number, number, number];
      if (x === b) return 1;
      if (x <= a || x >= c) return 0;
      return x < b ? (x - a) / (b - a) : (c - x) / (c - b);
    }
    case 'trapezoid': {
      const [a, b, c, d] = p as [number, number, number, number];
      if (x >= b && x <= c) return 1;
      if (x <= a || x >= d) return 0;
      return x < b ? (x - a) / (b - a) : (d - x) / (d - c);
    }
    case 'gaussian': {
      const [mean, sigma] = p as [number, number];
      return Math.exp(-((x - mean) ** 2) / (2 * sigma * sigma));
    }
  }
}

/** The membership of every value of a series. */
export function membershipSeries(m: Membership, values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = membership(m, values[i] as number);
  return out;
}
