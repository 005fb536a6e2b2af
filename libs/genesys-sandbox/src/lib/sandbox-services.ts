import type { AttributeSearchService } from './search/attribute-search.service';
import type { DetailsJobsService } from './analytics/details-jobs.service';
import type { DetailsQueryService } from './analytics/details-query.service';
import type { OAuthClientRecord, TokenRegistry } from './auth/token-registry';
import type { SandboxClock } from './clock/sandbox-clock';
import type { SandboxWorld } from './data/sandbox-world';
import type { FaultInjector } from './faults/fault-injector';
import type { SandboxStats } from './stats/sandbox-stats';
import type { SandboxTruth } from './truth/sandbox-truth';
import type { SandboxTimers } from './clock/sandbox-timers';
import type { WebMessagingService } from './webmessaging/web-messaging.service';
import type { NotificationChannelsService } from './notifications/notification-channels.service';
import type { OpenIntegrationsRegistry } from './open-messaging/open-integrations.registry';
import type { WebhookDispatcher } from './open-messaging/webhook-dispatcher';

/** What route modules get to work with. Part 2 modules receive the same object. */
export interface SandboxServices {
  world: SandboxWorld;
  clock: SandboxClock;
  tokens: TokenRegistry;
  /** The first OAuth client (the one `clientId`/`clientSecret` name). */
  client: OAuthClientRecord;
  /** Every OAuth client of the org (`clients` option), the first one first. */
  clients: OAuthClientRecord[];
  faults: FaultInjector;
  /** The --rate-limit override, kept when the fault profile changes at runtime. */
  rateLimitOverride?: number;
  stats: SandboxStats;
  detailsQuery: DetailsQueryService;
  jobs: DetailsJobsService;
  attributeSearch: AttributeSearchService;
  truth: SandboxTruth;
  /** Timers on the sandbox clock (ManualClock: fired by advance). */
  timers: SandboxTimers;
  /** Web messaging guest sessions (the /v1 socket). */
  webMessaging: WebMessagingService;
  /** Notifications channels and their sockets. */
  notifications: NotificationChannelsService;
  /** Open Messaging integrations and their webhook configuration. */
  openIntegrations: OpenIntegrationsRegistry;
  /** Outbound Open Messaging webhook deliveries. */
  webhooks: WebhookDispatcher;
  /** http://host:port of the running server (known once it listens). */
  apiBaseUrl(): string;
}
