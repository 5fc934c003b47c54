import { electronBinaryStatus, findElectronPackage } from './electron/electron-package.js';
import { SETUP_DESKTOP_COMMAND } from './electron/install-electron.js';
import { verifyElectron } from './electron/verify-electron.js';
import { PART_IDS, type PartReport } from './part.js';
import { missingCudaLibraries, nvidiaFacts, type NvidiaFacts } from './probes/nvidia.js';
import { tcpReachable } from './probes/tcp.js';
import { tfjsBinding } from './probes/tfjs.js';
import { chromium, docker } from './probes/tools.js';
import { webGpuAdapter } from './probes/webgpu.js';

/** The command that sets up the GPU binding. */
export const SETUP_GPU_COMMAND = 'npx ktrdr setup gpu';

/** Everything the doctor found. */
export interface DoctorReport {
  parts: PartReport[];
  /** One line: what is missing, for the end of `npm start`'s banner. */
  summary: string;
}

/** Where to look, and what to skip (the defaults look at this machine). */
export interface DoctorOptions {
  env?: NodeJS.ProcessEnv;
  /** IB Gateway/TWS address (default IB_GATEWAY_HOST / IB_GATEWAY_PORT, else 127.0.0.1:4002). */
  ibGateway?: { host: string; port: number };
  /** Skip the WebGPU adapter probe (it loads a GPU driver in a child process: up to seconds). */
  skipWebGpu?: boolean;
  /** Run the Electron binary to verify it (default true). */
  verifyElectronBinary?: boolean;
  /** Facts about NVIDIA hardware, for tests (default: read from this machine). */
  nvidia?: NvidiaFacts;
}

const NEEDED_FOR = {
  electron: 'the desktop window (without it, npm start runs headless with the web UI)',
  gpu: 'training on an NVIDIA GPU (training otherwise runs on WebGPU, or on the CPU with wasm)',
  tfjsNode: 'faster CPU training with native TensorFlow (wasm trains without it)',
  webgpu: 'training on a GPU through Vulkan, Metal or D3D12',
  ib: 'downloading market data from Interactive Brokers',
  chromium: 'the browser end-to-end tests (npm run e2e)',
  docker: 'workers in containers (docker compose, docs/deployment.md)',
};

async function electronPart(verify: boolean): Promise<PartReport> {
  const base = {
    id: 'electron',
    name: 'Electron binary',
    needed_for: NEEDED_FOR.electron,
  } as const;
  const pkg = findElectronPackage();
  if (!pkg)
    return {
      ...base,
      state: 'missing',
      detail: 'the electron package is not installed',
      fix: 'npm ci',
    };
  const status = electronBinaryStatus(pkg);
  if (!status.installed)
    return {
      ...base,
      state: 'missing',
      detail: `Electron ${pkg.version}: ${status.reason}`,
      fix: SETUP_DESKTOP_COMMAND,
    };
  if (!verify)
    return { ...base, state: 'ok', detail: `Electron ${status.version} at ${status.path}` };
  const check = await verifyElectron(status.path);
  if (!check.ok)
    return { ...base, state: 'missing', detail: check.reason, fix: electronLibrariesFix() };
  return {
    ...base,
    state: 'ok',
    detail: `Electron ${check.electron} (Node ${check.node}, node:sqlite) at ${status.path}`,
  };
}

/** What to install when the binary is there but does not run (its system libraries). */
function electronLibrariesFix(): string {
  if (process.platform === 'linux')
    return `sudo apt-get install -y libgtk-3-0 libnss3 libgbm1 libasound2 libxss1 (Debian/Ubuntu), then ${SETUP_DESKTOP_COMMAND}`;
  return `rm -rf node_modules/electron/dist && ${SETUP_DESKTOP_COMMAND}`;
}

function driverParts(nvidia: NvidiaFacts, missingLibs: string[] | undefined): PartReport[] {
  const driver: PartReport = {
    id: 'nvidia-driver',
    name: 'NVIDIA driver',
    needed_for: NEEDED_FOR.gpu,
    state: 'ok',
    detail: nvidia.driver ?? '',
  };
  const cuda: PartReport = {
    id: 'cuda-libraries',
    name: 'CUDA 11 and cuDNN 8 libraries',
    needed_for: NEEDED_FOR.gpu,
    state: 'ok',
    detail: '',
  };
  if (!nvidia.driver) {
    if (nvidia.device) {
      driver.state = 'missing';
      driver.detail = 'an NVIDIA GPU is on the PCI bus but no NVIDIA driver is loaded';
      driver.fix =
        "install NVIDIA's driver for this GPU (Debian/Ubuntu: sudo apt-get install nvidia-driver), then reboot";
    } else {
      driver.state = 'not_applicable';
      driver.detail =
        process.platform === 'darwin'
          ? 'macOS has no NVIDIA GPUs (WebGPU uses Metal)'
          : 'no NVIDIA GPU on this machine';
    }
    cuda.state = 'not_applicable';
    cuda.detail = 'needs an NVIDIA driver';
    return [driver, cuda];
  }
  if (missingLibs === undefined) {
    cuda.state = 'not_applicable';
    cuda.detail = 'checked on Linux only (tfjs-node-gpu ships for Linux)';
  } else if (missingLibs.length > 0) {
    cuda.state = 'missing';
    cuda.detail = `the dynamic linker does not find ${missingLibs.join(', ')} (tfjs-node-gpu 4.x runs libtensorflow 2.9)`;
    cuda.fix =
      'install the CUDA 11.x runtime and cuDNN 8 from NVIDIA (or add their lib folder to LD_LIBRARY_PATH)';
  } else {
    cuda.detail = 'libcudart.so.11.0 and libcudnn.so.8 found';
  }
  return [driver, cuda];
}

function bindingParts(nvidia: NvidiaFacts): PartReport[] {
  const gpu = tfjsBinding('@tensorflow/tfjs-node-gpu');
  const cpu = tfjsBinding('@tensorflow/tfjs-node');
  const gpuPart: PartReport = {
    id: 'tfjs-node-gpu',
    name: 'tfjs-node-gpu (CUDA)',
    needed_for: NEEDED_FOR.gpu,
    state: 'ok',
    detail: '',
  };
  if (gpu.state === 'binding') gpuPart.detail = `libtensorflow binding at ${gpu.binding}`;
  else if (!nvidia.driver) {
    gpuPart.state = 'not_applicable';
    gpuPart.detail = 'needs an NVIDIA GPU and its driver';
  } else if (gpu.state === 'no-package') {
    gpuPart.state = 'missing';
    gpuPart.detail = '@tensorflow/tfjs-node-gpu is not installed (an optional dependency)';
    gpuPart.fix = `npm ci, then ${SETUP_GPU_COMMAND}`;
  } else {
    gpuPart.state = 'missing';
    gpuPart.detail = 'its install script (which downloads libtensorflow for CUDA) has not run';
    gpuPart.fix = SETUP_GPU_COMMAND;
  }
  const cpuPart: PartReport = {
    id: 'tfjs-node',
    name: 'tfjs-node (CPU)',
    needed_for: NEEDED_FOR.tfjsNode,
    state: 'ok',
    detail: '',
  };
  if (cpu.state === 'binding') cpuPart.detail = `libtensorflow binding at ${cpu.binding}`;
  else if (cpu.state === 'no-package') {
    cpuPart.state = 'missing';
    cpuPart.detail = '@tensorflow/tfjs-node is not installed (an optional dependency)';
    cpuPart.fix = 'npm ci';
  } else {
    cpuPart.state = 'missing';
    cpuPart.detail = 'its install script (which downloads libtensorflow, ~100 MB) has not run';
    cpuPart.fix = `(cd ${cpu.dir} && node scripts/install.js)`;
  }
  return [gpuPart, cpuPart];
}

async function webGpuPart(skip: boolean): Promise<PartReport> {
  const base = {
    id: 'webgpu',
    name: 'WebGPU adapter',
    needed_for: NEEDED_FOR.webgpu,
  } as const;
  if (skip) return { ...base, state: 'not_applicable', detail: 'not probed' };
  const found = await webGpuAdapter();
  if (found.state === 'adapter') return { ...base, state: 'ok', detail: found.name };
  if (found.state === 'no-package')
    return {
      ...base,
      state: 'missing',
      detail: 'the webgpu package is not installed (an optional dependency)',
      fix: 'npm ci',
    };
  const fix =
    process.platform === 'linux'
      ? 'install a Vulkan driver for your GPU (Debian/Ubuntu: sudo apt-get install mesa-vulkan-drivers, or the NVIDIA driver)'
      : 'update the GPU driver (Metal on macOS, D3D12 on Windows)';
  return { ...base, state: 'missing', detail: found.reason, fix };
}

async function ibPart(host: string, port: number): Promise<PartReport> {
  const base = { id: 'ib-gateway', name: 'IB Gateway / TWS', needed_for: NEEDED_FOR.ib } as const;
  const reach = await tcpReachable(host, port);
  if (reach.ok) return { ...base, state: 'ok', detail: `listening at ${host}:${port}` };
  return {
    ...base,
    state: 'missing',
    detail: `nothing answers at ${host}:${port} (${reach.reason})`,
    fix: `start IB Gateway or TWS with the API enabled on port ${port} (Configure → API → Settings), or set IB_GATEWAY_HOST / IB_GATEWAY_PORT`,
  };
}

async function chromiumPart(env: NodeJS.ProcessEnv): Promise<PartReport> {
  const base = {
    id: 'chromium',
    name: 'Chromium (e2e tests)',
    needed_for: NEEDED_FOR.chromium,
  } as const;
  const found = await chromium(env);
  if (found.version) return { ...base, state: 'ok', detail: `${found.version} at ${found.path}` };
  return {
    ...base,
    state: 'missing',
    detail: found.reason ?? `${found.path} not found`,
    fix: 'sudo apt-get install chromium (Debian/Ubuntu), or set KTRDR_E2E_CHROMIUM to a Chromium',
  };
}

async function dockerPart(): Promise<PartReport> {
  const base = { id: 'docker', name: 'Docker', needed_for: NEEDED_FOR.docker } as const;
  const found = await docker();
  if (found.state === 'engine')
    return { ...base, state: 'ok', detail: `client ${found.client}, engine ${found.server}` };
  if (found.state === 'no-client')
    return {
      ...base,
      state: 'missing',
      detail: 'no docker command on the PATH',
      fix: 'install Docker Engine or Docker Desktop (https://docs.docker.com/engine/install/)',
    };
  return {
    ...base,
    state: 'missing',
    detail: `client ${found.client} found, but no engine answers: ${found.reason}`,
    fix: process.platform === 'linux' ? 'sudo systemctl start docker' : 'start Docker Desktop',
  };
}

/** The one-line summary: what is ready, and what is missing with its fix. */
export function summarize(parts: readonly PartReport[]): string {
  const missing = parts.filter((p) => p.state === 'missing');
  const applicable = parts.filter((p) => p.state !== 'not_applicable');
  if (missing.length === 0)
    return `doctor: all ${applicable.length} optional parts that apply here are ready`;
  const list = missing.map((p) => p.name).join(', ');
  return `doctor: ${applicable.length - missing.length} of ${applicable.length} optional parts ready here; missing: ${list} (how to fix each: npx ktrdr doctor)`;
}

/**
 * Checks every optional part at once (each probe with its own deadline) and says, for each,
 * whether it is usable here and the exact command that fixes it.
 */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const env = options.env ?? process.env;
  const ib = options.ibGateway ?? {
    host: env.IB_GATEWAY_HOST || '127.0.0.1',
    port: Number(env.IB_GATEWAY_PORT) || 4002,
  };
  const nvidia = options.nvidia ?? (await nvidiaFacts());
  const [electron, libs, webgpu, ibGateway, chromiumReport, dockerReport] = await Promise.all([
    electronPart(options.verifyElectronBinary ?? true),
    nvidia.driver ? missingCudaLibraries() : Promise.resolve(undefined),
    webGpuPart(options.skipWebGpu ?? false),
    ibPart(ib.host, ib.port),
    chromiumPart(env),
    dockerPart(),
  ]);
  const parts = [
    electron,
    ...driverParts(nvidia, libs),
    ...bindingParts(nvidia),
    webgpu,
    ibGateway,
    chromiumReport,
    dockerReport,
  ];
  parts.sort((a, b) => PART_IDS.indexOf(a.id) - PART_IDS.indexOf(b.id));
  return { parts, summary: summarize(parts) };
}

/** The report as the terminal shows it: one line per part, then the fix indented below it. */
export function formatReport(report: DoctorReport): string {
  const mark = { ok: 'ok     ', missing: 'missing', not_applicable: 'n/a    ' } as const;
  const width = Math.max(...report.parts.map((p) => p.name.length));
  const lines = report.parts.flatMap((p) => [
    `${mark[p.state]}  ${p.name.padEnd(width)}  ${p.detail}`,
    ...(p.fix ? [`${' '.repeat(9 + width + 2)}fix: ${p.fix}`] : []),
  ]);
  return `${lines.join('\n')}\n\n${report.summary}`;
}
