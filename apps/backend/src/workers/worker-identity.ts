import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError, ConnectionError, Routes } from '@ktrdr/shared';
import { AppError } from '@ktrdr/server-kit';
import type { WorkerClients } from './worker-clients.js';
import type { WorkerRecord } from './worker-registry.js';

/** Who asks for a worker id at registration. */
export interface IdClaim {
  worker_id: string;
  connection: 'direct' | 'reverse';
  /** The checked URL (direct), or `channel:<worker_id>` (reverse). */
  endpoint: string;
  /** The secret the claimant chose for the backend's calls: one per worker process. */
  callback_token: string | null;
  /** It registered with the id's own, still valid, worker credential. */
  ownCredential: boolean;
}

/**
 * What calling the registered holder of an id back found:
 * - `proven`: it answered as that worker and accepted the secret it gave the backend: the
 *   very process that registered is there;
 * - `same`: it answered as that worker (it gave no secret, or the check did not answer);
 * - `other`: something answered, but not as that worker (another process took the address,
 *   e.g. the worker restarted there with a new secret);
 * - `refused`: nothing listens there any more (the process is gone, the host answers);
 * - `silent`: no answer in time (a network blip, or a dead host).
 */
export type HolderProbe = 'proven' | 'same' | 'other' | 'refused' | 'silent';

/** What is known about the registered holder besides its record, read when needed. */
export interface HolderFacts {
  now: number;
  /** How long a worker may go unheard before it counts as silent (missed heartbeats). */
  silentAfterMs: number;
  /** Whether the holder's channel is open (reverse workers). */
  channelOpen: boolean;
  /** When its channel closed, if it closed and none reopened. */
  channelClosedAt: number | undefined;
  /** Calls the holder back (its URL's `/health`, or down its channel). */
  probe: () => Promise<HolderProbe>;
}

/** The outcome: replace the old registration (and why), or refuse the claim. */
export type IdVerdict = { replace: true; why: string } | { replace: false; why: string };

function sameSecret(a: string | null, b: string | null): boolean {
  if (!a || !b) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * Whether a registration for an id that `holder` already holds may replace it
 * (docs/deployment.md, "Cloned machines"). The same worker always may: it presents the id's own credential, or
 * the secret it gave at its last registration (the same process, e.g. after a credential
 * rotation), or — direct — it registers from the same endpoint (a restart: the backend has
 * just reached the claimant there), unless the holder still accepts its own secret at that
 * endpoint (then the claimant advertises an address that is not its own). Anyone else may
 * only take the id of a worker that is not live:
 * - direct: its endpoint is called back. Answering as that worker → live. Refused, or
 *   answering as another process → gone. No answer → live only while it still heartbeats.
 * - reverse: its channel is what a live process holds. Open and heartbeating → live; open
 *   but silent → live if it answers down it. Closed → gone, unless it has been heard since
 *   the channel closed and still heartbeats (its channel is reconnecting): a process that
 *   dies closes its connections at once and is heard from no more.
 */
export async function judgeIdClaim(
  holder: Pick<
    WorkerRecord,
    'connection' | 'endpoint_url' | 'callback_token' | 'last_heard_at' | 'status'
  >,
  claim: IdClaim,
  facts: HolderFacts,
): Promise<IdVerdict> {
  if (claim.ownCredential) return { replace: true, why: 'it presented its own credential' };
  if (sameSecret(claim.callback_token, holder.callback_token))
    return { replace: true, why: 'the same process registered again' };
  const restart = { replace: true, why: 'the same endpoint registered again (a restart)' } as const;
  const direct = holder.connection === 'direct';
  if (direct && claim.connection === 'direct' && holder.endpoint_url === claim.endpoint) {
    if (!holder.callback_token) return restart;
    return (await facts.probe()) === 'proven'
      ? { replace: false, why: 'the holder still answers at that endpoint with its own secret' }
      : restart;
  }

  const heartbeating =
    holder.status !== 'temporarily_unavailable' &&
    facts.now - holder.last_heard_at <= facts.silentAfterMs;
  if (direct) {
    const probe = await facts.probe();
    if (probe === 'proven' || probe === 'same')
      return { replace: false, why: 'it answers at its endpoint' };
    if (probe === 'refused')
      return { replace: true, why: `${holder.endpoint_url} refused the connection (it is gone)` };
    if (probe === 'other')
      return { replace: true, why: `${holder.endpoint_url} now answers as another process` };
    return heartbeating
      ? { replace: false, why: 'its endpoint did not answer in time, but it still heartbeats' }
      : { replace: true, why: 'it is silent and its endpoint does not answer' };
  }
  if (!facts.channelOpen) {
    const heardSinceClose =
      facts.channelClosedAt === undefined || holder.last_heard_at > facts.channelClosedAt;
    return heartbeating && heardSinceClose
      ? { replace: false, why: 'it still heartbeats (its channel is not open right now)' }
      : { replace: true, why: 'its channel closed and it has been silent since' };
  }
  if (heartbeating) return { replace: false, why: 'it holds its channel open and heartbeats' };
  const probe = await facts.probe();
  return probe === 'proven' || probe === 'same'
    ? { replace: false, why: 'it answers down its channel' }
    : { replace: true, why: 'it is silent and does not answer down its channel' };
}

/**
 * Calls the holder of an id back: its `/health` must answer with that id, and when it gave
 * the backend a secret, an authenticated call with that secret must be accepted (a worker
 * that restarted behind another URL that still reaches this one answers `/health` with the
 * same id, but it chose a new secret).
 */
export async function probeHolder(
  clients: WorkerClients,
  holder: Pick<WorkerRecord, 'worker_id' | 'endpoint_url' | 'connection' | 'callback_token'>,
  timeoutMs: number,
): Promise<HolderProbe> {
  const client =
    holder.connection === 'direct' ? clients.for(holder.endpoint_url) : clients.forWorker(holder);
  try {
    const health = await client.health({ timeoutMs });
    if (health?.worker_id !== holder.worker_id) return 'other';
  } catch (error) {
    if (error instanceof ConnectionError) return error.kind === 'refused' ? 'refused' : 'silent';
    return 'other';
  }
  if (holder.connection !== 'direct' || !holder.callback_token) return 'same';
  try {
    await clients.forWorker(holder).http.request('GET', Routes.worker.operations, { timeoutMs });
    return 'proven';
  } catch (error) {
    // it answered as the worker a moment ago: only a refused secret says it is another process
    return error instanceof ApiError && error.status === 401 ? 'other' : 'same';
  }
}

/**
 * 409 `WORKER_ID_IN_USE`, naming the live worker's endpoint and how to fix it. `sameAddress`:
 * the refused worker advertised the live worker's own URL.
 */
export function workerIdInUse(
  workerId: string,
  holder: WorkerRecord,
  sameAddress = false,
): AppError {
  const where =
    holder.connection === 'direct'
      ? `at ${holder.endpoint_url}`
      : 'connected over its channel (connection reverse)';
  const address = sameAddress
    ? `; this worker advertises that same address, which is not its own (check KTRDR_WORKER_PUBLIC_URL)`
    : '';
  return new AppError(
    'WORKER_ID_IN_USE',
    `worker id "${workerId}" is in use by a live worker ${where}; give this worker its own id with KTRDR_WORKER_ID (or stop the other one)${address}`,
    {
      worker_id: workerId,
      live_endpoint: holder.connection === 'direct' ? holder.endpoint_url : null,
      live_connection: holder.connection,
    },
  );
}
