import { ApiErrors, SandboxApiError } from '../errors/api-error';
import { Router } from '../http/router';
import { optionalString, requireObject } from '../http/body-validation';
import { RequestContext } from '../http/request-context';
import { WebMessagingGateway } from './web-messaging.gateway';
import { WebMessagingService } from './web-messaging.service';
import { SandboxWorld } from '../data/sandbox-world';

export const GUEST_HISTORY_PAGE_SIZE_DEFAULT = 25;
export const GUEST_HISTORY_PAGE_SIZE_MAX = 100;

function pageParam(ctx: RequestContext, name: string, fallback: number, max: number): number {
  const raw = ctx.query(name);
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw ApiErrors.badRequest('{name} must be an integer between 1 and {max}.', { name, max: String(max) }, name);
  }
  return value;
}

/**
 * Web messaging over HTTP: the guest's history (guest JWT), the deployment configuration the
 * Messenger fetches, attachment downloads, and /__sandbox controls for guest sessions.
 */
export function registerWebMessagingRoutes(router: Router, world: SandboxWorld, service: WebMessagingService, gateway: WebMessagingGateway): void {
  router.get('/api/v2/webmessaging/messages', 'guest', (ctx) => {
    const header = ctx.req.headers.authorization ?? '';
    const match = /^bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw ApiErrors.authenticationRequired();
    const session = service.sessionForJwt(match[1]);
    if (!session) throw ApiErrors.badCredentials();
    const pageSize = pageParam(ctx, 'pageSize', GUEST_HISTORY_PAGE_SIZE_DEFAULT, GUEST_HISTORY_PAGE_SIZE_MAX);
    const pageNumber = pageParam(ctx, 'pageNumber', 1, Number.MAX_SAFE_INTEGER);
    const all = service.history(session);
    ctx.sendJson(200, {
      entities: all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize),
      pageSize,
      pageNumber,
      total: all.length,
      pageCount: Math.ceil(all.length / pageSize),
    });
  });

  // api-cdn.{domain}/webdeployments/v1/deployments/{id}/config.json in the real world
  router.get('/webdeployments/v1/deployments/:deploymentId/config.json', 'media', (ctx) => {
    const id = ctx.params.deploymentId;
    if (!world.catalog.webDeployments.some((d) => d.id === id)) throw ApiErrors.notFound('deploymentId', id);
    ctx.sendJson(200, service.deploymentConfig(id));
  });

  router.get('/downloads/:uploadId/:filename', 'media', (ctx) => {
    const upload = world.upload(ctx.params.uploadId);
    if (!upload?.bytes) throw ApiErrors.notFound('attachmentId', ctx.params.uploadId);
    ctx.send(200, upload.bytes, { 'Content-Type': upload.mime });
  });

  router.get('/__sandbox/webmessaging/sessions', 'admin', (ctx) => {
    const sessions = service.sessions();
    ctx.sendJson(200, { total: sessions.length, entities: sessions });
  });

  router.get('/__sandbox/webmessaging/sessions/:sessionId', 'admin', (ctx) => {
    const session = service.session(ctx.params.sessionId);
    if (!session) throw ApiErrors.notFound('sessionId', ctx.params.sessionId);
    ctx.sendJson(200, session);
  });

  router.post('/__sandbox/webmessaging/sessions/:sessionId/expire', 'admin', (ctx) => {
    if (!service.session(ctx.params.sessionId)) throw ApiErrors.notFound('sessionId', ctx.params.sessionId);
    if (!service.expire(ctx.params.sessionId)) throw new SandboxApiError(409, 'session.expired', 'The session has already expired.');
    ctx.sendEmpty(204);
  });

  /** Drops guest sockets without a close frame (all, or one session's): clients must reconnect and resume. */
  router.post('/__sandbox/webmessaging/drop', 'admin', async (ctx) => {
    const body = requireObject((await ctx.json()) ?? {});
    const sessionId = optionalString(body, 'sessionId');
    if (sessionId !== undefined && !service.session(sessionId)) throw ApiErrors.notFound('sessionId', sessionId);
    ctx.sendJson(200, { dropped: gateway.drop(sessionId) });
  });
}
