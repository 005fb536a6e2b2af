import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AUDITED_METADATA, type AuditedMetadata } from '../audit/audited.decorator';
import { API_CONFIG } from '../config/api-config.token';
import type { ApiConfig } from '../config/api-config';
import type { ApiRequest, ApiResponse, RequestContext } from '../http/api-request';
import { grants, type ApiKeyDefinition, type ApiScope } from './api-key';
import { ApiKeyRegistry } from './api-key.registry';
import { ACCESS_METADATA, CREDENTIAL_METADATA, SCOPE_METADATA, type CredentialSource, type OpenAccess } from './auth.decorators';
import { readCookie, REVIEW_COOKIE } from '../review/review-session';
import { ReviewSessions } from '../review/review-sessions';
import { ForbiddenError } from './forbidden.error';
import { RateLimitedError } from './rate-limited.error';
import { RateLimiter, type RateDecision } from './rate-limiter';
import { UnauthorizedError } from './unauthorized.error';

const BEARER = /^Bearer +([\x21-\x7e]{1,512})$/i;

/**
 * The API's front door, applied to every route. Deny by default: a route must declare a
 * scope (or an open access kind); the request must carry a configured key with that
 * scope; each key has its own rate limit, and requests without a valid key are limited
 * per client address, so guessing keys or flooding the audit trail costs the caller.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyRegistry,
    private readonly limiter: RateLimiter,
    private readonly sessions: ReviewSessions,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async canActivate(execution: ExecutionContext): Promise<boolean> {
    const request = execution.switchToHttp().getRequest<ApiRequest>();
    const response = execution.switchToHttp().getResponse<ApiResponse>();
    const context = request.gcm as RequestContext;
    const targets = [execution.getHandler(), execution.getClass()];

    const audited = this.reflector.getAllAndOverride<AuditedMetadata | undefined>(AUDITED_METADATA, targets);
    if (audited) context.audit = { action: audited.action, target: safeTarget(audited, request) };

    const access = this.reflector.getAllAndOverride<OpenAccess | undefined>(ACCESS_METADATA, targets);
    if (access === 'probe') return true;
    if (access === 'signed' || access === 'anonymous') {
      this.limit(response, `ip:${clientAddress(request)}`, this.config.auth.anonymousRequestsPerMinute, `Client ${clientAddress(request)}`);
      return true;
    }

    const scope = this.reflector.getAllAndOverride<ApiScope | undefined>(SCOPE_METADATA, targets);
    const source = this.reflector.getAllAndOverride<CredentialSource | undefined>(CREDENTIAL_METADATA, targets) ?? 'bearer';
    const header = source === 'bearer' ? request.headers.authorization : readCookie(request, REVIEW_COOKIE);
    let key: ApiKeyDefinition | undefined;
    if (source === 'bearer') {
      const presented = typeof header !== 'string' ? undefined : BEARER.exec(header.trim())?.[1];
      key = presented === undefined ? undefined : this.keys.authenticate(presented);
    } else {
      // the review pages: the cookie holds a server-side session id, never the key
      key = await this.sessions.resolve(header);
    }
    if (!key) {
      // failed attempts count against the client address before they are answered
      this.limit(response, `ip:${clientAddress(request)}`, this.config.auth.anonymousRequestsPerMinute, `Client ${clientAddress(request)}`);
      throw new UnauthorizedError(header === undefined ? 'missing' : 'invalid');
    }
    context.apiKey = key;
    context.actor = `key:${key.id}`;
    this.limit(response, `key:${key.id}`, key.requestsPerMinute ?? this.config.auth.requestsPerMinute, `API key "${key.id}"`);
    if (scope === undefined || !grants(key, scope)) throw new ForbiddenError(key.id, scope);
    return true;
  }

  private limit(response: ApiResponse, bucket: string, perMinute: number, subject: string): RateDecision {
    const decision = this.limiter.take(bucket, perMinute);
    response.setHeader('RateLimit-Limit', String(decision.limit));
    response.setHeader('RateLimit-Remaining', String(decision.remaining));
    // on a 429, Reset and Retry-After say the same thing: when the next request will be allowed
    response.setHeader('RateLimit-Reset', String(decision.allowed ? decision.resetSeconds : decision.retryAfterSeconds));
    if (!decision.allowed) throw new RateLimitedError(subject, decision.limit, decision.retryAfterSeconds);
    return decision;
  }
}

export function clientAddress(request: ApiRequest): string {
  return request.ip ?? request.socket.remoteAddress ?? 'unknown';
}

function safeTarget(audited: AuditedMetadata, request: ApiRequest): string | undefined {
  try {
    return audited.target?.(request);
  } catch {
    return undefined;
  }
}
