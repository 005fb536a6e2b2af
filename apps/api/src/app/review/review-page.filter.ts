import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { UnauthorizedError } from '../auth/unauthorized.error';
import type { ApiRequest, ApiResponse } from '../http/api-request';
import { JsonLogger } from '../logging/json-logger';
import { toApiError } from '../problem/library-error.mapper';
import { REVIEW_PAGE_HEADERS } from './review-headers';
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
    if (request.gcm) request.gcm.problem = error.slug;
    if (response.headersSent) {
      if (!response.writableEnded) response.end();
      return;
    }
    for (const [name, value] of Object.entries(REVIEW_PAGE_HEADERS)) response.setHeader(name, value);
    if (exception instanceof UnauthorizedError) {
      // a stale cookie (the key was rotated out) is dropped on the way to the form
      response.statusCode = 303;
      response.setHeader('Set-Cookie', clearedSessionCookie(isSecure(request)));
      response.setHeader('Location', '/review/login');
      response.end();
      return;
    }
    if (error.status >= 500) {
      const cause = (error.cause ?? error) as { name?: string; message?: string; stack?: string };
      this.logger.write('error', `${request.method} ${request.originalUrl?.split('?')[0]} failed with ${error.status} ${error.slug}`, {
        context: 'Review',
        requestId: request.gcm?.requestId,
        cause: { name: cause.name, message: cause.message },
        stack: error.status === 500 ? cause.stack : undefined,
      });
    }
    for (const [name, value] of Object.entries(error.headers)) if (name.toLowerCase() !== 'www-authenticate') response.setHeader(name, value);
    const detail = error.status >= 500 ? `${error.message} (request ${request.gcm?.requestId ?? 'unknown'})` : error.message;
    const user = request.gcm?.apiKey ? { keyId: request.gcm.apiKey.id } : undefined;
    const body = errorPage(error.status, error.title, detail, user, error.errors);
    response.statusCode = error.status;
    response.setHeader('Content-Type', 'text/html; charset=utf-8');
    response.end(body);
  }
}
