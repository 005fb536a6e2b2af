import { LIVE_EVENT_TYPES } from '@gcm/live-events';
import { ManualClock, startSandbox, type RunningSandbox } from '@gcm/genesys-sandbox';
import { manualClockTime } from '@gcm/live-events/testing';
import { EventsService } from '../app/events/events.service';
import { startApiHarness, SANDBOX_NOW, type ApiHarness } from './api-harness';

interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
}

/** Reads SSE frames and comments off a live response, for as long as the test asks. */
function sseReader(response: Response) {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const frames: SseFrame[] = [];
  const comments: string[] = [];
  let buffer = '';
  return {
    frames,
    comments,
    /** Reads until `done` holds (or the real time runs out: the server is real I/O). */
    async until(done: () => boolean, timeoutMs = 20_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!done() && Date.now() < deadline) {
        let timer: NodeJS.Timeout | undefined;
        const chunk = await Promise.race([reader.read(), new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), deadline - Date.now())))]);
        clearTimeout(timer);
        if (!chunk || chunk.done) break;
        buffer += decoder.decode(chunk.value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const frame: SseFrame = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) frame.id = line.slice(4);
            else if (line.startsWith('event: ')) frame.event = line.slice(7);
            else if (line.startsWith('data: ')) frame.data = line.slice(6);
          }
          if (frame.event) frames.push(frame);
        }
      }
    },
  };
}

/** Lets the server's side of a socket catch up (real I/O on 127.0.0.1), without a timer. */
async function untilTrue(condition: () => Promise<boolean> | boolean, what: string, turns = 100_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (await condition()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('GET /v1/events (e2e, Server-Sent Events)', () => {
  let sandbox: RunningSandbox;
  let api: ApiHarness;

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 11, conversations: 40, days: 2, now: SANDBOX_NOW, jobDelayMs: 0, agentReplyMs: false });
    // the API's clock is the sandbox's, so that changes made now count as live
    api = await startApiHarness({ reuseSandbox: sandbox, runtime: { clock: { now: () => sandbox.clock.now() } } });
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await sandbox?.close();
  });

  it('streams the typed event of a conversation change on the followed queue, then stops when the client goes away', async () => {
    // a customer writes in: the conversation waits on the integration's queue for an agent
    const { conversation } = sandbox.world.receiveInbound({
      kind: 'open',
      channelId: sandbox.world.catalog.openIntegrations[0].id,
      from: { id: 'events-e2e-customer', idType: 'Opaque', firstName: 'Eve', lastName: 'Ents', nickname: 'eve' },
      time: sandbox.clock.now(),
      text: 'hello, anyone there?',
      attachments: [],
    });
    const conversationId = conversation.id;
    const queueId = conversation.queueId as string;
    expect(queueId).toEqual(expect.any(String));
    const agent = sandbox.world.catalog.agents[0];

    const abort = new AbortController();
    const path = `/v1/events?queueId=${queueId}&conversationId=${conversationId}`;
    const response = await fetch(`${api.baseUrl}${path}`, {
      headers: { authorization: `Bearer ${api.keys.reader}` },
      signal: abort.signal,
    });
    api.checkResponse('GET', path, response);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');

    sandbox.world.assignAgent(conversationId, { id: agent.id, name: agent.name });
    const joined = (frames: SseFrame[]) =>
      frames.some((f) => f.event === 'participant.joined' && (JSON.parse(f.data ?? '{}') as { participant?: { userId?: string } }).participant?.userId === agent.id);
    const stream = sseReader(response);
    await stream.until(() => joined(stream.frames));
    const { frames, comments } = stream;
    const events = api.app.get(EventsService);
    expect(await events.subscriberCount()).toBe(1);
    abort.abort();
    // the server sees the socket close (real I/O), then drops the subscription
    await untilTrue(async () => (await events.subscriberCount()) === 0, 'the subscription to end');

    expect(comments).toContain('connected');
    expect(frames.length).toBeGreaterThan(0);
    expect(joined(frames)).toBe(true);
    for (const frame of frames) {
      const event = JSON.parse(frame.data ?? '') as { id: string; type: string; conversationId: string };
      expect(LIVE_EVENT_TYPES).toContain(frame.event);
      expect([event.id, event.type, event.conversationId]).toEqual([frame.id, frame.event, conversationId]);
    }
  }, 30_000);

  it('refuses a request without a key (401), a bad filter, and a stream with no queue to follow (400 naming the field)', async () => {
    const anonymous = await api.request('GET', '/v1/events');
    expect(anonymous.status).toBe(401);
    const bad = await api.request('GET', '/v1/events?queueId=not-a-queue', { key: api.keys.reader });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(bad.json)).toContain('queueId');
    // no queueId, and no GCM_API_EVENTS_QUEUE_IDS: rather than heartbeats forever, a 400 saying why
    const noQueue = await api.request('GET', `/v1/events?conversationId=${sandbox.truth.conversationIds()[0]}`, { key: api.keys.reader });
    expect(noQueue.status).toBe(400);
    expect(noQueue.json).toMatchObject({
      type: 'urn:gcm:problem:validation',
      fields: ['queueId'],
      errors: [{ field: 'queueId', code: 'NO_QUEUE_FOLLOWED', message: expect.stringContaining('no queue is followed by default (GCM_API_EVENTS_QUEUE_IDS is empty)') }],
    });
  });
});

describe('GET /v1/events heartbeat (e2e, on a manual clock)', () => {
  let clock: ManualClock;
  let sandbox: RunningSandbox;
  let api: ApiHarness;

  beforeAll(async () => {
    clock = new ManualClock(SANDBOX_NOW);
    sandbox = await startSandbox({ seed: 12, conversations: 5, days: 1, now: SANDBOX_NOW, clock, jobDelayMs: 0, agentReplyMs: false });
    // the API's time is the manual clock's: its timers fire when the test advances it
    api = await startApiHarness({ reuseSandbox: sandbox, runtime: manualClockTime(clock) });
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await sandbox?.close();
  });

  it('writes `: heartbeat` every 15 s of the clock, and cancels its timer when the client goes away', async () => {
    const url = `${api.baseUrl}/v1/events?queueId=${sandbox.world.catalog.queues[0].id}`;
    const headers = { authorization: `Bearer ${api.keys.reader}` };
    // a first subscriber opens the API's one live stream and follows the queue (their timers stay)
    const warmUp = new AbortController();
    const first = sseReader(await fetch(url, { headers, signal: warmUp.signal }));
    await first.until(() => first.comments.includes('connected'));
    warmUp.abort();
    await untilTrue(async () => (await api.app.get(EventsService).subscriberCount()) === 0, 'the first subscription to end');
    const before = clock.pendingTimers;
    const abort = new AbortController();
    const response = await fetch(url, { headers, signal: abort.signal });
    api.checkResponse('GET', '/v1/events', response);
    expect(response.status).toBe(200);
    const stream = sseReader(response);
    await stream.until(() => stream.comments.includes('connected'));
    // the stream's one timer: the next heartbeat
    expect(clock.pendingTimers).toBe(before + 1);
    const heartbeats = () => stream.comments.filter((comment) => comment === 'heartbeat').length;

    for (let n = 1; n <= 3; n++) {
      clock.advance(15_000);
      await stream.until(() => heartbeats() === n);
      expect(heartbeats()).toBe(n);
      // one heartbeat per interval, and again one timer armed for the next
      expect(clock.pendingTimers).toBe(before + 1);
    }
    expect(stream.frames).toEqual([]);

    abort.abort();
    const events = api.app.get(EventsService);
    await untilTrue(async () => (await events.subscriberCount()) === 0, 'the subscription to end');
    // no timer left behind: advancing the clock fires nothing for this stream
    expect(clock.pendingTimers).toBe(before);
    clock.advance(60_000);
    expect(clock.pendingTimers).toBe(before);
  });
});
