/** A completed set as the leaderboard orders it. */
export interface RankKey {
  set_index: number;
  /** 1 when it meets the constraints. */
  meets: number;
  /** The objective, larger is better (null: no value; ranks last). */
  score: number | null;
}

/** True when `a` ranks ahead of `b`: constraints met, then score (nulls last), then index. */
export function ranksAhead(a: RankKey, b: RankKey): boolean {
  if (a.meets !== b.meets) return a.meets > b.meets;
  if (a.score !== b.score) {
    if (a.score === null) return false;
    if (b.score === null) return true;
    return a.score > b.score;
  }
  return a.set_index < b.set_index;
}

/**
 * The best sets of a running sweep, per window, kept as results arrive: each result costs
 * a comparison with the current worst and, when better, one insertion into a sorted list
 * of at most `capacity`. The rank order is the store's (`ORDER BY meets DESC, score DESC,
 * set_index`), so the live leaderboard and a page of `GET …/sets` agree.
 */
export class LeaderboardTop {
  private readonly windows = new Map<number | null, RankKey[]>();

  constructor(readonly capacity = 50) {}

  /** Starts a window from keys already in rank order (after a restart or a resume). */
  seed(window: number | null, ranked: readonly RankKey[]): void {
    this.windows.set(window, ranked.slice(0, this.capacity));
  }

  offer(window: number | null, key: RankKey): void {
    let list = this.windows.get(window);
    if (!list) this.windows.set(window, (list = []));
    const full = list.length >= this.capacity;
    if (full && !ranksAhead(key, list[list.length - 1]!)) return;
    // binary search for the first entry `key` ranks ahead of
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ranksAhead(key, list[mid]!)) hi = mid;
      else lo = mid + 1;
    }
    list.splice(lo, 0, key);
    if (list.length > this.capacity) list.pop();
  }

  /** The best `n` of a window, in rank order (rank = position + 1). */
  top(window: number | null, n = this.capacity): readonly RankKey[] {
    return (this.windows.get(window) ?? []).slice(0, n);
  }
}
