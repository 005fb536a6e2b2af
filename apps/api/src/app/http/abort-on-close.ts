import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A signal that fires when the client goes away before its answer is complete, so work
 * done only for that answer (Genesys reads, a search) stops instead of running on.
 */
export function abortOnClose(request: IncomingMessage, response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  const onClose = () => {
    if (!response.writableFinished) controller.abort(new Error('the client closed the connection'));
  };
  response.once('close', onClose);
  request.once('aborted', onClose);
  return controller.signal;
}
