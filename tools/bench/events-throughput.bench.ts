/**
 * Live events throughput: how fast sandbox conversation changes become domain events
 * (`LiveEvents`: snapshot dedupe, state machine, message bodies read in bulk, receipts, SLA)
 * against the channel manager alone (raw snapshots, no bodies) on the same workload, in the
 * same run — a ratio, since machines differ. 20,000 changes; quick mode (CI) 2,000.
 *
 *   npx tsx --tsconfig tsconfig.base.json tools/bench/run.ts --only events-throughput [--quick]
 */
import type { Benchmark } from './run';

const NOW = '2026-03-01T09:00:00.000Z';

interface Measurement {
  changes: number;
  messages: number;
  outputs: number;
  durationMs: number;
  rssGrowthMb: number;
}

async function measure(mode: 'manager' | 'live-events', changes: number): Promise<Measurement> {
  const { createGenesysConnection } = await import('@gcm/genesys-auth');
  const { ManualClock, startSandbox } = await import('@gcm/genesys-sandbox');
  const { MessagingClient, NotificationChannelManager, queueConversationsTopic } = await import('@gcm/messaging-client');
  const { LiveEvents } = await import('@gcm/live-events');
  const { manualClockTime } = await import('@gcm/live-events/testing');
  const { default: WebSocket } = await import('ws');

  const clock = new ManualClock(NOW);
  const sandbox = await startSandbox({ seed: 2, conversations: 100, days: 5, now: NOW, clock });
  const time = manualClockTime(clock);
  const { transport } = createGenesysConnection({ apiBaseUrl: sandbox.apiBaseUrl, clientId: sandbox.clientId, clientSecret: sandbox.clientSecret, transport: time });
  const queueIds = sandbox.truth.catalog.queues.map((q) => q.id);
  let outputs = 0;
  let messageOutputs = 0;
  let framesReceived = 0;
  const webSocketFactory = (url: string) => {
    const socket = new WebSocket(url);
    socket.on('message', () => framesReceived++);
    return socket;
  };
  let close: () => Promise<void>;
  if (mode === 'manager') {
    const manager = new NotificationChannelManager({ transport, conversations: new MessagingClient({ transport }), webSocketFactory, ...time });
    manager.on('notification', () => outputs++);
    await manager.subscribe(queueIds.map(queueConversationsTopic));
    close = () => manager.close();
  } else {
    const live = LiveEvents.create({ transport, channels: { webSocketFactory }, ...time });
    await live.start();
    live.events$().subscribe((event) => {
      outputs++;
      if (event.type === 'message.received' || event.type === 'message.sent') messageOutputs++;
    });
    await live.follow({ queueIds });
    close = () => live.close();
  }

  const world = sandbox.world;
  const integration = sandbox.truth.catalog.openIntegrations[0].id;
  const agents = sandbox.truth.catalog.agents;
  const active: Array<{ id: string; customer: string; agent?: string }> = [];
  let messages = 0;
  let applied = 0;
  const startRss = process.memoryUsage.rss();
  let peakRss = startRss;
  const started = performance.now();
  const changeCount = () => applied;
  world.on('conversation.changed', () => applied++);
  for (let n = 0; changeCount() < changes; n++) {
    const target = active[n % Math.max(1, active.length)];
    if (!target || active.length < 20 || n % 7 === 0) {
      const customer = `bench-${n}`;
      const { conversation } = world.receiveInbound({ kind: 'open', channelId: integration, from: { id: customer, idType: 'Opaque', firstName: 'B', lastName: 'N', nickname: customer }, time: clock.now(), text: `hello ${n}`, attachments: [] });
      active.push({ id: conversation.id, customer });
      messages++;
    } else if (!target.agent) {
      const agent = agents[n % agents.length];
      target.agent = world.assignAgent(target.id, { id: agent.id, name: agent.name }).communicationId;
    } else if (n % 3 === 0) {
      const message = world.sendOutbound(target.id, target.agent, { text: `answer ${n}` });
      world.applyReceipt(message.id, { status: 'Delivered', time: clock.now(), isFinalReceipt: false });
      messages++;
    } else {
      world.receiveInbound({ kind: 'open', channelId: integration, from: { id: target.customer, idType: 'Opaque', firstName: 'B', lastName: 'N', nickname: target.customer }, time: clock.now(), text: `more ${n}`, attachments: [] });
      messages++;
    }
    if (active.length > 60) active.shift();
    clock.advance(10);
    if (n % 50 === 0) {
      // let the sockets and the processing keep up, as live traffic would
      for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }
  }
  const allFrames = () => framesReceived === sandbox.stats.snapshot().sockets.notifications.framesOut;
  const done = () => allFrames() && (mode === 'manager' || messageOutputs >= messages);
  const deadline = Date.now() + 120_000;
  while (!done() && Date.now() < deadline) await new Promise<void>((resolve) => setImmediate(resolve));
  const durationMs = performance.now() - started;
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  await close();
  await sandbox.close();
  if (!done()) throw new Error(`${mode}: the outputs never caught up (${outputs} outputs, ${messageOutputs}/${messages} messages)`);
  return { changes: applied, messages, outputs, durationMs, rssGrowthMb: (peakRss - startRss) / 1024 / 1024 };
}

const bench: Benchmark = {
  name: 'events-throughput',
  async run({ quick }) {
    const changes = quick ? 2_000 : 20_000;
    const baseline = await measure('manager', changes);
    const full = await measure('live-events', changes);
    const rate = (m: Measurement) => Math.round((m.changes / m.durationMs) * 1000);
    return [
      '## Live events throughput',
      '',
      `${full.changes} sandbox conversation changes (${full.messages} messages) through one channel on loopback; events out of LiveEvents against raw snapshots out of the channel manager on the same workload.`,
      '',
      '| pipeline | changes/s | outputs | time | RSS growth |',
      '|---|---|---|---|---|',
      `| channel manager (snapshots) | ${rate(baseline)} | ${baseline.outputs} snapshots | ${(baseline.durationMs / 1000).toFixed(1)} s | ${baseline.rssGrowthMb.toFixed(0)} MB |`,
      `| LiveEvents (domain events, bodies read) | ${rate(full)} | ${full.outputs} events | ${(full.durationMs / 1000).toFixed(1)} s | ${full.rssGrowthMb.toFixed(0)} MB |`,
      '',
      `LiveEvents keeps ${((rate(full) / rate(baseline)) * 100).toFixed(0)} % of the bare manager's rate (it adds one bulk body read per message and per receipt).`,
    ].join('\n');
  },
};

export default bench;
