/** Whether an optional part is usable here. */
export type PartState = 'ok' | 'missing' | 'not_applicable';

/** One optional part of ktrdr on this machine, as `ktrdr doctor` reports it. */
export interface PartReport {
  /** Stable id, for scripts reading `--json`. */
  id: PartId;
  /** What it is, for people. */
  name: string;
  state: PartState;
  /** What was found, or why it is missing or not applicable. */
  detail: string;
  /** The exact command (or step) that fixes it; absent when nothing needs fixing. */
  fix?: string;
  /** What a trader loses without it. */
  needed_for: string;
}

/** Every part the doctor checks, in the order it prints them. */
export const PART_IDS = [
  'electron',
  'nvidia-driver',
  'cuda-libraries',
  'tfjs-node-gpu',
  'tfjs-node',
  'webgpu',
  'ib-gateway',
  'chromium',
  'docker',
] as const;
/** A part's id. */
export type PartId = (typeof PART_IDS)[number];
