import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { LiveEvent } from '@gcm/live-events';
import { Subscription } from 'rxjs';
import { RequireScope } from '../auth/auth.decorators';
import type { ApiRequest, ApiResponse } from '../http/api-request';
import { ProblemResponse } from '../problem/problem-response.decorator';
import { EventsQueryDto } from './events.dto';
import { EventsService } from './events.service';

export const EVENT_STREAM_CONTENT_TYPE = 'text/event-stream';
/** Proxies close idle connections; a comment line keeps the stream alive. */
export const HEARTBEAT_MS = 15_000;

/** One Server-Sent Events frame: `id` is the event id, `event` its type, `data` the event as JSON. */
export function sseFrame(event: LiveEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

@ApiTags('events')
@Controller('events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  @RequireScope('read')
  @ApiOperation({
    summary: 'Live conversation events, as Server-Sent Events',
    description: [
      'One frame per event: `id:` the event id (stable across restarts), `event:` its type (participant.joined, message.received, receipt.received, conversation.ended, …), `data:` the event as JSON.',
      'Filter with `queueId` (the queue is followed) and/or `conversationId`; without `queueId` the queues of GCM_API_EVENTS_QUEUE_IDS are followed.',
      `A comment line (\`: heartbeat\`) every ${HEARTBEAT_MS / 1000} s keeps idle connections open. Events are live only: a reconnecting client gets what happens from then on.`,
    ].join(' '),
  })
  @ApiProduces(EVENT_STREAM_CONTENT_TYPE)
  @ApiOkResponse({ description: 'The event stream', content: { [EVENT_STREAM_CONTENT_TYPE]: { schema: { type: 'string' } } } })
  @ProblemResponse(400, 'Invalid filter; `errors` names the fields')
  async stream(@Query() query: EventsQueryDto, @Req() request: ApiRequest, @Res() response: ApiResponse): Promise<void> {
    const events$ = await this.events.open(query);
    response.statusCode = 200;
    response.setHeader('Content-Type', `${EVENT_STREAM_CONTENT_TYPE}; charset=utf-8`);
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('X-Accel-Buffering', 'no');
    response.flushHeaders();
    response.write(': connected\n\n');
    const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    const subscription = new Subscription();
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      clearInterval(heartbeat);
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
}
