import type { WorkerType } from '../contracts/enums.js';
import { backtestingKind } from './backtesting.js';
import { dataLoadKind } from './data-load.js';
import {
  EMPTY_SCOPE,
  type AnyJobKind,
  type CredentialScope,
  type JobKindDescriptor,
  type RetryPlan,
} from './job-kind.js';
import { sweepKind } from './sweep.js';
import { sweepShardKind } from './sweep-shard.js';
import { trainingKind } from './training.js';

/** A retry plan of a kind the caller does not know statically. */
export type UntypedRetryPlan = RetryPlan<Record<string, unknown>, Record<string, unknown>>;

/** The kinds every backend and worker knows. */
export const BUILT_IN_JOB_KINDS = [
  backtestingKind,
  trainingKind,
  dataLoadKind,
  sweepKind,
  sweepShardKind,
] as const;

/** A built-in kind, by its operation type. */
export type BuiltInJobKind = (typeof BUILT_IN_JOB_KINDS)[number];

/**
 * The job kinds one process knows: the built-in ones plus any given at start (a plugin, or a
 * test's kind). Every layer asks it instead of switching on `operation_type`.
 */
export class JobKindRegistry {
  private readonly byType = new Map<string, AnyJobKind>();

  constructor(extra: readonly AnyJobKind[] = []) {
    for (const kind of [...BUILT_IN_JOB_KINDS, ...extra]) {
      if (this.byType.has(kind.operationType))
        throw new Error(`job kind ${kind.operationType} is registered twice`);
      this.byType.set(kind.operationType, kind);
    }
  }

  /** Every kind, built-in ones first. */
  all(): AnyJobKind[] {
    return [...this.byType.values()];
  }

  /** The kind of an operation type, or undefined. */
  find(type: string): AnyJobKind | undefined {
    return this.byType.get(type);
  }

  /** The kind of an operation type, or a clear error. */
  get(type: string): AnyJobKind {
    const kind = this.byType.get(type);
    if (!kind) throw new Error(`unknown job kind ${type}`);
    return kind;
  }

  /** The kind of an operation type that runs on workers, or a clear error. */
  onWorkers(type: string): AnyJobKind & { runsOn: WorkerType; workerStartPath: string } {
    const kind = this.get(type);
    if (kind.runsOn === 'backend' || kind.workerStartPath === null)
      throw new Error(`operations of type ${type} do not run on workers`);
    return kind as AnyJobKind & { runsOn: WorkerType; workerStartPath: string };
  }

  /** True when the backend runs operations of this type itself. */
  runsOnBackend(type: string): boolean {
    return this.find(type)?.runsOn === 'backend';
  }

  /** The kinds workers of a type run. */
  forWorkerType(type: WorkerType): AnyJobKind[] {
    return this.all().filter((kind) => kind.runsOn === type);
  }

  /** What a job of this type reads (nothing for unknown types or no job). */
  scope(type: string, job: unknown): CredentialScope {
    const kind = this.find(type);
    if (!kind || job === null || job === undefined) return EMPTY_SCOPE;
    return kind.reads(job);
  }

  /**
   * What a retry of an operation of this type runs: its job and metadata, with what the
   * kind says a retry must not reuse (a model id) renamed after the new operation.
   */
  retry(type: string, plan: UntypedRetryPlan, newOperationId: string): UntypedRetryPlan {
    const kind = this.find(type);
    if (!kind?.retry) return plan;
    // the plan comes from a record of this kind, created through its schemas
    return kind.retry(plan, newOperationId) as UntypedRetryPlan;
  }

  /** Whether operations of `type` end with a backtest's result (compare, report). */
  hasBacktestResult(type: string): boolean {
    return this.find(type)?.backtestResult === true;
  }

  /** A list label (`Backtest`), the type itself for unknown types. */
  label(type: string): string {
    return this.find(type)?.label ?? type;
  }

  /** A one-line description of an operation, '' when its kind cannot describe it. */
  describe(op: Parameters<JobKindDescriptor['describe']>[0] & { operation_type: string }): string {
    const kind = this.find(op.operation_type);
    if (!kind) return '';
    try {
      return kind.describe(op);
    } catch {
      // metadata of an older version, or of a child that carries less: no line rather than a crash
      return '';
    }
  }
}

/** The built-in kinds only (clients: CLI and UI). */
export const builtInJobKinds = new JobKindRegistry();
