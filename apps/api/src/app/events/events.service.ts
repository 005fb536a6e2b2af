import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { GenesysTransport } from '@gcm/genesys-auth';
import { LiveEvents, type LiveEvent, type LiveEventFilter } from '@gcm/live-events';
import type { Observable } from 'rxjs';
import { API_RUNTIME, type ApiRuntime } from '../api-runtime';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../config/api-config.token';
import { GcmLogger } from '@gcm/logging';
import { RequestValidationError } from '../problem/request-validation.error';

/**
 * One LiveEvents stream for the whole API, opened by the first subscriber (an API that
 * nobody watches opens no notification channel) and following every queue asked for.
 */
@Injectable()
export class EventsService implements OnApplicationShutdown {
  private live?: Promise<LiveEvents>;
  private readonly followed = new Set<string>();

  constructor(
    @Inject(GenesysTransport) private readonly transport: GenesysTransport,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(API_RUNTIME) private readonly runtime: ApiRuntime,
    @Inject(GcmLogger) private readonly logger: GcmLogger,
  ) {}

  /** Follows the requested queue (or the configured ones) and returns the matching events, hot. */
  async open(query: { queueId?: string; conversationId?: string }): Promise<Observable<LiveEvent>> {
    const queueIds = query.queueId ? [query.queueId] : [...this.config.events.queueIds];
    if (queueIds.length === 0) {
      // Genesys publishes conversation events per queue: with none followed, the stream
      // would carry heartbeats only, forever
      throw new RequestValidationError([
        { field: 'queueId', message: 'is required: no queue is followed by default (GCM_API_EVENTS_QUEUE_IDS is empty); pass the id of a queue (`gcm queues` lists them)', code: 'NO_QUEUE_FOLLOWED' },
      ]);
    }
    const live = await this.started();
    const missing = queueIds.filter((id) => !this.followed.has(id));
    if (missing.length > 0) {
      await live.follow({ queueIds: missing });
      for (const id of missing) this.followed.add(id);
    }
    const filter: LiveEventFilter = {
      ...(query.queueId ? { queueIds: [query.queueId] } : {}),
      ...(query.conversationId ? { conversationIds: [query.conversationId] } : {}),
    };
    return live.events$(filter);
  }

  /** Clients subscribed right now (0 before the first one). */
  async subscriberCount(): Promise<number> {
    return this.live ? (await this.live).processor.hub.subscriberCount : 0;
  }

  async onApplicationShutdown(): Promise<void> {
    const live = this.live;
    this.live = undefined;
    if (live) await (await live.catch(() => undefined))?.close();
  }

  private started(): Promise<LiveEvents> {
    if (!this.live) {
      const opening = (async () => {
        const live = LiveEvents.create({
          transport: this.transport,
          ...(this.runtime.clock ? { clock: this.runtime.clock } : {}),
          logger: this.logger.forLibrary('LiveEvents'),
        });
        await live.start();
        return live;
      })();
      // a failed start is retried by the next subscriber
      opening.catch(() => {
        if (this.live === opening) this.live = undefined;
      });
      this.live = opening;
    }
    return this.live;
  }
}
