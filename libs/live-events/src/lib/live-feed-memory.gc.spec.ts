import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInThisContext } from 'node:vm';
import WebSocket from 'ws';
import { createGenesysConnection } from '@gcm/genesys-auth';
import { ManualClock, startSandbox, type RunningSandbox } from '@gcm/genesys-sandbox';
import { openDatabase, type StoreDatabase } from '@gcm/store';
import { manualClockTime } from '../testing';
import { CrmOutboxSink } from './crm/crm-outbox.sink';
import { LiveEvents } from './live-events.service';
import { settle, until } from './test/event-loop';

/**
 * Memory of the live feed is bounded by what it follows, never by the number of events
 * seen: tens of thousands of notification frames for a fixed set of conversations go
 * through the channel manager and LiveEvents (state machine, CRM outbox on SQLite), and
 * the heap left after a full garbage collection is the same after 10,000 frames as after
 * 40,000. Each change is published on two topics (the queue's and the agent's), so the
 * manager's merge sees every frame twice. Holds and resumes make most of the frames; every
 * 50th change is an agent message, whose body the processor reads in bulk through a
 * transport limited to 120 requests a minute (on the manual clock, which moves 1 s per
 * 100 changes): as in production when the token budget runs short, the body reads fall
 * far behind the socket, and the processor must not keep a snapshot per frame meanwhile.
 *
 * Needs `--expose-gc`: `npm run test:memory` (what `.ci/run` runs).
 */
const NOW = '2026-03-01T09:00:00.000Z';
const CONVERSATIONS = 20;
/** Body reads allowed per minute: far fewer than the snapshots with a new message. */
const REQUESTS_PER_MINUTE = 120;
const MB = 1024 * 1024;

const gc = ((globalThis as { gc?: () => void }).gc ?? runInThisContext('typeof gc === "function" ? gc : undefined')) as (() => void) | undefined;

describe('live feed memory: frames vs heap', () => {
  jest.setTimeout(240_000);

  let sandbox: RunningSandbox;
  let store: StoreDatabase;
  let live: LiveEvents;
  let scratch: string;
  let framesReceived = 0;
  let conversationFrames = 0;
  let holdEvents = 0;
  let messageEvents = 0;
  let clock: ManualClock;
  const failures: string[] = [];

  beforeAll(async () => {
    if (!gc) throw new Error('the garbage collector is not exposed: run this spec with node --expose-gc (npm run test:memory)');
    scratch = mkdtempSync(join(tmpdir(), 'gcm-live-memory-'));
    clock = new ManualClock(NOW);
    sandbox = await startSandbox({ seed: 11, conversations: 20, days: 2, now: NOW, clock, agentReplyMs: false });
    store = await openDatabase(`sqlite:${join(scratch, 'gcm.sqlite')}`);
    const time = manualClockTime(clock);
    const { transport } = createGenesysConnection({
      apiBaseUrl: sandbox.apiBaseUrl,
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      transport: { clock: time.clock, sleep: time.sleep, random: () => 0.5, rateLimit: { requestsPerMinute: REQUESTS_PER_MINUTE } },
    });
    live = LiveEvents.create({
      transport,
      sinks: [new CrmOutboxSink({ store, destination: 'crm' })],
      clock: time.clock,
      sleep: time.sleep,
      random: () => 0.5,
      channels: {
        webSocketFactory: (url) => {
          const socket = new WebSocket(url);
          socket.on('message', (data) => {
            framesReceived++;
            if (!String(data).includes('"topicName":"channel.metadata"')) conversationFrames++;
          });
          return socket;
        },
      },
    });
    live.manager.on('failure', (failure) => failures.push(`${failure.operation}: ${failure.error.message}`));
    await live.start();
    const counting = live.events();
    void (async () => {
      for await (const event of counting) {
        if (event.type === 'participant.held' || event.type === 'participant.resumed') holdEvents++;
        if (event.type === 'message.sent') messageEvents++;
      }
    })();
  });

  afterAll(async () => {
    await live?.close();
    await sandbox?.close();
    await store?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** Everything received is processed: the clock moves on meanwhile, for the rate-limited body reads. */
  async function processed(): Promise<void> {
    let idle = false;
    void live.idle().then(() => (idle = true));
    const deadline = Date.now() + 60_000;
    while (!idle) {
      if (Date.now() > deadline) throw new Error('the processor did not catch up within 60 s');
      clock.advance(1_000);
      await settle(5);
    }
  }

  function heapAfterGc(): number {
    gc?.();
    gc?.();
    return process.memoryUsage().heapUsed;
  }

  it('keeps the heap after GC flat from 10,000 to 40,000 frames', async () => {
    const catalog = sandbox.truth.catalog;
    const world = sandbox.world;
    const follow = await live.follow({ queueIds: catalog.queues.map((q) => q.id), userIds: catalog.agents.map((a) => a.id) });
    expect(follow.rejected).toEqual([]);

    // a fixed set of conversations, each with a connected agent
    const agents: Array<{ conversationId: string; participantId: string; communicationId: string; held: boolean }> = [];
    for (let i = 0; i < CONVERSATIONS; i++) {
      const customer = `memory-customer-${i}`;
      const { conversation } = world.receiveInbound({
        kind: 'open',
        channelId: catalog.openIntegrations[0].id,
        from: { id: customer, idType: 'Opaque', firstName: 'Mem', lastName: `Ory${i}`, nickname: customer },
        time: sandbox.clock.now(),
        text: `hello ${i}`,
        attachments: [],
      });
      const agent = catalog.agents[i % catalog.agents.length];
      const participant = world.assignAgent(conversation.id, { id: agent.id, name: agent.name });
      agents.push({ conversationId: conversation.id, participantId: participant.id, communicationId: participant.communicationId ?? '', held: false });
    }
    await until(() => framesReceived === sandbox.stats.snapshot().sockets.notifications.framesOut, 'the set-up frames', 30_000);
    await processed();

    let changes = 0;
    let holds = 0;
    let messages = 0;
    const framesAtStart = conversationFrames;
    /** Holds and resumes round the conversations until `frames` more frames have arrived (the processor may still be behind). */
    const pushFrames = async (frames: number) => {
      const target = conversationFrames + frames;
      while (conversationFrames < target) {
        for (let i = 0; i < 100; i++) {
          const agent = agents[changes % agents.length];
          if (changes % 50 === 49) {
            world.sendOutbound(agent.conversationId, agent.communicationId, { text: `answer ${changes}` });
            messages++;
          } else {
            agent.held = !agent.held;
            world.patchParticipant(agent.conversationId, agent.participantId, { held: agent.held });
            holds++;
          }
          changes++;
        }
        clock.advance(1_000);
        await until(() => framesReceived === sandbox.stats.snapshot().sockets.notifications.framesOut, 'the frames to arrive', 30_000);
      }
    };

    await pushFrames(4_000); // warm-up: code paths compiled, pools filled
    await pushFrames(6_000);
    const at10k = { frames: conversationFrames - framesAtStart, heap: heapAfterGc() };
    await pushFrames(30_000);
    const at40k = { frames: conversationFrames - framesAtStart, heap: heapAfterGc() };

    await processed();
    const settled = heapAfterGc();
    const report = `heap after GC: ${(at10k.heap / MB).toFixed(1)} MB at ${at10k.frames} frames, ${(at40k.heap / MB).toFixed(1)} MB at ${at40k.frames} frames, ${(settled / MB).toFixed(1)} MB once processed`;
    process.stdout.write(`${report}\n`);

    expect(at40k.frames).toBeGreaterThanOrEqual(40_000);
    expect(at40k.heap).toBeLessThanOrEqual(at10k.heap * 1.1);
    expect(settled).toBeLessThanOrEqual(at10k.heap * 1.1);
    // nothing was lost on the way: every hold and resume came out once
    await until(() => holdEvents === holds && messageEvents === messages, `${holds} hold and ${messages} message events (have ${holdEvents}, ${messageEvents})`, 30_000);
    expect(failures).toEqual([]);
  });
});
