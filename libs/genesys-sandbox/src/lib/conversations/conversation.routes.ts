import { ApiErrors } from '../errors/api-error';
import { Router } from '../http/router';
import { renderConversation, renderMessageConversation } from '../render/conversation.mapper';
import { renderMessageData } from '../render/message-data.mapper';
import { SandboxServices } from '../sandbox-services';

/** Platform API limit on ids per bulk message request. */
export const BULK_MESSAGE_IDS_MAX = 1000;

/** Reading message conversations and their messages (genesys-api.md §3). */
export function registerConversationRoutes(router: Router, services: SandboxServices): void {
  const { world } = services;

  router.get('/api/v2/conversations/:conversationId', 'api', (ctx) => {
    const conversation = world.requireConversation(ctx.params.conversationId);
    ctx.sendJson(200, renderConversation(services.apiBaseUrl(), world.catalog, conversation));
  });

  router.get('/api/v2/conversations/messages/:conversationId', 'api', (ctx) => {
    const conversation = world.requireConversation(ctx.params.conversationId);
    ctx.sendJson(200, renderMessageConversation(services.apiBaseUrl(), world.catalog, conversation));
  });

  router.post('/api/v2/conversations/messages/:conversationId/messages/bulk', 'api', async (ctx) => {
    const body = await ctx.json();
    const conversation = world.requireConversation(ctx.params.conversationId);
    if (!Array.isArray(body) || body.some((id) => typeof id !== 'string')) {
      throw ApiErrors.badRequest('The body must be a JSON array of message ids.', {}, 'body');
    }
    if (body.length > BULK_MESSAGE_IDS_MAX) {
      throw ApiErrors.badRequest(
        'The request contains {count} message ids; at most {max} are allowed per request.',
        { count: String(body.length), max: String(BULK_MESSAGE_IDS_MAX) },
        'body',
      );
    }
    const byId = new Map(conversation.messages.map((m) => [m.id, m]));
    const seen = new Set<string>();
    const entities: unknown[] = [];
    // one entity per known id, in request order; unknown and repeated ids are skipped
    for (const id of body as string[]) {
      const message = byId.get(id);
      if (!message || seen.has(id)) continue;
      seen.add(id);
      entities.push(renderMessageData(services.apiBaseUrl(), conversation, message));
    }
    ctx.sendJson(200, { entities });
  });

  router.get('/api/v2/conversations/messages/:conversationId/messages/:messageId', 'api', (ctx) => {
    const conversation = world.requireConversation(ctx.params.conversationId);
    const message = conversation.messages.find((m) => m.id === ctx.params.messageId);
    if (!message) throw ApiErrors.notFound('messageId', ctx.params.messageId);
    ctx.sendJson(200, renderMessageData(services.apiBaseUrl(), conversation, message));
  });

  router.get('/api/v2/conversations/messages/:messageId/details', 'api', (ctx) => {
    const found = world.findMessage(ctx.params.messageId);
    if (!found) throw ApiErrors.notFound('messageId', ctx.params.messageId);
    ctx.sendJson(200, renderMessageData(services.apiBaseUrl(), found.conversation, found.message));
  });
}
