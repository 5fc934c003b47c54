import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (Linux: 100). */
const CLOCK_TICKS = 100;

/** CPU time of a process so far, in seconds (user + system), from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the command name (field 2) may contain spaces: count fields after its closing parenthesis
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLOCK_TICKS;
}

/** Resident memory of a process in MiB: now (VmRSS) and its peak (VmHWM), from /proc/<pid>/status. */
export function rssMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

/** Measures a process's CPU use between `start()` and `stop()`, as a percentage of one core. */
export class CpuMeter {
  private cpu0 = 0;
  private t0 = 0;

  constructor(private readonly pid: number) {}

  start(): this {
    this.cpu0 = cpuSeconds(this.pid);
    this.t0 = performance.now();
    return this;
  }

  /** Percentage of one core used since `start()` (200 % = both cores of this machine). */
  percent(): number {
    const seconds = (performance.now() - this.t0) / 1000;
    return ((cpuSeconds(this.pid) - this.cpu0) / seconds) * 100;
  }
}

/** The median of a sample (NaN when empty). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** CPU seconds the whole machine spent busy so far (all cores; from /proc/stat). */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, ...fields] = line.trim().split(/\s+/);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields.map(Number);
  return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS;
}
