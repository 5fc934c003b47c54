import type { FastifyInstance } from 'fastify';

/** A started service: where it listens, and how to stop it. */
export interface ServiceHandle {
  /** e.g. `http://127.0.0.1:8000`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Explains the two listen failures a user can fix, in words. */
export function describeListenError(
  error: unknown,
  host: string,
  port: number,
  portVariable: string,
): Error {
  const code = (error as { code?: string }).code;
  if (code === 'EADDRINUSE') {
    return new Error(
      `port ${port} on ${host} is in use by another program: stop it, or set ${portVariable} to a free port (0 picks one)`,
    );
  }
  if (code === 'EADDRNOTAVAIL') {
    return new Error(
      `address ${host} is not on this machine: pick one of its own addresses or 0.0.0.0`,
    );
  }
  if (code === 'EACCES') {
    return new Error(
      `no permission to listen on port ${port}: use a port above 1023 (${portVariable})`,
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Listens and returns the bound port (resolving port 0). */
export async function listenOn(
  app: FastifyInstance,
  host: string,
  port: number,
  portVariable: string,
): Promise<number> {
  try {
    await app.listen({ host, port });
  } catch (error) {
    throw describeListenError(error, host, port, portVariable);
  }
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : port;
}
