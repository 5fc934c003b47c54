import { existsSync } from 'node:fs';
import { firstLine, runCommand } from '../run-command.js';

/** The Chromium the e2e specs drive: KTRDR_E2E_CHROMIUM, else Debian's. */
export async function chromium(
  env: NodeJS.ProcessEnv,
): Promise<{ path: string; version?: string; reason?: string }> {
  const path = env.KTRDR_E2E_CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(path)) return { path, reason: `${path} does not exist` };
  const result = await runCommand(path, ['--version'], { timeoutMs: 10_000 });
  if (result.code !== 0)
    return {
      path,
      reason: `${path} --version failed: ${firstLine(result.stderr) || result.spawnError?.message || `exit ${result.code}`}`,
    };
  return { path, version: firstLine(result.stdout) };
}

/** The Docker client, and whether an engine answers it. */
export async function docker(): Promise<
  | { state: 'no-client' }
  | { state: 'no-engine'; client: string; reason: string }
  | { state: 'engine'; client: string; server: string }
> {
  const result = await runCommand(
    'docker',
    ['version', '--format', '{{.Client.Version}} {{.Server.Version}}'],
    {
      timeoutMs: 10_000,
    },
  );
  if (result.spawnError) return { state: 'no-client' };
  const [client = '?', server] = firstLine(result.stdout).split(' ');
  if (result.code === 0 && server) return { state: 'engine', client, server };
  const reason = result.timedOut
    ? 'the engine did not answer within 10 s'
    : firstLine(result.stderr) || `docker version exited with code ${result.code}`;
  return { state: 'no-engine', client, reason };
}
