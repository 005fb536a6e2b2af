import { TrafficRecorder } from './record/traffic-recorder';
import { registerAdminRoutes } from './admin/admin.routes';
import { registerAnalyticsRoutes } from './analytics/analytics.routes';
import { DetailsJobsService } from './analytics/details-jobs.service';
import { DetailsQueryService } from './analytics/details-query.service';
import { registerOAuthRoutes } from './auth/oauth.routes';
import { TokenRegistry } from './auth/token-registry';
import { SandboxClock } from './clock/sandbox-clock';
import { registerConversationRoutes } from './conversations/conversation.routes';
import { registerMessagingRoutes } from './conversations/messaging.routes';
import { registerParticipantRoutes } from './conversations/participant.routes';
import { registerRoutingQueueRoutes } from './routing/routing-queues.routes';
import { SandboxWorld } from './data/sandbox-world';
import { FaultInjector } from './faults/fault-injector';
import { FaultConfig, FaultSettings } from './faults/fault-profiles';
import { RateLimiter } from './faults/rate-limiter';
import { Router } from './http/router';
import { SandboxServer } from './http/sandbox-server';
import { registerMediaRoutes } from './media/media.routes';
import { resolveSandboxOptions, SandboxOptions } from './sandbox-options';
import { SandboxServices } from './sandbox-services';
import { registerAttributeSearchRoutes } from './search/attribute-search.routes';
import { AttributeSearchService } from './search/attribute-search.service';
import { SandboxStats } from './stats/sandbox-stats';
import { SandboxTruth } from './truth/sandbox-truth';
import { SandboxTimers } from './clock/sandbox-timers';
import { GuestSessionSummary } from './webmessaging/guest-session';
import { WebMessagingGateway } from './webmessaging/web-messaging.gateway';
import { registerWebMessagingRoutes } from './webmessaging/web-messaging.routes';
import { WebMessagingService } from './webmessaging/web-messaging.service';
import { ChannelSummary, NotificationChannelsService } from './notifications/notification-channels.service';
import { NotificationsGateway } from './notifications/notifications.gateway';
import { registerNotificationRoutes } from './notifications/notifications.routes';
import { OpenIntegrationsRegistry, OpenIntegrationSummary } from './open-messaging/open-integrations.registry';
import { registerOpenMessagingRoutes } from './open-messaging/open-messaging.routes';
import { WebhookDelivery, WebhookDispatcher } from './open-messaging/webhook-dispatcher';
import type { OpenIntegrationOptions, SandboxOAuthClient } from './sandbox-options';

export interface RunningSandbox {
  /** http://127.0.0.1:PORT; login and API share this origin. */
  apiBaseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Every client-credentials client (`clients` option), the first being clientId/clientSecret; each has its own rate budget. */
  clients: SandboxOAuthClient[];
  truth: SandboxTruth;
  stats: SandboxStats;
  /** The emulated organisation; emits 'conversation.changed' on every mutation. */
  world: SandboxWorld;
  clock: SandboxClock;
  /** Changes the fault settings at runtime (the random stream carries on). */
  setFaults(config: FaultConfig): FaultSettings;
  /** Revokes every live access token; returns how many there were. */
  revokeAllTokens(): number;
  /** The web messaging guest socket: ws://127.0.0.1:PORT/v1 (add ?deploymentId=…). */
  webMessagingUrl: string;
  /** The catalog's web messaging deployment id. */
  deploymentId: string;
  webMessaging: {
    sessions(): GuestSessionSummary[];
    /** The session a guest token opened (tests hold the token; the sandbox never shows it). */
    sessionIdForToken(token: string): string | undefined;
    /** Drops guest sockets without a close frame (all, or one session's); returns how many. */
    dropConnections(sessionId?: string): number;
    /** Expires a session now (SessionExpiredEvent). */
    expire(sessionId: string): boolean;
  };
  openMessaging: {
    integrations(): OpenIntegrationSummary[];
    /** Sets an integration's webhook (adding the integration when the id is new). */
    setIntegration(integration: OpenIntegrationOptions): OpenIntegrationSummary;
    /** Every outbound webhook delivery so far, with its attempts. */
    deliveries(): WebhookDelivery[];
    /** Resolves once no webhook POST is on the wire (retries waiting on the clock do not count). */
    whenIdle(): Promise<void>;
    /** The dispatcher's events: 'attempt' (delivery, attempt) and 'settled' (delivery). */
    webhooks: WebhookDispatcher;
  };
  notifications: {
    channels(): ChannelSummary[];
    /** Drops channel sockets without a close frame (all, or one channel's); returns how many. */
    dropSockets(channelId?: string): number;
    /**
     * Clears channel subscriptions (all channels, or one) and sends
     * `v2.system.no_longer_subscribed.{channelId}` (or `v2.system.token_revoked.{channelId}`); returns how many.
     */
    endSubscriptions(channelId?: string, reason?: 'no_longer_subscribed' | 'token_revoked'): number;
  };
  close(): Promise<void>;
}

/** Builds the world, wires the routes and listens. Resolves once the server accepts requests. */
export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const o = resolveSandboxOptions(options);
  const world = new SandboxWorld(
    {
      seed: o.seed,
      conversations: o.conversations,
      nowMs: o.nowMs,
      days: o.days,
      messagesMin: o.messagesMin,
      messagesMax: o.messagesMax,
      uploadMaxBytes: o.uploadMaxBytes,
    },
    o.clock,
  );
  const tokens = new TokenRegistry(o.clock, world.ids, o.tokenLifetimeSeconds);
  const stats = new SandboxStats(() => tokens.issued);
  const faults = new FaultInjector(o.seed, o.faults, o.rateLimitPerMinute);
  const router = new Router();
  const recorder = o.recordDir ? new TrafficRecorder(o.recordDir) : undefined;
  const server = new SandboxServer({
    recorder,
    router,
    tokens,
    faults,
    rateLimiter: new RateLimiter(o.clock),
    stats,
    ids: world.ids,
    sleep: o.sleep,
    onError: o.onError,
  });
  const apiBaseUrl = () => server.apiBaseUrl;
  const timers = new SandboxTimers(o.clock, (error) => o.onError(error, { method: 'TIMER', path: '(sandbox clock)' }));
  const webMessaging = new WebMessagingService({
    world,
    timers,
    stats,
    options: o.webMessaging,
    agentReplyMs: o.agentReplyMs,
    apiBaseUrl,
    onError: (error) => o.onError(error, { method: 'WS', path: '/v1' }),
  });
  const guestGateway = new WebMessagingGateway(webMessaging, stats, recorder);
  server.addUpgradeHandler(guestGateway.handleUpgrade);
  const notifications = new NotificationChannelsService({ world, timers, stats, faults, options: o.notifications, apiBaseUrl, recorder });
  const notificationsGateway = new NotificationsGateway(notifications);
  server.addUpgradeHandler(notificationsGateway.handleUpgrade);
  const openIntegrations = new OpenIntegrationsRegistry(world);
  for (const integration of o.integrations) openIntegrations.configure(integration);
  const webhooks = new WebhookDispatcher({ world, integrations: openIntegrations, timers, stats, options: o.webhooks, apiBaseUrl });
  const services: SandboxServices = {
    world,
    clock: o.clock,
    tokens,
    client: { clientId: o.clientId, clientSecret: o.clientSecret, name: world.catalog.oauthClientName },
    clients: o.clients.map((client, n) => ({ ...client, name: n === 0 ? world.catalog.oauthClientName : `${world.catalog.oauthClientName} ${n + 1}` })),
    faults,
    rateLimitOverride: o.rateLimitPerMinute,
    stats,
    detailsQuery: new DetailsQueryService(world, o.clock),
    jobs: new DetailsJobsService(world, o.clock, faults, stats, { delayMs: o.jobDelayMs, ttlMs: o.jobTtlMs, availabilityLagMs: o.availabilityLagMs }),
    attributeSearch: new AttributeSearchService(world, o.attributeSearchPageSize),
    truth: new SandboxTruth(world, apiBaseUrl, () => webMessaging.sessions()),
    timers,
    webMessaging,
    notifications,
    openIntegrations,
    webhooks,
    apiBaseUrl,
  };

  registerOAuthRoutes(router, services);
  registerConversationRoutes(router, services);
  registerMessagingRoutes(router, services);
  registerParticipantRoutes(router, services);
  registerRoutingQueueRoutes(router, services);
  registerAnalyticsRoutes(router, services);
  registerAttributeSearchRoutes(router, services);
  registerMediaRoutes(router, services);
  registerAdminRoutes(router, services);
  registerWebMessagingRoutes(router, world, webMessaging, guestGateway);
  registerNotificationRoutes(router, notifications);
  registerOpenMessagingRoutes(router, world, openIntegrations, webhooks);
  for (const plugin of o.plugins) {
    await plugin.register({ router, services, onUpgrade: (handler) => server.addUpgradeHandler(handler) });
  }

  const url = await server.listen(o.port, o.host);
  return {
    apiBaseUrl: url,
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    clients: o.clients.map((client) => ({ ...client })),
    truth: services.truth,
    stats,
    world,
    clock: o.clock,
    setFaults: (config) => faults.configure(config, o.rateLimitPerMinute),
    revokeAllTokens: () => tokens.revokeAll(),
    webMessagingUrl: `${url.replace(/^http/, 'ws')}/v1`,
    deploymentId: world.catalog.webDeployments[0].id,
    webMessaging: {
      sessions: () => webMessaging.sessions(),
      sessionIdForToken: (token) => webMessaging.sessionIdForToken(token),
      dropConnections: (sessionId) => guestGateway.drop(sessionId),
      expire: (sessionId) => webMessaging.expire(sessionId),
    },
    openMessaging: {
      integrations: () => openIntegrations.list().map((i) => openIntegrations.summary(i)),
      setIntegration: (integration) => openIntegrations.summary(openIntegrations.configure(integration)),
      deliveries: () => webhooks.deliveries(),
      whenIdle: () => webhooks.whenIdle(),
      webhooks,
    },
    notifications: {
      channels: () => notifications.summaries(),
      dropSockets: (channelId) => notifications.drop(channelId),
      endSubscriptions: (channelId, reason) => notifications.endSubscriptions(channelId, reason),
    },
    close: async () => {
      for (const plugin of o.plugins) await plugin.close?.();
      webMessaging.close();
      guestGateway.close();
      notifications.close();
      webhooks.close();
      notificationsGateway.close();
      timers.cancelAll();
      await server.close();
      recorder?.close();
    },
  };
}
