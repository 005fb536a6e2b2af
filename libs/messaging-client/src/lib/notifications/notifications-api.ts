import { GenesysNotFoundError, type GenesysTransport } from '@gcm/genesys-auth';
import type { NotificationChannel, TopicSubscriptionResult } from './notification.model';
import { NotificationsError, NotificationsErrorCode } from './notifications.error';

/** The part of the Genesys transport the Notifications API uses. */
export type NotificationsTransport = Pick<GenesysTransport, 'get' | 'post' | 'put' | 'delete' | 'request'>;

const CHANNELS = '/api/v2/notifications/channels';
const seg = encodeURIComponent;

/**
 * The Notifications API endpoints (genesys-api.md §5) through the one authenticated
 * transport: channels, subscriptions (PUT replaces, POST adds) and the validity check.
 */
export class NotificationsApi {
  constructor(private readonly transport: NotificationsTransport) {}

  /** `POST /api/v2/notifications/channels`. Not retried after a 5xx: a second POST would make a second channel. */
  async createChannel(signal?: AbortSignal): Promise<NotificationChannel> {
    const { data } = await this.transport.post<NotificationChannel>(CHANNELS, undefined, { signal });
    if (typeof data?.id !== 'string' || typeof data?.connectUri !== 'string') {
      throw new NotificationsError(NotificationsErrorCode.UnexpectedResponse, 'Genesys created a notification channel but its answer has no id or connectUri.');
    }
    return data;
  }

  /**
   * `PUT` (replace) or `POST` (add) `…/channels/{id}/subscriptions`: every topic is judged on
   * its own, so the answer lists Permitted and Rejected topics side by side. Both only set
   * state, so repeating them is safe.
   */
  async subscribe(channelId: string, topics: readonly string[], mode: 'replace' | 'add', signal?: AbortSignal): Promise<TopicSubscriptionResult[]> {
    const path = `${CHANNELS}/${seg(channelId)}/subscriptions`;
    const body = topics.map((id) => ({ id }));
    const init = { retrySafe: true, signal, query: { ignoreErrors: true } };
    const { data } = mode === 'replace' ? await this.transport.put<{ entities?: unknown }>(path, body, init) : await this.transport.post<{ entities?: unknown }>(path, body, init);
    return readResults(data?.entities);
  }

  /** `GET …/channels/{id}/subscriptions`. */
  async subscriptions(channelId: string, signal?: AbortSignal): Promise<TopicSubscriptionResult[]> {
    const { data } = await this.transport.get<{ entities?: unknown }>(`${CHANNELS}/${seg(channelId)}/subscriptions`, { signal });
    return readResults(data?.entities);
  }

  /** `DELETE …/channels/{id}/subscriptions`: the channel stops publishing (it cannot be deleted itself). */
  async clearSubscriptions(channelId: string, signal?: AbortSignal): Promise<void> {
    await this.transport.delete(`${CHANNELS}/${seg(channelId)}/subscriptions`, { signal });
  }

  /** `HEAD …/channels/{id}`: false once the channel expired or was evicted. */
  async channelExists(channelId: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.transport.request({ method: 'HEAD', path: `${CHANNELS}/${seg(channelId)}`, signal });
      return true;
    } catch (error) {
      if (error instanceof GenesysNotFoundError) return false;
      throw error;
    }
  }
}

function readResults(entities: unknown): TopicSubscriptionResult[] {
  if (!Array.isArray(entities)) {
    throw new NotificationsError(NotificationsErrorCode.UnexpectedResponse, 'Genesys answered a subscriptions request without an entities list.');
  }
  return entities
    .filter((e): e is TopicSubscriptionResult => typeof e?.id === 'string')
    .map((e) => ({
      id: e.id,
      state: e.state === 'Rejected' ? 'Rejected' : 'Permitted',
      ...(e.rejectionReason === undefined ? {} : { rejectionReason: e.rejectionReason }),
      ...(e.missingPermissions === undefined ? {} : { missingPermissions: e.missingPermissions }),
    }));
}
