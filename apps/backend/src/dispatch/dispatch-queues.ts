import type { WorkerType } from '@ktrdr/shared';

/**
 * The FIFO queues of pending operations, one per worker type. Built before the operations
 * service and the dispatcher, so each is handed it at construction: the service reads queue
 * positions, the dispatcher moves operations through them.
 */
export class DispatchQueues {
  private readonly queues = new Map<WorkerType, string[]>();

  /** The queue of a worker type (made on first use). */
  of(type: WorkerType): string[] {
    let queue = this.queues.get(type);
    if (!queue) {
      queue = [];
      this.queues.set(type, queue);
    }
    return queue;
  }

  /** The worker types that have a queue. */
  types(): WorkerType[] {
    return [...this.queues.keys()];
  }

  /** 1-based place of a pending operation in its queue, or null. */
  position(id: string): number | null {
    for (const queue of this.queues.values()) {
      const at = queue.indexOf(id);
      if (at >= 0) return at + 1;
    }
    return null;
  }

  /** Removes a queued operation: its worker type and former index, or undefined. */
  remove(id: string): { type: WorkerType; at: number } | undefined {
    for (const [type, queue] of this.queues) {
      const at = queue.indexOf(id);
      if (at >= 0) {
        queue.splice(at, 1);
        return { type, at };
      }
    }
    return undefined;
  }
}
