import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstLine, runCommand } from '../run-command.js';

/** What the machine shows of NVIDIA hardware and its driver. */
export interface NvidiaFacts {
  /** An NVIDIA device on the PCI bus (Linux), or null where that cannot be read. */
  device: boolean | null;
  /** The loaded driver's version line, or undefined when no driver is loaded. */
  driver?: string;
}

const PCI_DEVICES = '/sys/bus/pci/devices';
const NVIDIA_VENDOR = '0x10de';

function nvidiaOnPciBus(root: string): boolean | null {
  if (!existsSync(root)) return null;
  try {
    return readdirSync(root).some((d) => {
      try {
        return readFileSync(join(root, d, 'vendor'), 'utf8').trim() === NVIDIA_VENDOR;
      } catch {
        return false;
      }
    });
  } catch {
    return null;
  }
}

/**
 * Looks for NVIDIA's kernel driver (`/proc/driver/nvidia/version`), then `nvidia-smi`, and
 * for an NVIDIA device on the PCI bus, so a machine with a card but no driver is told to
 * install one, and a machine with no card is told the GPU parts do not apply.
 */
export async function nvidiaFacts(
  paths: { proc?: string; pci?: string } = {},
): Promise<NvidiaFacts> {
  const device = nvidiaOnPciBus(paths.pci ?? PCI_DEVICES);
  const proc = paths.proc ?? '/proc/driver/nvidia/version';
  if (existsSync(proc)) {
    const line = firstLine(readFileSync(proc, 'utf8'));
    const version = /Kernel Module\s+(?:for \S+\s+)?([\d.]+)/.exec(line)?.[1];
    return { device: device ?? true, driver: version ? `NVIDIA driver ${version}` : line };
  }
  const smi = await runCommand(
    'nvidia-smi',
    ['--query-gpu=name,driver_version', '--format=csv,noheader'],
    { timeoutMs: 5000 },
  );
  if (smi.code === 0 && smi.stdout.trim()) {
    const [name, version] = firstLine(smi.stdout)
      .split(',')
      .map((s) => s.trim());
    return { device: true, driver: `NVIDIA driver ${version ?? '?'} (${name ?? 'GPU'})` };
  }
  return { device };
}

/** The CUDA and cuDNN libraries tfjs-node-gpu 4.x links against (libtensorflow 2.9: CUDA 11, cuDNN 8). */
export const CUDA_LIBRARIES = ['libcudart.so.11.0', 'libcudnn.so.8'] as const;

/** Which of {@link CUDA_LIBRARIES} the dynamic linker cannot find (Linux; `ldconfig -p`). */
export async function missingCudaLibraries(): Promise<string[] | undefined> {
  if (process.platform !== 'linux') return undefined;
  // /sbin is not on every user's PATH: ask there only when the PATH has no ldconfig
  let cache = await runCommand('ldconfig', ['-p'], { timeoutMs: 5000 });
  if (cache.code !== 0) cache = await runCommand('/sbin/ldconfig', ['-p'], { timeoutMs: 5000 });
  const listing = cache.code === 0 ? cache.stdout : '';
  const extra = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  return CUDA_LIBRARIES.filter(
    (lib) => !listing.includes(lib) && !extra.some((dir) => existsSync(join(dir, lib))),
  );
}
