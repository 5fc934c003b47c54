import type { WorkerType } from '@ktrdr/shared';
import { AppError } from '@ktrdr/server-kit';
import type { WorkerRegistry } from '../workers/worker-registry.js';

/** 503 when no worker of a type is registered at all, with the command that starts one. */
export function requireWorkersOfType(
  registry: WorkerRegistry,
  type: WorkerType,
  backendUrl: string,
): void {
  if (registry.ofType(type).length > 0) return;
  const command = `KTRDR_BACKEND_URL=${backendUrl} KTRDR_CLUSTER_TOKEN=<token> ktrdr-worker --type ${type}`;
  throw new AppError(
    'WORKER_UNAVAILABLE',
    `no ${type} worker is registered; start one with: ${command}`,
    {
      worker_type: type,
      hint: command,
    },
  );
}
