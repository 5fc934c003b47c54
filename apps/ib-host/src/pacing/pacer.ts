/**
 * IB's historical-data pacing rules, applied before a request is sent rather than learnt
 * from error 162 afterwards. Pure: the clock is injected, nothing sleeps here; the caller
 * waits the delay {@link Pacer.reserve} returns.
 */

/** The limits the pacer enforces (IB's by default; tests shrink the windows). */
export interface PacingRules {
  /** No two identical requests (contract, bar size, end, duration, whatToShow) within this. */
  identicalWindowMs: number;
  /** At most `sameContractMax` requests for one contract and whatToShow … */
  sameContractMax: number;
  /** … within this window. */
  sameContractWindowMs: number;
  /** At most `totalMax` historical requests … */
  totalMax: number;
  /** … within this window. */
  totalWindowMs: number;
  /** At most this many requests open (sent, not yet answered) at once. */
  maxOpen: number;
  /**
   * Added to every window: IB counts requests when they arrive, and a request can reach it
   * later than sent (the client library queues bursts, the network jitters), which would
   * otherwise squeeze two requests closer together at IB than they were sent.
   */
  marginMs: number;
}

/**
 * IB's published limits: identical requests 15 s apart, fewer than six per contract in
 * 2 s, 60 in any 10 minutes, 50 open at once; plus a 250 ms margin of our own.
 */
export const IB_PACING_RULES: Readonly<PacingRules> = {
  identicalWindowMs: 15_000,
  sameContractMax: 5,
  sameContractWindowMs: 2_000,
  totalMax: 60,
  totalWindowMs: 600_000,
  maxOpen: 50,
  marginMs: 250,
};

/** A historical request as the pacer sees it. */
export interface PacedRequest {
  /** Contract and whatToShow: the "same contract" rule groups by this. */
  contractKey: string;
  /** Contract, bar size, end, duration and whatToShow: equal keys are identical requests. */
  identityKey: string;
}

/** A slot the pacer handed out. */
export interface Reservation {
  /** How long to wait before sending (0: at once). */
  delayMs: number;
  /** When the request goes, on the pacer's clock. */
  atMs: number;
  /** Gives the slot back (the request was never sent: aborted while waiting). */
  cancel(): void;
}

/** One request of a {@link PacingPlan}. */
export interface PlannedRequest {
  index: number;
  /** When it may go, in ms after the plan's start. */
  send_after_ms: number;
  /** How long it waits after the request before it (0: right behind it). */
  wait_ms: number;
}

/** The schedule of a list of requests, computed without sleeping. */
export interface PacingPlan {
  requests: PlannedRequest[];
  /** The time the pacer holds the requests back in all: when the last one may go. */
  total_wait_ms: number;
  /** When the last answer is in, given each answer takes `answerMs`. */
  finishes_after_ms: number;
}

interface SentRecord {
  atMs: number;
  contractKey: string;
  identityKey: string;
}

/**
 * The earliest time at or after `fromMs` at which `request` may go without breaking a rule,
 * given the requests in `history` (sent or reserved, any order). With `openForMs`, the time
 * each request stays open is known (plans), and the open limit is checked too.
 */
function earliestSlot(
  rules: PacingRules,
  history: readonly SentRecord[],
  request: PacedRequest,
  fromMs: number,
  openForMs?: number,
): number {
  // A rule can only start holding at a time some earlier request leaves its window, so the
  // answer is `fromMs` or one of those moments: try them in order.
  const candidates = new Set<number>([fromMs]);
  const { marginMs } = rules;
  for (const sent of history) {
    candidates.add(sent.atMs + rules.totalWindowMs + marginMs);
    if (sent.contractKey === request.contractKey)
      candidates.add(sent.atMs + rules.sameContractWindowMs + marginMs);
    if (sent.identityKey === request.identityKey)
      candidates.add(sent.atMs + rules.identicalWindowMs + marginMs);
    if (openForMs !== undefined) candidates.add(sent.atMs + openForMs);
  }
  const sorted = [...candidates].filter((t) => t >= fromMs).sort((a, b) => a - b);
  for (const t of sorted) {
    if (fits(rules, history, request, t, openForMs)) return t;
  }
  // unreachable: the latest candidate is past every window
  return sorted[sorted.length - 1] ?? fromMs;
}

/** No window of `windowMs` may hold more than `max` of `times` plus `t`. */
function windowHolds(times: number[], t: number, max: number, windowMs: number): boolean {
  const merged = [...times, t].sort((a, b) => a - b);
  const at = merged.lastIndexOf(t);
  // only runs of max+1 that include the new request can newly break the rule
  for (let first = Math.max(0, at - max); first <= at && first + max < merged.length; first++) {
    const last = merged[first + max] as number;
    if (last - (merged[first] as number) < windowMs) return false;
  }
  return true;
}

function fits(
  rules: PacingRules,
  history: readonly SentRecord[],
  request: PacedRequest,
  t: number,
  openForMs: number | undefined,
): boolean {
  const { marginMs } = rules;
  for (const sent of history) {
    if (
      sent.identityKey === request.identityKey &&
      Math.abs(t - sent.atMs) < rules.identicalWindowMs + marginMs
    )
      return false;
  }
  const sameContract = history
    .filter((sent) => sent.contractKey === request.contractKey)
    .map((sent) => sent.atMs);
  if (!windowHolds(sameContract, t, rules.sameContractMax, rules.sameContractWindowMs + marginMs))
    return false;
  if (
    !windowHolds(
      history.map((sent) => sent.atMs),
      t,
      rules.totalMax,
      rules.totalWindowMs + marginMs,
    )
  )
    return false;
  if (openForMs !== undefined) {
    const open = history.filter((sent) => sent.atMs <= t && t < sent.atMs + openForMs).length;
    if (open >= rules.maxOpen) return false;
  }
  return true;
}

/**
 * Decides when each historical request may go. `reserve()` books the earliest slot that
 * keeps every rule and says how long to wait for it; the open-request limit is a separate
 * gate (`acquireOpen()`/`releaseOpen()`), because when an answer comes is not known
 * in advance. Built without rules, the pacer lets everything through at once.
 */
export class Pacer {
  private history: SentRecord[] = [];
  private open = 0;
  private readonly openWaiters: (() => void)[] = [];

  constructor(
    /** The limits, or undefined for no pacing (`KTRDR_IB_PACING=off`). */
    readonly rules: Readonly<PacingRules> | undefined,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Whether pacing is on. */
  get enabled(): boolean {
    return this.rules !== undefined;
  }

  /** Requests open right now (holding a slot of the open limit). */
  get openRequests(): number {
    return this.open;
  }

  /** Books the earliest slot for `request` and returns how long to wait for it. */
  reserve(request: PacedRequest): Reservation {
    const now = this.clock();
    if (!this.rules) return { delayMs: 0, atMs: now, cancel: () => undefined };
    this.forgetOlderThan(now);
    const atMs = earliestSlot(this.rules, this.history, request, now);
    const record: SentRecord = { atMs, ...pick(request) };
    this.history.push(record);
    return {
      delayMs: atMs - now,
      atMs,
      cancel: () => {
        const index = this.history.indexOf(record);
        if (index >= 0) this.history.splice(index, 1);
      },
    };
  }

  /**
   * The schedule of `requests` sent in order from now on, on top of what was already sent,
   * without booking anything: when each may go, how long the pacer holds them back in all,
   * and when the last answer is in if each takes `answerMs` (which also drives the open
   * limit).
   */
  plan(requests: readonly PacedRequest[], options: { answerMs?: number } = {}): PacingPlan {
    const answerMs = options.answerMs ?? 0;
    const start = this.clock();
    const planned: PlannedRequest[] = [];
    if (!this.rules) {
      requests.forEach((_, index) => planned.push({ index, send_after_ms: 0, wait_ms: 0 }));
      return {
        requests: planned,
        total_wait_ms: 0,
        finishes_after_ms: requests.length ? answerMs : 0,
      };
    }
    const rules = this.rules;
    // what left every window (and is no longer open) can never hold a request back again
    const reach = Math.max(horizon(rules), answerMs);
    let history = this.history.filter((sent) => sent.atMs > start - reach);
    let previous = start;
    requests.forEach((request, index) => {
      history = history.filter((sent) => sent.atMs > previous - reach);
      const atMs = earliestSlot(
        rules,
        history,
        request,
        previous,
        answerMs > 0 ? answerMs : undefined,
      );
      history.push({ atMs, ...pick(request) });
      planned.push({ index, send_after_ms: atMs - start, wait_ms: atMs - previous });
      previous = atMs;
    });
    const last = planned[planned.length - 1];
    return {
      requests: planned,
      total_wait_ms: last?.send_after_ms ?? 0,
      finishes_after_ms: last ? last.send_after_ms + answerMs : 0,
    };
  }

  /**
   * Resolves once fewer than `maxOpen` requests are open, and counts this one; pair with
   * {@link releaseOpen}. Waiters are served in order; an aborted wait leaves the queue.
   */
  acquireOpen(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const max = this.rules?.maxOpen ?? Number.POSITIVE_INFINITY;
    if (this.open < max && this.openWaiters.length === 0) {
      this.open++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        this.open++;
        resolve();
      };
      const onAbort = () => {
        const index = this.openWaiters.indexOf(grant);
        if (index >= 0) this.openWaiters.splice(index, 1);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.openWaiters.push(grant);
    });
  }

  /** An open request was answered (or given up): its slot goes to the next waiter. */
  releaseOpen(): void {
    this.open = Math.max(0, this.open - 1);
    const max = this.rules?.maxOpen ?? Number.POSITIVE_INFINITY;
    while (this.open < max && this.openWaiters.length > 0) this.openWaiters.shift()?.();
  }

  private forgetOlderThan(now: number): void {
    if (!this.rules) return;
    const cutoff = now - horizon(this.rules);
    this.history = this.history.filter((sent) => sent.atMs > cutoff);
  }
}

function horizon(rules: PacingRules): number {
  return (
    Math.max(rules.identicalWindowMs, rules.sameContractWindowMs, rules.totalWindowMs) +
    rules.marginMs
  );
}

function pick(request: PacedRequest): Pick<SentRecord, 'contractKey' | 'identityKey'> {
  return { contractKey: request.contractKey, identityKey: request.identityKey };
}
