import { ConnectionLostError } from '../errors.js';

/**
 * Runs `attempt`, again when the connection dropped under it (it waits for the link to come
 * back on its own), at most `times` times in all.
 */
export async function retryOnConnectionLoss<T>(attempt: () => Promise<T>, times = 3): Promise<T> {
  for (let round = 1; ; round++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConnectionLostError) || round >= times) throw error;
    }
  }
}
