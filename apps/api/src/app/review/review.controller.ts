import { Controller, Get, Param, Post, Query, Req, Res, UseFilters, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Audited } from '../audit/audited.decorator';
import { grants } from '../auth/api-key';
import { ApiKeyRegistry } from '../auth/api-key.registry';
import { FromReviewSession, OpenRoute, RequireScope } from '../auth/auth.decorators';
import { ConversationParams } from '../conversations/conversations.dto';
import type { ApiRequest, ApiResponse } from '../http/api-request';
import { RequestValidationError } from '../problem/request-validation.error';
import { sendReview } from './review-headers';
import { ReviewPageFilter } from './review-page.filter';
import { clearedSessionCookie, isSecure, readForm, sameOrigin, sessionCookie } from './review-session';
import { REVIEW_CSS } from './review.stylesheet';
import { listPage, loginPage, transcriptPage, type PageUser } from './review.pages';
import { ReviewService } from './review.service';

const LOGIN_FORM_LIMIT_BYTES = 2_048;

/**
 * The transcript review pages for quality reviewers: sign in with an API key (kept in an
 * HttpOnly, SameSite=Strict session cookie), list and filter archived conversations, read
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
  @Audited('review.login')
  async login(@Req() request: ApiRequest, @Res() response: ApiResponse): Promise<void> {
    if (!sameOrigin(request)) {
      page(response, 403, loginPage({ error: 'This form can only be sent from the review pages themselves.' }));
      return;
    }
    const form = await readForm(request, LOGIN_FORM_LIMIT_BYTES);
    if (form === 'unsupported' || form === 'too-large') {
      const status = form === 'unsupported' ? 415 : 413;
      page(response, status, loginPage({ error: form === 'unsupported' ? 'Send the form as application/x-www-form-urlencoded.' : `apiKey: at most ${LOGIN_FORM_LIMIT_BYTES} bytes.` }));
      return;
    }
    const presented = (form.get('apiKey') ?? '').trim();
    const key = presented === '' || presented.length > 512 ? undefined : this.keys.authenticate(presented);
    if (!key) {
      page(response, 401, loginPage({ error: presented === '' ? 'apiKey: enter an API key.' : 'apiKey: this key is not valid (check that the whole key was pasted and that it is still configured).' }));
      return;
    }
    const context = request.gcm;
    if (context) {
      context.apiKey = key;
      context.actor = `key:${key.id}`;
    }
    if (!grants(key, 'read')) {
      page(response, 403, loginPage({ error: `apiKey: the key "${key.id}" lacks the read scope the review pages need.` }));
      return;
    }
    response.setHeader('Set-Cookie', sessionCookie(presented, isSecure(request)));
    redirect(response, '/review');
  }

  @Post('logout')
  @RequireScope('read')
  @FromReviewSession()
  @Audited('review.logout')
  logout(@Req() request: ApiRequest, @Res() response: ApiResponse): void {
    if (!sameOrigin(request)) {
      page(response, 403, loginPage({ error: 'This form can only be sent from the review pages themselves.' }));
      return;
    }
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
