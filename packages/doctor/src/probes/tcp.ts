import { connect } from 'node:net';

/** Whether something accepts a TCP connection at host:port within the deadline; the error otherwise. */
export function tcpReachable(
  host: string,
  port: number,
  timeoutMs = 1500,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: { ok: true } | { ok: false; reason: string }) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () =>
      done({ ok: false, reason: `no answer within ${timeoutMs} ms` }),
    );
    socket.once('connect', () => done({ ok: true }));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done({
        ok: false,
        reason: error.code === 'ECONNREFUSED' ? 'connection refused' : error.message,
      }),
    );
  });
}
