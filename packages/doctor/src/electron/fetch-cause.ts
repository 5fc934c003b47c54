/**
 * Loaded into Electron's installer (`node --import`) and nothing else. The installer
 * downloads with the global `fetch` and, when that fails, prints only "fetch failed": the
 * reason a trader can act on (an unknown host, a refused connection, a proxy, a
 * certificate) sits in the error's `cause`. This wraps `fetch` so the error it rethrows
 * names that cause in its own message, which the installer does print.
 */
const original = globalThis.fetch;

function rootCause(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    parts.push(
      code && !current.message.includes(code) ? `${current.message} (${code})` : current.message,
    );
    current = current.cause;
  }
  return parts.join(': ');
}

globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
  try {
    return await original(...args);
  } catch (error) {
    const input = args[0];
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const reason = rootCause(error);
    const host = new URL(url).host;
    throw new Error(reason.includes(host) ? reason : `${reason} (${host})`, { cause: error });
  }
};
