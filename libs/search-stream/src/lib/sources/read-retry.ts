import { GenesysApiError, type GenesysLogger, type Sleep } from '@gcm/genesys-auth';

/** Runs one read-only search request, repeating it after a 500 a few times. */
export type ReadRetry = <T>(what: string, read: () => Promise<T>, signal: AbortSignal, logger: GenesysLogger) => Promise<T>;

/**
 * The transport's policy retries what is safe for any request (429, 502–504, dropped
 * connections) and leaves a 500 to the caller, since a 500 can mean the request itself is
 * at fault. The search's requests only read, and a long search has much progress to
 * lose, so here a 500 gets `retries` more tries after 1 s, 2 s, 4 s… before it ends the
 * stream (which can still be resumed from its token).
 */
export function readRetry(retries: number, sleep: Sleep): ReadRetry {
  return async (what, read, signal, logger) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await read();
      } catch (error) {
        if (!(error instanceof GenesysApiError) || error.status !== 500 || attempt >= retries || signal.aborted) throw error;
        const delayMs = 1_000 * 2 ** attempt;
        logger.warn?.('Search request failed with 500; trying again', { what, attempt: attempt + 1, delayMs, contextId: error.contextId });
        await sleep(delayMs, signal);
      }
    }
  };
}
