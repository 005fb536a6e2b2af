import { Controller, Get, Param, Post, Query, Req, Res, UseFilters, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Audited } from '../audit/audited.decorator';
import { grants } from '../auth/api-key';
import { clientAddress } from '../auth/api-key.guard';
import { ApiKeyRegistry } from '../auth/api-key.registry';
import { LoginThrottle } from '../auth/login-throttle';
import { FromReviewSession, OpenRoute, RequireScope } from '../auth/auth.decorators';
import { ConversationParams } from '../conversations/conversations.dto';
import type { ApiRequest, ApiResponse } from '../http/api-request';
import { FormBody } from '../http/body-parsing.interceptor';
import { RequestValidationError } from '../problem/request-validation.error';
import { sendReview } from './review-headers';
import { ReviewPageFilter } from './review-page.filter';
import { clearedSessionCookie, isSecure, readCookie, REVIEW_COOKIE, sameOrigin, sessionCookie } from './review-session';
import { ReviewSessions } from './review-sessions';
import { REVIEW_CSS } from './review.stylesheet';
import { listPage, loginPage, transcriptPage, type PageUser } from './review.pages';
import { ReviewService } from './review.service';

const LOGIN_FORM_LIMIT_BYTES = 2_048;

/**
 * The transcript review pages for quality reviewers: sign in with an API key (the
 * HttpOnly, SameSite=Strict cookie then holds a server-side session id, never the key;
 * failed sign-ins make the client address, and a known key, wait longer each time), list and filter archived conversations, read
 * one with its findings, export it. HTML rendered here, no script; not part of the REST
 * API's OpenAPI description.
 */
@ApiExcludeController()
@UseFilters(ReviewPageFilter)
@Controller({ path: 'review', version: VERSION_NEUTRAL })
export class ReviewController {
  constructor(
    private readonly review: ReviewService,
    private readonly keys: ApiKeyRegistry,
    private readonly sessions: ReviewSessions,
    private readonly throttle: LoginThrottle,
  ) {}

  @Get()
  @RequireScope('read')
  @FromReviewSession()
  async list(@Req() request: ApiRequest, @Res() response: ApiResponse): Promise<void> {
    const view = await this.review.list(request.query);
    page(response, view.errors ? 400 : 200, listPage(view, userOf(request)));
  }

  @Get('login')
  @OpenRoute('anonymous')
  loginForm(@Res() response: ApiResponse): void {
    page(response, 200, loginPage());
  }

  @Post('login')
  @OpenRoute('anonymous')
  @FormBody()
  @Audited('review.login')
  async login(@Req() request: ApiRequest, @Res() response: ApiResponse): Promise<void> {
    if (!sameOrigin(request)) {
      page(response, 403, loginPage({ error: 'This form can only be sent from the review pages themselves.' }));
      return;
    }
    if ((request.rawBody?.length ?? 0) > LOGIN_FORM_LIMIT_BYTES) {
      page(response, 413, loginPage({ error: `apiKey: at most ${LOGIN_FORM_LIMIT_BYTES} bytes.` }));
      return;
    }
    const form = request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
    const address = `ip:${clientAddress(request)}`;
    const waitBefore = this.throttle.retryAfterSeconds([address]);
    if (waitBefore > 0) {
      tooManyAttempts(response, waitBefore);
      return;
    }
    const presented = (form.get('apiKey') ?? '').trim();
    const key = presented === '' || presented.length > 512 ? undefined : this.keys.authenticate(presented);
    if (!key) {
      this.throttle.failed([address]);
      page(response, 401, loginPage({ error: presented === '' ? 'apiKey: enter an API key.' : 'apiKey: this key is not valid (check that the whole key was pasted and that it is still configured).' }));
      return;
    }
    const context = request.gcm;
    if (context) {
      context.apiKey = key;
      context.actor = `key:${key.id}`;
    }
    const subjects = [address, `key:${key.id}`];
    const wait = this.throttle.retryAfterSeconds(subjects);
    if (wait > 0) {
      tooManyAttempts(response, wait);
      return;
    }
    if (!grants(key, 'read')) {
      this.throttle.failed(subjects);
      page(response, 403, loginPage({ error: `apiKey: the key "${key.id}" lacks the read scope the review pages need.` }));
      return;
    }
    this.throttle.succeeded(subjects);
    const session = await this.sessions.start(key);
    response.setHeader('Set-Cookie', sessionCookie(session.id, isSecure(request)));
    redirect(response, '/review');
  }

  @Post('logout')
  @RequireScope('read')
  @FromReviewSession()
  @FormBody()
  @Audited('review.logout')
  async logout(@Req() request: ApiRequest, @Res() response: ApiResponse): Promise<void> {
    if (!sameOrigin(request)) {
      page(response, 403, loginPage({ error: 'This form can only be sent from the review pages themselves.' }));
      return;
    }
    await this.sessions.end(readCookie(request, REVIEW_COOKIE));
    response.setHeader('Set-Cookie', clearedSessionCookie(isSecure(request)));
    redirect(response, '/review/login');
  }

  @Get('assets/review.css')
  @OpenRoute('anonymous')
  stylesheet(@Res() response: ApiResponse): void {
    response.statusCode = 200;
    response.setHeader('Content-Type', 'text/css; charset=utf-8');
    response.setHeader('Cache-Control', 'public, max-age=3600');
    response.end(REVIEW_CSS);
  }

  @Get('conversations/:id')
  @RequireScope('read')
  @FromReviewSession()
  async transcript(@Param() params: ConversationParams, @Query('version') version: unknown, @Req() request: ApiRequest, @Res() response: ApiResponse): Promise<void> {
    const view = await this.review.transcript(params.id, parseVersion(version));
    page(response, 200, transcriptPage(view, userOf(request)));
  }

  @Get('conversations/:id/export.md')
  @RequireScope('read')
  @FromReviewSession()
  async exportMarkdown(@Param() params: ConversationParams, @Query('version') version: unknown, @Res() response: ApiResponse): Promise<void> {
    const view = await this.review.transcript(params.id, parseVersion(version));
    download(response, `conversation-${view.conversationId}-v${view.version}.md`, 'text/markdown; charset=utf-8', this.review.markdown(view));
  }

  @Get('conversations/:id/export.json')
  @RequireScope('read')
  @FromReviewSession()
  async exportJson(@Param() params: ConversationParams, @Query('version') version: unknown, @Res() response: ApiResponse): Promise<void> {
    const view = await this.review.transcript(params.id, parseVersion(version));
    download(response, `conversation-${view.conversationId}-v${view.version}.json`, 'application/json; charset=utf-8', `${JSON.stringify(view.document, null, 2)}\n`);
  }
}

function userOf(request: ApiRequest): PageUser {
  return { keyId: request.gcm?.apiKey?.id ?? 'unknown' };
}

function page(response: ApiResponse, status: number, body: string): void {
  sendReview(response, status, { 'Content-Type': 'text/html; charset=utf-8' }, body);
}

function tooManyAttempts(response: ApiResponse, retryAfterSeconds: number): void {
  sendReview(response, 429, { 'Content-Type': 'text/html; charset=utf-8', 'Retry-After': String(retryAfterSeconds) }, loginPage({ error: `Too many failed sign-ins from here: try again in ${retryAfterSeconds} s.` }));
}

function redirect(response: ApiResponse, location: string): void {
  sendReview(response, 303, { Location: location });
}

function download(response: ApiResponse, filename: string, contentType: string, body: string): void {
  sendReview(response, 200, { 'Content-Type': contentType, 'Content-Disposition': `attachment; filename="${filename}"`, 'X-Content-Type-Options': 'nosniff' }, body);
}

function parseVersion(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  const version = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new RequestValidationError([{ field: 'version', message: 'must be a whole number from 1', code: 'INVALID_VERSION' }]);
  }
  return version;
}
