import { isoString } from '../clock/sandbox-clock';
import { SandboxWorld } from '../data/sandbox-world';
import { checkIntegration, OpenIntegrationOptions } from '../sandbox-options';

export interface OpenIntegration {
  id: string;
  name: string;
  createdAt: number;
  webhookUrl?: string;
  /** outboundNotificationWebhookSignatureSecretToken: used to sign, never shown. */
  secret?: string;
}

/** What admin routes show: no secret, only whether there is one. */
export interface OpenIntegrationSummary {
  id: string;
  name: string;
  outboundNotificationWebhookUrl?: string;
  hasSecret: boolean;
}

/**
 * Open Messaging integrations: the catalog's two plus any configured at start-up or through
 * /__sandbox. An integration with a webhook URL and secret gets every outbound message of
 * its conversations POSTed to it. Adding one also makes its id valid for inbound messages
 * and agentless sends (it joins the world catalog).
 */
export class OpenIntegrationsRegistry {
  private readonly integrations = new Map<string, OpenIntegration>();

  constructor(private readonly world: SandboxWorld) {
    for (const entity of world.catalog.openIntegrations) {
      this.integrations.set(entity.id, { id: entity.id, name: entity.name, createdAt: world.config.nowMs });
    }
  }

  /** Sets the webhook of an integration, creating it when the id is new. */
  configure(options: OpenIntegrationOptions): OpenIntegration {
    checkIntegration(options);
    let integration = this.integrations.get(options.id);
    if (!integration) {
      integration = { id: options.id, name: options.name ?? `Open Messaging ${this.integrations.size + 1}`, createdAt: this.world.clock.now() };
      this.integrations.set(integration.id, integration);
      this.world.catalog.openIntegrations.push({ id: integration.id, name: integration.name });
    } else if (options.name) {
      integration.name = options.name;
      const entity = this.world.catalog.openIntegrations.find((e) => e.id === options.id);
      if (entity) entity.name = options.name;
    }
    integration.webhookUrl = options.outboundNotificationWebhookUrl;
    integration.secret = options.secret;
    return integration;
  }

  get(id: string): OpenIntegration | undefined {
    return this.integrations.get(id);
  }

  list(): OpenIntegration[] {
    return [...this.integrations.values()];
  }

  summary(integration: OpenIntegration): OpenIntegrationSummary {
    return { id: integration.id, name: integration.name, outboundNotificationWebhookUrl: integration.webhookUrl, hasSecret: integration.secret !== undefined };
  }

  /** The OpenIntegration entity of `GET /api/v2/conversations/messaging/integrations/open/{id}` (secret left out, as the API does). */
  render(integration: OpenIntegration): Record<string, unknown> {
    return {
      id: integration.id,
      name: integration.name,
      outboundNotificationWebhookUrl: integration.webhookUrl ?? '',
      webhookHeaders: {},
      status: 'Active',
      dateCreated: isoString(integration.createdAt),
      createStatus: 'Completed',
      selfUri: `/api/v2/conversations/messaging/integrations/open/${integration.id}`,
    };
  }
}
