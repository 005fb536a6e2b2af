import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArchiveJob } from '@gcm/archive';
import { Redactor } from '@gcm/audit';
import { createGenesysConnection } from '@gcm/genesys-auth';
import { ManualClock, startSandbox, type RunningSandbox } from '@gcm/genesys-sandbox';
import { crmOutboxKey, LiveEventsCheckpoint } from '@gcm/live-events';
import { manualClockTime } from '@gcm/live-events/testing';
import { MessagingClient } from '@gcm/messaging-client';
import { ConversationSearch } from '@gcm/search-stream';
import { DatabaseArchiveSink, openDatabase, type StoreDatabase } from '@gcm/store';
import { Registry } from 'prom-client';
import { loadSchedulerConfig } from '../config/scheduler-config';
import { GcmLogger } from '@gcm/logging';
import { LagMetrics } from '../metrics/lag-metrics';
import { SchedulerMetrics } from '../metrics/scheduler-metrics';
import { expectedRecordKeys, startWorkload } from '../../test/live-workload';
import { LIVE_FEED_LEASE, LiveFeedRunner } from './live-feed-runner.service';

const NOW = '2026-03-02T09:00:00.000Z';
const LEASE_MS = 30_000;
/** A queue the organisation does not have: Genesys rejects its topic. */
const UNKNOWN_QUEUE = '0badc0de-0000-4000-8000-000000000000';

/** Waits for real I/O (sockets and HTTP on 127.0.0.1, SQLite) until `condition` holds; never on a timer. */
async function until(condition: () => boolean | Promise<boolean>, what: string, turns = 200_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (await condition()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`gave up waiting for ${what}`);
}

interface Replica {
  readonly id: string;
  readonly runner: LiveFeedRunner;
  readonly store: StoreDatabase;
  readonly metrics: SchedulerMetrics;
  readonly lines: Array<Record<string, unknown>>;
  saw(msg: string, fields?: Record<string, unknown>): boolean;
}

/**
 * Two replicas' live feeds on one database, in process, against the sandbox on a manual
 * clock: the lease decides which one follows the topics, and a replica that loses it stops
 * while the other resumes from the shared checkpoint.
 */
describe('LiveFeedRunner (two replicas, one SQLite file, the sandbox on a manual clock)', () => {
  jest.setTimeout(60_000);

  let clock: ManualClock;
  let sandbox: RunningSandbox;
  let directory: string;
  const replicas: Replica[] = [];

  beforeAll(async () => {
    clock = new ManualClock(NOW);
    sandbox = await startSandbox({ seed: 17, conversations: 30, days: 2, now: NOW, clock, jobDelayMs: 0, agentReplyMs: false });
    directory = mkdtempSync(join(tmpdir(), 'gcm-live-feed-'));
  });

  afterAll(async () => {
    for (const replica of replicas) {
      await replica.runner.beforeApplicationShutdown();
      await replica.store.close();
    }
    await sandbox?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  async function replica(id: string): Promise<Replica> {
    const time = manualClockTime(clock);
    const { catalog } = sandbox.truth;
    const config = loadSchedulerConfig({
      GENESYSCLOUD_API_BASE_URL: sandbox.apiBaseUrl,
      GENESYSCLOUD_OAUTHCLIENT_ID: sandbox.clientId,
      GENESYSCLOUD_OAUTHCLIENT_SECRET: sandbox.clientSecret,
      GCM_SCHEDULER_REPLICA_ID: id,
      GCM_SCHEDULER_CRM_URL: 'http://127.0.0.1:9/crm',
      GCM_SCHEDULER_LIVE_QUEUE_IDS: [...catalog.queues.map((queue) => queue.id), UNKNOWN_QUEUE].join(','),
      GCM_SCHEDULER_LIVE_USER_IDS: catalog.agents.map((agent) => agent.id).join(','),
      GCM_SCHEDULER_LIVE_LEASE: `${LEASE_MS}ms`,
    });
    const store = await openDatabase(`sqlite:${join(directory, 'gcm.sqlite')}`, { clock: time.clock });
    const { transport } = createGenesysConnection({
      apiBaseUrl: sandbox.apiBaseUrl,
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      transport: { clock: time.clock, sleep: time.sleep },
    });
    const lines: Array<Record<string, unknown>> = [];
    const logger = new GcmLogger({ level: 'info', redactor: new Redactor({ knownSecrets: config.secrets }), sink: { write: (line) => lines.push(JSON.parse(line)) } });
    const metrics = new SchedulerMetrics(new Registry());
    const runner = new LiveFeedRunner(config, store, transport, logger, metrics, time);
    // the lag gauges read the archive job's stored watermark (none here: the job never runs) and the feed's
    const job = new ArchiveJob({
      store,
      sink: new DatabaseArchiveSink(store),
      search: new ConversationSearch({ transport }),
      messaging: new MessagingClient({ transport }),
      clock: time.clock,
      sleep: time.sleep,
    });
    new LagMetrics(config, metrics, job, store, runner, time).onModuleInit();
    const saw = (msg: string, fields: Record<string, unknown> = {}) =>
      lines.some((line) => line['msg'] === msg && Object.entries(fields).every(([key, value]) => line[key] === value));
    const created = { id, runner, store, metrics, lines, saw };
    replicas.push(created);
    return created;
  }

  async function inOutbox(store: StoreDatabase, keys: readonly string[]): Promise<boolean> {
    for (const key of keys) if (!(await store.outbox.getByIdempotencyKey(key))) return false;
    return true;
  }

  it('runs on the lease holder only; a holder that loses the lease stops, and the other resumes from the checkpoint', async () => {
    const a = await replica('replica-a');
    const b = await replica('replica-b');
    const topics = sandbox.truth.catalog.queues.length + sandbox.truth.catalog.agents.length;

    a.runner.onApplicationBootstrap();
    await until(() => a.saw('Live feed started'), 'replica-a to start the feed');
    b.runner.onApplicationBootstrap();
    await until(() => b.saw('Live feed on standby: another replica runs it', { runningOn: 'replica-a' }), 'replica-b to wait');
    expect(a.runner.status()).toMatchObject({ state: 'running', channelsOpen: 1, topics: { permitted: topics, rejected: 1 } });
    expect(b.runner.status()).toMatchObject({ state: 'standby', runningOn: 'replica-a', channelsOpen: 0 });
    // one Rejected topic is reported with Genesys' reason; the others are followed
    const rejected = a.lines.filter((line) => line['msg'] === 'Live feed topic rejected');
    expect(rejected).toEqual([expect.objectContaining({ level: 'warn', topic: `v2.routing.queues.${UNKNOWN_QUEUE}.conversations.messages`, reason: expect.stringContaining(UNKNOWN_QUEUE) })]);

    const workload = startWorkload(sandbox, 3);
    for (let i = 0; i < 30; i++) workload.step();
    const outboxKeys = () => expectedRecordKeys(workload).map((key) => crmOutboxKey('crm', key));
    const firstKeys = outboxKeys();
    await until(() => inOutbox(a.store, firstKeys), "replica-a's records in the outbox");
    expect(a.runner.status().eventsWritten).toBeGreaterThan(0);
    expect(await a.metrics.registry.getSingleMetricAsString('gcm_live_feed_running')).toContain('gcm_live_feed_running 1');

    // replica-a stalls past its lease and replica-b takes it: the next renewal tells replica-a it lost it
    const lease = await a.store.checkpoints.get(LIVE_FEED_LEASE);
    expect(lease?.resumeToken).toMatchObject({ owner: 'replica-a' });
    await a.store.checkpoints.compareAndSet(LIVE_FEED_LEASE, lease?.revision ?? null, { watermark: null, resumeToken: { owner: 'replica-a', expiresAt: clock.now() - 1 } });
    clock.advance(LEASE_MS / 3);
    await until(() => a.saw('Live feed lease lost: another replica runs the feed now'), 'replica-a to learn it lost the lease');
    await until(() => b.saw('Live feed started'), 'replica-b to take over');
    await until(() => a.saw('Live feed on standby: another replica runs it', { runningOn: 'replica-b' }), 'replica-a to wait');
    const takeover = b.lines.find((line) => line['msg'] === 'Live feed started');
    expect(takeover?.['resumedFrom']).toEqual(expect.any(String));

    for (let i = 0; i < 30; i++) workload.step();
    const allKeys = outboxKeys();
    await until(() => inOutbox(b.store, allKeys), "replica-b's records in the outbox");
    expect(allKeys.length).toBeGreaterThan(firstKeys.length);

    // one replica follows the topics: its channel is the only one connected
    expect(sandbox.notifications.channels().filter((channel) => channel.connected)).toHaveLength(1);
    expect(a.runner.status()).toMatchObject({ state: 'standby', runningOn: 'replica-b', channelsOpen: 0 });
    expect(b.runner.status()).toMatchObject({ state: 'running', channelsOpen: 1, topics: { permitted: topics, rejected: 1 } });
    expect(b.runner.status().eventsWritten).toBeGreaterThan(0);
    const metricsB = await b.metrics.registry.metrics();
    expect(metricsB).toContain('gcm_live_feed_running 1');
    expect(metricsB).toContain('gcm_live_feed_channels_open 1');
    expect(metricsB).toContain('gcm_live_feed_topics{verdict="rejected"} 1');
    expect(await a.metrics.registry.getSingleMetricAsString('gcm_live_feed_running')).toContain('gcm_live_feed_running 0');

    // lag: the running feed has processed everything (0 s behind); the standby replica reads the
    // checkpoint the feed saves every 5 s; the archive never ran, so its lag is unknown
    const gauge = async (replica: Replica, name: string) => Number((await replica.metrics.registry.getSingleMetricAsString(name)).split('\n').find((line) => line.startsWith(`${name} `))?.split(' ')[1]);
    await b.runner['live']?.idle();
    expect(await gauge(b, 'gcm_live_feed_lag_seconds')).toBe(0);
    const saved = (await new LiveEventsCheckpoint(a.store, 'crm').load()) as number;
    clock.advance(2_000);
    expect(await gauge(a, 'gcm_live_feed_lag_seconds')).toBe((clock.now() - saved) / 1_000);
    expect(await gauge(a, 'gcm_archive_watermark_lag_seconds')).toBeNaN();

    // shutdown: the feed closes, its watermark is saved and the lease is free for the next replica
    await b.runner.beforeApplicationShutdown();
    expect(b.runner.status().state).toBe('stopped');
    const stopped = b.lines.find((line) => line['msg'] === 'Live feed stopped');
    expect(await new LiveEventsCheckpoint(b.store, 'crm').load()).toBe(Date.parse(String(stopped?.['watermark'])));
    expect((await b.store.checkpoints.get(LIVE_FEED_LEASE))?.resumeToken).toEqual({ owner: null, expiresAt: 0 });
  });
});
