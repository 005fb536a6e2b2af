import { Inject, Injectable, SetMetadata, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Observable } from 'rxjs';
import { API_CONFIG } from '../config/api-config.token';
import type { ApiConfig } from '../config/api-config';
import type { ApiRequest } from './api-request';
import { decodeRequestBody, type BodyKind, type BodyLimits } from './request-body';

export const BODY_KIND_METADATA = 'gcm:body-kind';

/** The route reads an HTML form (application/x-www-form-urlencoded) as `URLSearchParams`, not JSON. */
export const FormBody = () => SetMetadata(BODY_KIND_METADATA, 'form' satisfies BodyKind);

const READS_NO_BODY = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Decodes and parses the body once the guards have let the request in (an interceptor
 * runs after them, before the pipes): the signed webhook's signature is checked over the
 * raw bytes first, and a request without a valid key learns nothing about its body. The
 * checks themselves are `decodeRequestBody`'s; a body on GET is ignored.
 */
@Injectable()
export class BodyParsingInterceptor implements NestInterceptor {
  private readonly limits: BodyLimits;

  constructor(
    private readonly reflector: Reflector,
    @Inject(API_CONFIG) config: ApiConfig,
  ) {
    this.limits = { maxBytes: config.http.bodyLimitBytes, maxDepth: config.http.bodyMaxDepth, maxKeys: config.http.bodyMaxKeys };
  }

  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (execution.getType() === 'http') {
      const request = execution.switchToHttp().getRequest<ApiRequest>();
      const raw = request.rawBody;
      if (raw !== undefined && raw.length > 0 && !READS_NO_BODY.has(request.method ?? 'GET')) {
        const kind = this.reflector.getAllAndOverride<BodyKind | undefined>(BODY_KIND_METADATA, [execution.getHandler(), execution.getClass()]) ?? 'json';
        request.body = decodeRequestBody(raw, { 'content-type': request.headers['content-type'], 'content-encoding': request.headers['content-encoding'] }, kind, this.limits);
      }
    }
    return next.handle();
  }
}
