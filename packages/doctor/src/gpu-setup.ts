import { dirname, join } from 'node:path';
import { nvidiaFacts, type NvidiaFacts } from './probes/nvidia.js';
import { tfjsBinding } from './probes/tfjs.js';
import { firstLine, runCommand } from './run-command.js';

/** What came of `ktrdr setup gpu`. */
export type SetupGpuResult =
  { ok: true; detail: string } | { ok: false; refused: boolean; reason: string };

/** Options of {@link setupGpu}. */
export interface SetupGpuOptions {
  nvidia?: NvidiaFacts;
  /** The tfjs-node-gpu package folder (default: the installed one). */
  packageDir?: string;
  /** Deadline of the download (libtensorflow for CUDA is ~400 MB). */
  timeoutMs?: number;
  onOutput?: (line: string) => void;
}

// loads the worker's own backend loader, forced to CUDA: the same code a training worker
// runs, so "verified" means a worker will train on this GPU
const VERIFY = `
const { loadTrainingBackend } = await import('@ktrdr/worker');
try {
  const b = await loadTrainingBackend('cuda');
  console.log(JSON.stringify({ ok: true, gpu: b.gpu, name: b.gpuName ?? null }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, reason: e.message }));
}
process.exit(0);
`;

/**
 * Installs the tfjs-node-gpu binding where an NVIDIA driver is loaded: runs the package's
 * own install script (it downloads libtensorflow built for CUDA), then verifies by loading
 * the CUDA backend the way a training worker does. Refuses, saying why, where no driver is.
 */
export async function setupGpu(options: SetupGpuOptions = {}): Promise<SetupGpuResult> {
  const nvidia = options.nvidia ?? (await nvidiaFacts());
  if (!nvidia.driver)
    return {
      ok: false,
      refused: true,
      reason: nvidia.device
        ? 'an NVIDIA GPU is here but no NVIDIA driver is loaded: install the driver first (then reboot), and run this again'
        : 'no NVIDIA GPU and driver on this machine, so tfjs-node-gpu cannot run here; training uses WebGPU where an adapter loads, else the CPU (see npx ktrdr doctor)',
    };
  const binding = tfjsBinding('@tensorflow/tfjs-node-gpu', options.packageDir);
  if (binding.state === 'no-package')
    return {
      ok: false,
      refused: true,
      reason: '@tensorflow/tfjs-node-gpu is not installed: run npm ci first',
    };
  if (binding.state === 'no-binding') {
    const install = await runCommand(process.execPath, ['scripts/install.js', 'gpu', 'download'], {
      timeoutMs: options.timeoutMs ?? 15 * 60_000,
      cwd: binding.dir,
    });
    for (const line of `${install.stdout}\n${install.stderr}`.split('\n'))
      if (line.trim()) options.onOutput?.(line);
    if (install.code !== 0)
      return {
        ok: false,
        refused: false,
        reason: install.timedOut
          ? 'the libtensorflow download did not finish in time'
          : `tfjs-node-gpu's installer failed: ${firstLine(install.stderr) || firstLine(install.stdout) || `exit code ${install.code}`}`,
      };
  }
  const dir = binding.dir;
  // the repository root, whose node_modules holds @ktrdr/worker
  const root = dirname(dirname(dirname(dir)));
  const verify = await runCommand(process.execPath, ['--input-type=module', '-e', VERIFY], {
    timeoutMs: 120_000,
    cwd: join(root),
  });
  const line = verify.stdout.trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(line) as {
      ok: boolean;
      gpu?: boolean;
      name?: string | null;
      reason?: string;
    };
    if (parsed.ok && parsed.gpu)
      return {
        ok: true,
        detail: `tfjs-node-gpu loads and trains on ${parsed.name ?? 'the GPU'} (${nvidia.driver})`,
      };
    return {
      ok: false,
      refused: false,
      reason: `installed, but the CUDA backend does not load: ${parsed.reason ?? 'no GPU device'}`,
    };
  } catch {
    return {
      ok: false,
      refused: false,
      reason: `installed, but loading it failed: ${firstLine(verify.stderr) || `exit code ${verify.code}`}`,
    };
  }
}
