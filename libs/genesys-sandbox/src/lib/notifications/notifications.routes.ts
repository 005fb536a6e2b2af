import { ApiErrors } from '../errors/api-error';
import { optionalString, requireObject } from '../http/body-validation';
import { RequestContext } from '../http/request-context';
import { Router } from '../http/router';
import { NotificationChannel, NotificationChannelsService } from './notification-channels.service';
import { AVAILABLE_TOPICS } from './notification-topics';

/** The caller's client and token; `api` routes only run after the pipeline authenticated them. */
function callerOf(ctx: RequestContext): { clientId: string; token: string } {
  if (!ctx.token) throw ApiErrors.authenticationRequired();
  return { clientId: ctx.token.clientId, token: ctx.token.value };
}

function topicIds(body: unknown): string[] {
  if (!Array.isArray(body)) throw ApiErrors.badRequest('The body must be a JSON array of topics: [{"id": "v2.users.{id}.conversations.messages"}].', {}, 'body');
  return body.map((item, n) => {
    const id = (item as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') throw ApiErrors.badRequest('Topic {n} needs an id string.', { n: String(n) }, 'id');
    return id;
  });
}

/** Notifications API (genesys-api.md §5): channels, subscriptions, available topics. */
export function registerNotificationRoutes(router: Router, service: NotificationChannelsService): void {
  const channelOf = (ctx: RequestContext): NotificationChannel => service.require(ctx.params.channelId, callerOf(ctx).clientId);

  router.post('/api/v2/notifications/channels', 'api', (ctx) => {
    const { clientId, token } = callerOf(ctx);
    ctx.sendJson(200, service.render(service.create(clientId, token)));
  });

  router.get('/api/v2/notifications/channels', 'api', (ctx) => {
    const include = ctx.query('includechannels') ?? 'token';
    if (include !== 'token' && include !== 'oauthclient') throw ApiErrors.invalidValue('includechannels', include, ['token', 'oauthclient']);
    const { clientId, token } = callerOf(ctx);
    const channels = service.list(clientId, include === 'token' ? token : undefined);
    ctx.sendJson(200, { entities: channels.map((c) => service.render(c)) });
  });

  router.head('/api/v2/notifications/channels/:channelId', 'api', (ctx) => {
    channelOf(ctx);
    ctx.sendEmpty(200);
  });

  router.get('/api/v2/notifications/channels/:channelId/subscriptions', 'api', (ctx) => {
    ctx.sendJson(200, { entities: service.topicsOf(channelOf(ctx)) });
  });

  router.put('/api/v2/notifications/channels/:channelId/subscriptions', 'api', async (ctx) => {
    const channel = channelOf(ctx);
    ctx.sendJson(200, { entities: service.subscribe(channel, topicIds(await ctx.json()), 'replace') });
  });

  router.post('/api/v2/notifications/channels/:channelId/subscriptions', 'api', async (ctx) => {
    const channel = channelOf(ctx);
    ctx.sendJson(200, { entities: service.subscribe(channel, topicIds(await ctx.json()), 'add') });
  });

  router.delete('/api/v2/notifications/channels/:channelId/subscriptions', 'api', (ctx) => {
    service.clearSubscriptions(channelOf(ctx));
    ctx.sendEmpty(204);
  });

  router.get('/api/v2/notifications/availabletopics', 'api', (ctx) => {
    ctx.sendJson(200, { entities: AVAILABLE_TOPICS });
  });

  router.get('/__sandbox/notifications/channels', 'admin', (ctx) => {
    const channels = service.summaries();
    ctx.sendJson(200, { total: channels.length, entities: channels });
  });

  /** Drops channel sockets without a close frame (all, or one channel's). */
  router.post('/__sandbox/notifications/drop', 'admin', async (ctx) => {
    const channelId = optionalString(requireObject((await ctx.json()) ?? {}), 'channelId');
    if (channelId !== undefined && !service.exists(channelId)) throw ApiErrors.notFound('channelId', channelId);
    ctx.sendJson(200, { dropped: service.drop(channelId) });
  });
}
