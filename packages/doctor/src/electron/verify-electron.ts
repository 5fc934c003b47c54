import { firstLine, runCommand } from '../run-command.js';

/** What the binary said about itself when run as Node. */
export type ElectronCheck =
  { ok: true; electron: string; node: string; sqlite: boolean } | { ok: false; reason: string };

// printed by the binary itself: its versions and whether its Node has node:sqlite, which
// the desktop app's backend needs (it loads no native addon built for another ABI)
const PROBE =
  "const s = typeof process.getBuiltinModule === 'function' && !!process.getBuiltinModule('node:sqlite');" +
  'console.log(JSON.stringify({ electron: process.versions.electron, node: process.versions.node, sqlite: s }))';

/**
 * Runs the installed binary as Node (`ELECTRON_RUN_AS_NODE=1`, so no window and no display
 * are needed): it proves the file is a working Electron for this machine (its shared
 * libraries load) and that its Node has `node:sqlite`.
 */
export async function verifyElectron(binary: string, timeoutMs = 20_000): Promise<ElectronCheck> {
  const result = await runCommand(binary, ['-e', PROBE], {
    timeoutMs,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  if (result.spawnError)
    return { ok: false, reason: `cannot run ${binary}: ${result.spawnError.message}` };
  if (result.timedOut)
    return { ok: false, reason: `${binary} did not answer within ${timeoutMs / 1000} s` };
  const line = result.stdout.trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(line) as { electron?: string; node?: string; sqlite?: boolean };
    if (!parsed.electron)
      return {
        ok: false,
        reason: `${binary} is not Electron (it ran as Node ${parsed.node ?? '?'})`,
      };
    if (!parsed.sqlite)
      return {
        ok: false,
        reason: `Electron ${parsed.electron} (Node ${parsed.node ?? '?'}) has no node:sqlite, which the desktop backend needs`,
      };
    return { ok: true, electron: parsed.electron, node: parsed.node ?? '?', sqlite: true };
  } catch {
    const why = firstLine(result.stderr) || firstLine(result.stdout) || `exit code ${result.code}`;
    return { ok: false, reason: `${binary} does not run here: ${why}` };
  }
}
