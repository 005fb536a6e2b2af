import type { GcmLogger } from '@gcm/logging';
import { writeProblem } from '../problem/problem-details.filter';
import type { ApiRequest, ApiResponse } from './api-request';
import { BodyTooLargeError } from './request-body.error';

/**
 * Reads the bytes of a request body into `request.rawBody`, at most `limitBytes` (413 at
 * once when Content-Length says more, or as soon as more arrives). Nothing is decoded or
 * parsed here: that happens after the guards (`BodyParsingInterceptor`), so a signed
 * webhook checks its signature over these bytes before anything reads them, and a route
 * decides what it takes (JSON, or the review pages' forms).
 */
export function bodyReader(limitBytes: number, logger: GcmLogger) {
  return (request: ApiRequest, response: ApiResponse, next: (error?: unknown) => void): void => {
    const declared = request.headers['content-length'];
    const chunked = request.headers['transfer-encoding'] !== undefined;
    if (!chunked && (declared === undefined || declared === '0')) {
      next();
      return;
    }
    const refuse = () => {
      response.setHeader('Connection', 'close');
      writeProblem(request, response, new BodyTooLargeError(limitBytes), logger);
      // what the client still sends is read and dropped, so it sees the answer rather than a reset
      request.resume();
    };
    if (declared !== undefined && Number(declared) > limitBytes) {
      refuse();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        finish();
        refuse();
        return;
      }
      chunks.push(chunk);
    };
    const finish = () => {
      done = true;
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
    };
    const onEnd = () => {
      if (done) return;
      finish();
      request.rawBody = Buffer.concat(chunks, size);
      next();
    };
    const onError = () => {
      // the client went away mid-body: nothing to answer
      finish();
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
  };
}
