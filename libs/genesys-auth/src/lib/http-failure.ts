import { isAxiosError } from 'axios';
import { GenesysAbortedError, GenesysConnectionError, type GenesysApiError } from './errors';

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Turns a thrown axios/network failure into a typed error. Only the error code and a
 * fixed description are kept: the axios error holds the request config, headers
 * included, and must never travel further.
 */
export function toConnectionError(
  error: unknown,
  method: string,
  path: string,
  signal?: AbortSignal,
): GenesysApiError {
  if (signal?.aborted || (isAxiosError(error) && error.code === 'ERR_CANCELED')) {
    return new GenesysAbortedError({ message: `Genesys ${method} ${path} was aborted by the caller`, method, path });
  }
  const code = (isAxiosError(error) ? error.code : (error as { code?: string } | undefined)?.code) ?? 'ECONNECTION';
  const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT';
  const description = timedOut
    ? 'the request timed out'
    : code === 'ECONNRESET'
      ? 'the connection was reset'
      : code === 'ECONNREFUSED'
        ? 'the connection was refused'
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? 'the host name could not be resolved'
          : code === 'ERR_BAD_RESPONSE' || code === 'HPE_INVALID_CONSTANT'
            ? 'the response was malformed'
            : 'the connection failed';
  return new GenesysConnectionError({
    status: 0,
    code: timedOut ? 'ETIMEDOUT' : code,
    method,
    path,
    notSent: NOT_SENT_CODES.has(code),
    message: `Genesys ${method} ${path} failed: ${description} (${code}). Check network access to the Genesys host.`,
  });
}
