import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { UnauthorizedError } from '../auth/unauthorized.error';
import type { ApiRequest, ApiResponse } from '../http/api-request';
import { JsonLogger } from '../logging/json-logger';
import { toApiError } from '../problem/library-error.mapper';
import { noteProblem } from '../problem/problem-details.filter';
import { sendReview } from './review-headers';
import { errorPage } from './review.pages';
import { clearedSessionCookie, isSecure } from './review-session';

/**
 * Errors of the review pages are pages too: no session (or a key no longer configured) goes
 * to the login form; anything else is an HTML error page with the same status and wording
 * the problem+json answer would have. 5xx causes are logged, never shown.
 */
@Catch()
export class ReviewPageFilter implements ExceptionFilter {
  constructor(private readonly logger: JsonLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<ApiRequest>();
    const response = host.switchToHttp().getResponse<ApiResponse>();
    const error = toApiError(exception);
    noteProblem(request, error, this.logger, 'Review');
    if (response.headersSent) {
      if (!response.writableEnded) response.end();
      return;
    }
    if (exception instanceof UnauthorizedError) {
      // a stale cookie (the key was rotated out) is dropped on the way to the form
      sendReview(response, 303, { 'Set-Cookie': clearedSessionCookie(isSecure(request)), Location: '/review/login' });
      return;
    }
    const headers = Object.fromEntries(Object.entries(error.headers).filter(([name]) => name.toLowerCase() !== 'www-authenticate'));
    const detail = error.status >= 500 ? `${error.message} (request ${request.gcm?.requestId ?? 'unknown'})` : error.message;
    const user = request.gcm?.apiKey ? { keyId: request.gcm.apiKey.id } : undefined;
    sendReview(response, error.status, { ...headers, 'Content-Type': 'text/html; charset=utf-8' }, errorPage(error.status, error.title, detail, user, error.errors));
  }
}
