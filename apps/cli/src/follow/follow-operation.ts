import {
  ApiError,
  ConnectionError,
  isTerminalStatus,
  subscribeToEvents,
  type BackendClient,
  type Operation,
} from '@ktrdr/shared';
import type { Terminal } from '../terminal.js';
import { askYesNo, type Question } from './ask.js';
import { terminalView } from './kind-views.js';
import type { ProgressView } from './progress-view.js';

/** What Ctrl-C does while following: ask (a person is there), cancel (`--cancel-on-interrupt`), or detach. */
export type InterruptPolicy = 'ask' | 'cancel' | 'detach';

/** How following ended. */
export type FollowOutcome =
  { kind: 'ended'; operation: Operation } | { kind: 'detached'; operation: Operation };

/** What {@link followOperation} needs. */
export interface FollowOptions {
  client: BackendClient;
  terminal: Terminal;
  view: ProgressView;
  policy: InterruptPolicy;
  /** A safety poll next to the event stream, in ms (default 2,000). */
  pollMs?: number;
}

/**
 * Follows one operation until it ends or the user detaches. The live feed is the backend's
 * SSE stream (`operation` and `progress` events); a slow poll of the operation covers the
 * moments the stream is reconnecting, so no ending is ever missed. Ctrl-C never cancels by
 * reflex: see {@link InterruptPolicy}.
 */
export async function followOperation(
  operationId: string,
  options: FollowOptions,
): Promise<FollowOutcome> {
  const { client, terminal, view, policy } = options;
  const initial = await client.getOperation(operationId);
  if (isTerminalStatus(initial.status)) {
    // it ended before following began (a short job): still show where it got to
    view.update(initial);
    view.close();
    return { kind: 'ended', operation: initial };
  }

  return new Promise<FollowOutcome>((resolve, reject) => {
    let current = initial;
    let done = false;
    let state: 'following' | 'asking' | 'cancelling' = 'following';
    let question: Question | undefined;
    let lostSince: number | undefined;

    const cleanup = () => {
      done = true;
      subscription.close();
      clearInterval(poll);
      removeInterruptHandler();
      question?.withdraw();
      view.close();
    };
    const finish = (outcome: FollowOutcome) => {
      if (done) return;
      cleanup();
      resolve(outcome);
    };
    const fail = (error: unknown) => {
      if (done) return;
      cleanup();
      reject(error instanceof Error ? error : new Error(String(error)));
    };

    const announce = (op: Operation) => {
      const attempt = op.attempt > 1 ? ` (attempt ${op.attempt})` : '';
      const reason = op.routing_reason ? ` — ${op.routing_reason}` : '';
      view.note(
        terminalView(op.operation_type).announce?.(op, attempt) ??
          `running on ${op.worker_id ?? 'a worker'}${attempt}${reason}`,
      );
    };
    const apply = (op: Operation) => {
      if (done) return;
      const previous = current;
      current = op;
      if (
        op.status === 'running' &&
        (previous.status !== 'running' || op.attempt !== previous.attempt)
      )
        announce(op);
      // the last step is shown too: a log reader sees where the operation got to
      view.update(op);
      if (isTerminalStatus(op.status)) finish({ kind: 'ended', operation: op });
    };

    const refresh = async () => {
      try {
        apply(await client.getOperation(operationId));
        if (lostSince !== undefined) view.note('backend reachable again');
        lostSince = undefined;
      } catch (error) {
        if (error instanceof ConnectionError) {
          if (lostSince === undefined)
            view.note(`lost the backend (${error.message}); still trying — Ctrl-C detaches`);
          lostSince ??= Date.now();
        } else if (error instanceof ApiError) fail(error);
      }
    };

    const cancel = async () => {
      state = 'cancelling';
      view.note(`Cancelling ${operationId} on the workers… (Ctrl-C again detaches)`);
      try {
        apply(await client.cancelOperation(operationId, 'cancelled from the ktrdr CLI (Ctrl-C)'));
      } catch (error) {
        // 409: it ended on its own meanwhile; report that ending, whatever it was
        if (error instanceof ApiError && error.status === 409) await refresh();
        else fail(error);
      }
    };

    const onInterrupt = async () => {
      if (done) return;
      if (state === 'cancelling' || policy === 'detach') {
        finish({ kind: 'detached', operation: current });
        return;
      }
      if (state === 'asking') return;
      if (policy === 'cancel') {
        await cancel();
        return;
      }
      state = 'asking';
      view.pause();
      question = askYesNo(terminal, `Cancel ${operationId} on the workers? [y/N] `);
      const yes = await question.answer;
      question = undefined;
      if (done) return;
      if (yes) {
        view.resume();
        await cancel();
      } else finish({ kind: 'detached', operation: current });
    };

    const subscription = subscribeToEvents(client.http, {
      events: ['operation', 'progress'],
      onEvent: (event) => {
        if (event.event === 'operation' && event.data.operation_id === operationId) {
          apply(event.data);
        } else if (event.event === 'progress' && event.data.operation_id === operationId) {
          if (!isTerminalStatus(current.status))
            apply({ ...current, progress: event.data.progress });
        }
      },
      // whatever happened while the stream was down, the operation itself says it
      onOpen: () => void refresh(),
    });
    subscription.ready.catch(fail);
    const poll = setInterval(() => void refresh(), options.pollMs ?? 2000);
    const removeInterruptHandler = terminal.onInterrupt(() => void onInterrupt());
    if (initial.status === 'running') announce(initial);
    view.update(initial);
  });
}
