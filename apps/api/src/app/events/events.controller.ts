import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { realSleep, type Sleep } from '@gcm/genesys-auth';
import type { LiveEvent } from '@gcm/live-events';
import { Subscription } from 'rxjs';
import { API_RUNTIME, type ApiRuntime } from '../api-runtime';
import { RequireScope } from '../auth/auth.decorators';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../config/api-config.token';
import type { ApiRequest, ApiResponse } from '../http/api-request';
import { ProblemResponse, UpstreamProblems } from '../problem/problem-response.decorator';
import { EventsQueryDto } from './events.dto';
import { EventsService } from './events.service';

export const EVENT_STREAM_CONTENT_TYPE = 'text/event-stream';
/** Proxies close idle connections; a comment line keeps the stream alive. */
export const HEARTBEAT_COMMENT = ': heartbeat\n\n';

/** One Server-Sent Events frame: `id` is the event id, `event` its type, `data` the event as JSON. */
export function sseFrame(event: LiveEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

@ApiTags('events')
@Controller('events')
export class EventsController {
  private readonly sleep: Sleep;

  constructor(
    private readonly events: EventsService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(API_RUNTIME) runtime: ApiRuntime,
  ) {
    this.sleep = runtime.sleep ?? realSleep;
  }

  @Get()
  @RequireScope('read')
  @ApiOperation({
    summary: 'Live conversation events, as Server-Sent Events',
    description: [
      'One frame per event: `id:` the event id (stable across restarts), `event:` its type (participant.joined, message.received, receipt.received, conversation.ended, …), `data:` the event as JSON.',
      'Filter with `queueId` (the queue is followed) and/or `conversationId`; without `queueId` the queues of GCM_API_EVENTS_QUEUE_IDS are followed, and when that is empty the request is a 400 naming `queueId` (Genesys publishes conversation events per queue: the stream would carry heartbeats only).',
      'A comment line (`: heartbeat`) every GCM_API_EVENTS_HEARTBEAT (15 s by default) keeps idle connections open. Events are live only: a reconnecting client gets what happens from then on.',
    ].join(' '),
  })
  @ApiProduces(EVENT_STREAM_CONTENT_TYPE)
  @ApiOkResponse({ description: 'The event stream', content: { [EVENT_STREAM_CONTENT_TYPE]: { schema: { type: 'string' } } } })
  @ProblemResponse(400, 'Invalid filter, or no queue to follow (no `queueId` and no GCM_API_EVENTS_QUEUE_IDS); `errors` names the fields', ['validation'])
  @UpstreamProblems()
  async stream(@Query() query: EventsQueryDto, @Req() request: ApiRequest, @Res() response: ApiResponse): Promise<void> {
    const events$ = await this.events.open(query);
    response.statusCode = 200;
    response.setHeader('Content-Type', `${EVENT_STREAM_CONTENT_TYPE}; charset=utf-8`);
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('X-Accel-Buffering', 'no');
    response.flushHeaders();
    response.write(': connected\n\n');
    const heartbeat = new AbortController();
    void this.heartbeats(response, heartbeat.signal);
    const subscription = new Subscription();
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      heartbeat.abort();
      subscription.unsubscribe();
      if (!response.writableEnded) response.end();
    };
    // added to a subscription already closed (the stream ended at once), it is unsubscribed at once
    subscription.add(
      events$.subscribe({
        next: (event) => void response.write(sseFrame(event)),
        error: stop,
        complete: stop,
      }),
    );
    response.once('close', stop);
    request.once('aborted', stop);
  }

  /** A `: heartbeat` comment every interval, on the runtime's timer, until the stream stops (its timer is cancelled then). */
  private async heartbeats(response: ApiResponse, signal: AbortSignal): Promise<void> {
    for (;;) {
      try {
        await this.sleep(this.config.events.heartbeatMs, signal);
      } catch {
        return;
      }
      if (response.writableEnded) return;
      response.write(HEARTBEAT_COMMENT);
    }
  }
}
