import { ApiErrors } from '../errors/api-error';
import { Router } from '../http/router';
import { renderAnalyticsConversation } from '../render/analytics-conversation.mapper';
import { SandboxServices } from '../sandbox-services';

/** Analytics conversation details: the synchronous query, async jobs, single/multi get (§6). */
export function registerAnalyticsRoutes(router: Router, services: SandboxServices): void {
  const { world } = services;

  router.post('/api/v2/analytics/conversations/details/query', 'api', async (ctx) => {
    ctx.sendJson(200, services.detailsQuery.query(await ctx.json()));
  });

  router.post('/api/v2/analytics/conversations/details/jobs', 'api', async (ctx) => {
    ctx.sendJson(202, services.jobs.submit(await ctx.json()));
  });

  router.get('/api/v2/analytics/conversations/details/jobs/availability', 'api', (ctx) => {
    ctx.sendJson(200, services.jobs.availability());
  });

  router.get('/api/v2/analytics/conversations/details/jobs/:jobId', 'api', (ctx) => {
    ctx.sendJson(200, services.jobs.status(ctx.params.jobId));
  });

  router.get('/api/v2/analytics/conversations/details/jobs/:jobId/results', 'api', (ctx) => {
    ctx.sendJson(200, services.jobs.results(ctx.params.jobId, ctx.query('cursor'), ctx.query('pageSize')));
  });

  router.delete('/api/v2/analytics/conversations/details/jobs/:jobId', 'api', (ctx) => {
    services.jobs.cancel(ctx.params.jobId);
    ctx.sendEmpty(204);
  });

  router.get('/api/v2/analytics/conversations/:conversationId/details', 'api', (ctx) => {
    const record = world.skeletonById(ctx.params.conversationId);
    if (!record) throw ApiErrors.notFound('conversationId', ctx.params.conversationId);
    ctx.sendJson(200, renderAnalyticsConversation(record));
  });

  router.get('/api/v2/analytics/conversations/details', 'api', (ctx) => {
    const ids = (ctx.query('id') ?? '').split(',').filter((id) => id.length > 0);
    if (ids.length === 0) throw ApiErrors.badRequest('The id query parameter lists the conversation ids to get.', {}, 'id');
    const conversations = ids.flatMap((id) => {
      const record = world.skeletonById(id);
      return record ? [renderAnalyticsConversation(record)] : [];
    });
    ctx.sendJson(200, { conversations });
  });
}
