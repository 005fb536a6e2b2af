import { isManualClock, isoString } from '../clock/sandbox-clock';
import { ApiErrors, SandboxApiError } from '../errors/api-error';
import { FaultConfigError } from '../faults/fault-profiles';
import { optionalString, requireObject } from '../http/body-validation';
import { RequestContext } from '../http/request-context';
import { Router } from '../http/router';
import { SandboxServices } from '../sandbox-services';

function intParam(ctx: RequestContext, name: string, fallback: number, max: number): number {
  const raw = ctx.query(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw ApiErrors.badRequest('{name} must be an integer between 0 and {max}.', { name, max: String(max) }, name);
  }
  return value;
}

/**
 * /__sandbox/*: ground truth, statistics and controls for tests in other processes. Outside
 * /api/v2, without authentication, and never subject to faults.
 */
export function registerAdminRoutes(router: Router, services: SandboxServices): void {
  const { world, truth, stats, tokens, faults, clock } = services;

  router.get('/__sandbox/health', 'admin', (ctx) => ctx.sendJson(200, { status: 'ok' }));

  router.get('/__sandbox/info', 'admin', (ctx) => {
    const { catalog } = world;
    ctx.sendJson(200, {
      apiBaseUrl: services.apiBaseUrl(),
      webMessagingUrl: `${services.apiBaseUrl().replace(/^http/, 'ws')}/v1`,
      clientId: services.client.clientId,
      clientIds: services.clients.map((client) => client.clientId),
      seed: world.config.seed,
      conversations: world.size,
      now: isoString(world.config.nowMs),
      clock: isoString(clock.now()),
      organization: catalog.organization,
      divisions: catalog.divisions,
      queues: catalog.queues,
      agents: catalog.agents,
      wrapupCodes: catalog.wrapupCodes,
      openIntegrations: catalog.openIntegrations,
      webDeployments: catalog.webDeployments,
      smsNumber: catalog.smsNumber,
      faults: faults.current,
    });
  });

  router.get('/__sandbox/stats', 'admin', (ctx) => ctx.sendJson(200, stats.snapshot()));
  router.post('/__sandbox/stats/reset', 'admin', (ctx) => {
    stats.reset();
    ctx.sendEmpty(204);
  });

  router.get('/__sandbox/truth/conversations', 'admin', (ctx) => {
    const offset = intParam(ctx, 'offset', 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(ctx, 'limit', 100, 10_000);
    const from = ctx.query('from');
    const to = ctx.query('to');
    const ids = truth.conversationIds({ from, to });
    ctx.sendJson(200, {
      total: ids.length,
      offset,
      limit,
      entities: ids.slice(offset, offset + limit).map((id) => truth.summary(id)),
    });
  });

  router.get('/__sandbox/truth/conversations/:conversationId', 'admin', (ctx) => {
    const id = ctx.params.conversationId;
    const conversation = truth.conversation(id);
    if (!conversation) throw ApiErrors.notFound('conversationId', id);
    ctx.sendJson(200, { ...conversation, messages: truth.messages(id, { includeDuplicates: ctx.query('includeDuplicates') === 'true' }) });
  });

  router.get('/__sandbox/truth/anomalies', 'admin', (ctx) => {
    const offset = intParam(ctx, 'offset', 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(ctx, 'limit', 100, 10_000);
    const ids = truth.anomalousConversationIds();
    ctx.sendJson(200, {
      totalConversations: ids.length,
      offset,
      limit,
      entities: ids.slice(offset, offset + limit).flatMap((id) => truth.conversation(id)!.anomalies),
    });
  });

  router.post('/__sandbox/tokens/revoke', 'admin', async (ctx) => {
    const body = (await ctx.json()) ?? {};
    const token = optionalString(requireObject(body), 'token');
    const revoked = token === undefined ? tokens.revokeAll() : tokens.revoke(token) ? 1 : 0;
    ctx.sendJson(200, { revoked });
  });

  router.get('/__sandbox/faults', 'admin', (ctx) => ctx.sendJson(200, faults.current));
  router.post('/__sandbox/faults', 'admin', async (ctx) => {
    const body = requireObject((await ctx.json()) ?? {});
    try {
      const spec = optionalString(body, 'spec');
      const settings = spec !== undefined ? faults.configure(spec, services.rateLimitOverride) : faults.configure(body, services.rateLimitOverride);
      ctx.sendJson(200, settings);
    } catch (error) {
      if (error instanceof FaultConfigError) throw ApiErrors.badRequest(error.message);
      throw error;
    }
  });

  router.post('/__sandbox/clock/advance', 'admin', async (ctx) => {
    const body = requireObject((await ctx.json()) ?? {});
    const ms = body.ms;
    if (!isManualClock(clock)) {
      throw new SandboxApiError(409, 'clock.not.manual', 'The sandbox runs on a real clock; start it with a ManualClock to advance time.');
    }
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw ApiErrors.badRequest('ms must be a non-negative number.', {}, 'ms');
    clock.advance(ms);
    ctx.sendJson(200, { now: isoString(clock.now()) });
  });
}
