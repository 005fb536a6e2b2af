import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { UnauthorizedError } from '../auth/unauthorized.error';
import type { ApiRequest, ApiResponse } from '../http/api-request';
import { GcmLogger } from '@gcm/logging';
import { toApiError } from '../problem/library-error.mapper';
import { noteProblem } from '../problem/problem-details.filter';
import { sendReview } from './review-headers';
import { errorPage, loginPage } from './review.pages';
import { clearedSessionCookie, isSecure } from './review-session';

/**
 * Errors of the review pages are pages too: no session cookie goes to the login form (303);
 * a cookie naming no live session (signed out, expired, key rotated out) is a 401 with the
 * form and the cookie cleared; anything else is an HTML error page with the same status and wording
 * the problem+json answer would have. 5xx causes are logged, never shown.
 */
@Catch()
export class ReviewPageFilter implements ExceptionFilter {
  constructor(private readonly logger: GcmLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<ApiRequest>();
    const response = host.switchToHttp().getResponse<ApiResponse>();
    const error = toApiError(exception);
    noteProblem(request, error, this.logger, 'Review');
    if (response.headersSent) {
      if (!response.writableEnded) response.end();
      return;
    }
    if (exception instanceof UnauthorizedError && exception.reason === 'missing') {
      // no session yet: to the form
      sendReview(response, 303, { Location: '/review/login' });
      return;
    }
    if (exception instanceof UnauthorizedError) {
      // a cookie that names no live session (signed out, expired, or its key rotated out): 401, the
      // form in place, and the stale cookie dropped
      sendReview(
        response,
        401,
        { 'Set-Cookie': clearedSessionCookie(isSecure(request)), 'Content-Type': 'text/html; charset=utf-8' },
        loginPage({ error: 'Your session has ended (signed out, expired, or its key was removed). Sign in again.' }),
      );
      return;
    }
    const headers = Object.fromEntries(Object.entries(error.headers).filter(([name]) => name.toLowerCase() !== 'www-authenticate'));
    const detail = error.status >= 500 ? `${error.message} (request ${request.gcm?.requestId ?? 'unknown'})` : error.message;
    const user = request.gcm?.apiKey ? { keyId: request.gcm.apiKey.id } : undefined;
    sendReview(response, error.status, { ...headers, 'Content-Type': 'text/html; charset=utf-8' }, errorPage(error.status, error.title, detail, user, error.errors));
  }
}
