import { ApiErrors } from '../errors/api-error';
import { optionalString, requireObject } from '../http/body-validation';
import { Router } from '../http/router';
import { SandboxOptionsError } from '../sandbox-options';
import { SandboxWorld } from '../data/sandbox-world';
import { OpenIntegrationsRegistry } from './open-integrations.registry';
import { WebhookDispatcher } from './webhook-dispatcher';

/** Open Messaging integrations (REST, read-only here) and /__sandbox controls for their webhooks. */
export function registerOpenMessagingRoutes(router: Router, world: SandboxWorld, integrations: OpenIntegrationsRegistry, webhooks: WebhookDispatcher): void {
  router.get('/api/v2/conversations/messaging/integrations/open', 'api', (ctx) => {
    const all = integrations.list().map((i) => integrations.render(i));
    ctx.sendJson(200, {
      entities: all,
      pageSize: Math.max(25, all.length),
      pageNumber: 1,
      total: all.length,
      pageCount: 1,
      firstUri: '/api/v2/conversations/messaging/integrations/open?pageSize=25&pageNumber=1',
      selfUri: '/api/v2/conversations/messaging/integrations/open?pageSize=25&pageNumber=1',
      lastUri: '/api/v2/conversations/messaging/integrations/open?pageSize=25&pageNumber=1',
    });
  });

  router.get('/api/v2/conversations/messaging/integrations/open/:integrationId', 'api', (ctx) => {
    const integration = integrations.get(ctx.params.integrationId);
    if (!integration) throw ApiErrors.notFound('integrationId', ctx.params.integrationId);
    ctx.sendJson(200, integrations.render(integration));
  });

  router.get('/__sandbox/integrations', 'admin', (ctx) => {
    const all = integrations.list().map((i) => integrations.summary(i));
    ctx.sendJson(200, { total: all.length, entities: all });
  });

  /** `{id?, name?, outboundNotificationWebhookUrl, secret}`: sets (or adds) an integration's webhook. */
  router.post('/__sandbox/integrations', 'admin', async (ctx) => {
    const body = requireObject((await ctx.json()) ?? {});
    try {
      const integration = integrations.configure({
        id: optionalString(body, 'id') ?? world.ids.uuid('open-integration'),
        name: optionalString(body, 'name'),
        outboundNotificationWebhookUrl: optionalString(body, 'outboundNotificationWebhookUrl') ?? '',
        secret: optionalString(body, 'secret') ?? '',
      });
      ctx.sendJson(200, integrations.summary(integration));
    } catch (error) {
      if (error instanceof SandboxOptionsError) throw ApiErrors.badRequest(error.message, {}, error.option);
      throw error;
    }
  });

  router.get('/__sandbox/webhooks', 'admin', (ctx) => {
    const deliveries = webhooks.deliveries();
    ctx.sendJson(200, { total: deliveries.length, entities: deliveries });
  });
}
