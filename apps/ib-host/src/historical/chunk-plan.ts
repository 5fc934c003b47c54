/**
 * Cuts a range into the historical-data requests IB serves: each no longer than
 * IB_MAX_REQUEST_SPAN for the bar size. Pure.
 */
import { IB_MAX_REQUEST_SPAN, type Timeframe } from '@ktrdr/shared';

const DAY_MS = 86_400_000;

/** One request of a range: IB returns the bars that start in [endMs − duration, endMs). */
export interface ChunkRequest {
  /** The part of the range this request is for (epoch ms; end exclusive). */
  startMs: number;
  endMs: number;
  /** IB duration string, in whole days (`30 D`): calendar units (`1 M`) vary in length. */
  duration: string;
}

/**
 * The requests that cover [startMs, endMs], newest first: walking backwards from the end,
 * each request ends where the one before it began, so there is neither gap nor overlap.
 * Every request but the oldest spans exactly the maximum; the oldest asks for whole days
 * and may reach back before `startMs` (those bars are dropped afterwards). The end is
 * taken to the second, the precision of IB's endDateTime.
 *
 * Backwards because IB's own model is "an end and a duration back from it", and because
 * the newest bars are the ones a trader waits for.
 */
export function planChunks(startMs: number, endMs: number, timeframe: Timeframe): ChunkRequest[] {
  const spanMs = IB_MAX_REQUEST_SPAN[timeframe].days * DAY_MS;
  const chunks: ChunkRequest[] = [];
  // IB's end is exclusive: one second past an inclusive end keeps a bar starting exactly there
  const end = Math.floor(endMs / 1000) * 1000 + 1000;
  for (let chunkEnd = end; chunkEnd > startMs; chunkEnd -= spanMs) {
    const chunkStart = Math.max(startMs, chunkEnd - spanMs);
    const days = Math.max(1, Math.ceil((chunkEnd - chunkStart) / DAY_MS));
    chunks.push({ startMs: chunkStart, endMs: chunkEnd, duration: `${days} D` });
  }
  return chunks;
}
