import {
  builtInJobKinds,
  subscribeToEvents,
  type BackendClient,
  type BackendEvent,
  type Operation,
  type OperationList,
  type Progress,
} from '@ktrdr/shared';
import type { QueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { modelKeys, operationKeys, workerKeys } from './queries';

function patchOperations(
  queryClient: QueryClient,
  id: string,
  patch: (op: Operation) => Operation,
): boolean {
  let found = false;
  queryClient.setQueriesData<OperationList>({ queryKey: operationKeys.lists() }, (list) => {
    if (!list) return list;
    const at = list.operations.findIndex((op) => op.operation_id === id);
    if (at < 0) return list;
    found = true;
    const operations = list.operations.slice();
    operations[at] = patch(operations[at] as Operation);
    return { ...list, operations };
  });
  queryClient.setQueryData(operationKeys.detail(id), (op) => (op ? patch(op) : op));
  return found;
}

/** Applies a batch of events to the query cache in one go. */
function apply(queryClient: QueryClient, events: BackendEvent[]): void {
  // only the latest progress per operation matters within a frame
  const progress = new Map<string, Progress>();
  let refetchOperations = false;
  for (const event of events) {
    switch (event.event) {
      case 'worker':
        queryClient.setQueryData(workerKeys.list(), (list) => {
          if (!list) return list;
          const at = list.workers.findIndex((w) => w.worker_id === event.data.worker_id);
          const workers = list.workers.slice();
          if (at < 0) workers.push(event.data);
          // the event has no activity figures (they move with time): keep the fetched ones
          else workers[at] = { ...event.data, activity: workers[at]?.activity };
          return { ...list, workers, total_count: workers.length };
        });
        break;
      case 'worker_removed':
        queryClient.setQueryData(workerKeys.list(), (list) => {
          if (!list) return list;
          const workers = list.workers.filter((w) => w.worker_id !== event.data.worker_id);
          return { ...list, workers, total_count: workers.length };
        });
        break;
      case 'heartbeats':
        queryClient.setQueryData(workerKeys.list(), (list) =>
          list
            ? {
                ...list,
                workers: list.workers.map((w) =>
                  event.data[w.worker_id]
                    ? { ...w, last_heartbeat_at: event.data[w.worker_id] as string }
                    : w,
                ),
              }
            : list,
        );
        break;
      case 'operation': {
        const op = event.data;
        progress.delete(op.operation_id);
        // a sweep's shards are not in the (top-level) list: they never call for a refetch
        if (!patchOperations(queryClient, op.operation_id, () => op) && !op.parent_operation_id)
          refetchOperations = true;
        if (op.status === 'completed') {
          void queryClient.invalidateQueries({ queryKey: operationKeys.results(op.operation_id) });
          // a finished training run has stored a model
          if (builtInJobKinds.find(op.operation_type)?.storesModels)
            void queryClient.invalidateQueries({ queryKey: modelKeys.lists() });
        }
        break;
      }
      case 'progress':
        progress.set(event.data.operation_id, event.data.progress);
        break;
      case 'metrics':
        void queryClient.invalidateQueries({
          queryKey: operationKeys.metrics(event.data.operation_id),
        });
        break;
    }
  }
  for (const [id, p] of progress)
    patchOperations(queryClient, id, (op) => ({ ...op, progress: p }));
  // a new operation, or one a filter did not show: fetch the lists again (once per frame)
  if (refetchOperations) void queryClient.invalidateQueries({ queryKey: operationKeys.lists() });
}

/**
 * Feeds the SSE stream into the query cache, applying everything that arrived within an
 * animation frame at once (no polling while the stream is up). It reconnects by itself
 * with Last-Event-ID; after a drop everything is refetched once, in case the backend
 * restarted and its event ids did too. Returns whether the stream is connected.
 */
export function useLiveUpdates(client: BackendClient, queryClient: QueryClient): boolean {
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    let pending: BackendEvent[] = [];
    let frame = 0;
    let dropped = false;
    const flush = () => {
      frame = 0;
      const batch = pending;
      pending = [];
      apply(queryClient, batch);
    };
    const subscription = subscribeToEvents(client.http, {
      onEvent: (event) => {
        pending.push(event);
        frame ||= requestAnimationFrame(flush);
      },
      onOpen: () => {
        setConnected(true);
        if (dropped) void queryClient.invalidateQueries();
        dropped = false;
      },
      onDisconnect: () => {
        setConnected(false);
        dropped = true;
      },
      retryMs: 1000,
    });
    return () => {
      subscription.close();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [client, queryClient]);
  return connected;
}
