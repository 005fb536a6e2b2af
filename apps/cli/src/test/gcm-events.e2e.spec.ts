import { GuestSession } from '@gcm/messaging-client';
import { GcmWorld, ndjson, stderrEvents } from './gcm-harness';

interface Event {
  id: string;
  type: string;
  conversationId?: string;
  message?: { text?: string };
}

/** `gcm events tail`: the real binary following a queue's live events from the sandbox. */
describe('gcm events tail', () => {
  let world: GcmWorld;

  beforeAll(async () => {
    world = await GcmWorld.start({ conversations: 10, days: 1, agentReplyMs: false });
  });
  afterAll(() => world.stop());

  it('prints the live events of a followed queue as NDJSON and stops after --max with where to continue', async () => {
    const queue = world.sandbox.truth.catalog.queues[0];
    const queueId = queue.id;
    // by name: gcm looks the queue up in the routing API
    const child = world.spawn(['events', 'tail', '--queue', queue.name, '--max', '3', '--json']);
    let stderr = '';
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    // a guest writes once gcm says it follows the queue (a guest's first message lands in the first queue)
    let guest: Promise<GuestSession> | undefined;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (guest || !stderr.includes(`gcm: following queue ${queue.name}`)) return;
      guest = GuestSession.open({ apiBaseUrl: world.sandbox.apiBaseUrl, deploymentId: world.sandbox.deploymentId, keepAlive: false }).then(async (session) => {
        await session.sendText('Is anyone there?');
        return session;
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const session = await guest;

    expect(code).toBe(0);
    const events = ndjson<Event>(stdout);
    expect(events).toHaveLength(3);
    const conversationId = world.sandbox.truth.guestConversationIds().at(-1);
    expect(new Set(events.map((e) => e.conversationId))).toEqual(new Set([conversationId]));
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['participant.joined', 'message.received']));
    expect(events.find((e) => e.type === 'message.received')?.message?.text).toBe('Is anyone there?');
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
    const stopped = stderrEvents(stderr).find((e) => e['event'] === 'stopped');
    expect(stopped).toMatchObject({ reason: 'max', events: 3, since: expect.any(String) });

    // written while nobody tails: --since re-reads it, so the next tail misses nothing
    await session?.sendText('Hello? Still waiting.');
    session?.disconnect();
    const next = await world.run(['events', 'tail', '--queue', queueId, '--since', stopped?.['since'] as string, '--type', 'message.received', '--max', '1', '--json']);
    expect(next.code).toBe(0);
    expect(ndjson<Event>(next.stdout).map((e) => e.message?.text)).toEqual(['Hello? Still waiting.']);
  });

  it('exits 2 without a queue or user to follow, or for an unknown event type', async () => {
    const [nothing, badType] = await Promise.all([world.run(['events', 'tail']), world.run(['events', 'tail', '--queue', 'q', '--type', 'message.deleted'])]);
    expect([nothing.code, badType.code]).toEqual([2, 2]);
    expect(badType.stderr).toContain('Unknown event type message.deleted');
  });
});
