import { packageDir } from './tfjs.js';
import { firstLine, runCommand } from '../run-command.js';

/** A WebGPU adapter as Dawn (the `webgpu` package) sees it. */
export type WebGpuState =
  | { state: 'no-package' }
  | { state: 'adapter'; name: string }
  | { state: 'no-adapter'; reason: string };

// run in its own process: a GPU driver that crashes or hangs takes only the probe down
const PROBE = `
const dawn = await import('webgpu');
const gpu = dawn.create([]);
const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
if (!adapter) { console.log(JSON.stringify({ adapter: null })); process.exit(0); }
const info = adapter.info ?? {};
console.log(JSON.stringify({ adapter: [info.vendor, info.description || info.device || info.architecture].filter(Boolean).join(' ') || 'WebGPU adapter' }));
process.exit(0);
`;

/** Asks Dawn for a high-performance adapter, in a child process with a deadline. */
export async function webGpuAdapter(timeoutMs = 15_000): Promise<WebGpuState> {
  const dir = packageDir('webgpu');
  if (!dir) return { state: 'no-package' };
  const result = await runCommand(process.execPath, ['--input-type=module', '-e', PROBE], {
    timeoutMs,
    cwd: dir,
  });
  if (result.timedOut)
    return { state: 'no-adapter', reason: `Dawn did not answer within ${timeoutMs / 1000} s` };
  const line = result.stdout.trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(line) as { adapter: string | null };
    if (parsed.adapter) return { state: 'adapter', name: parsed.adapter };
    return {
      state: 'no-adapter',
      reason: 'Dawn found no GPU adapter (no Vulkan, Metal or D3D12 device and driver)',
    };
  } catch {
    return {
      state: 'no-adapter',
      reason: `Dawn failed to load: ${firstLine(result.stderr) || `exit code ${result.code}`}`,
    };
  }
}
