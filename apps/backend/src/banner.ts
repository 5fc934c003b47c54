import type { BackendHandle } from './backend.js';

/**
 * The start-up lines. The ready-to-click URL (token in the fragment, never sent to a
 * server) only on an interactive terminal; otherwise where to read the token from, so
 * that logs collected from a pipe never hold it.
 */
export function startupBanner(handle: BackendHandle, interactive: boolean): string {
  const lines = [`ktrdr backend listening on ${handle.url}`];
  if (handle.webUi) lines.push(`  web UI: ${handle.url}/ (sign in with the token)`);
  lines.push(`  API docs: ${handle.url}/docs`, `  data dir: ${handle.dataDir}`);
  if (interactive) {
    lines.push(`  open: ${handle.url}/#token=${handle.token}`);
  } else if (handle.tokenSource.kind === 'file') {
    lines.push(`  token: in ${handle.tokenSource.path}`);
  } else {
    lines.push('  token: from KTRDR_CLUSTER_TOKEN');
  }
  lines.push(
    handle.joinTokenSource.kind === 'file'
      ? `  join token (workers only): in ${handle.joinTokenSource.path}`
      : '  join token (workers only): from KTRDR_JOIN_TOKEN',
  );
  if (handle.tlsFingerprint)
    lines.push(`  TLS certificate SHA-256 (workers pin it): ${handle.tlsFingerprint}`);
  return lines.join('\n');
}
