import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateWebhookSecret, WebhookDispatcher } from '@gcm/audit';
import { MemoryAuditLog } from '@gcm/audit/testing';
import { createGenesysConnection, type GenesysTransport } from '@gcm/genesys-auth';
import { FakeClock } from '@gcm/genesys-auth/testing';
import { startSandbox, type RunningSandbox } from '@gcm/genesys-sandbox';
import { HistorySync } from '@gcm/history-timeline';
import { MessagingClient } from '@gcm/messaging-client';
import { ConversationSearch } from '@gcm/search-stream';
import { FileSystemArchiveSink, openDatabase, type StoreDatabase } from '@gcm/store';
import { ArchiveJob } from '../lib/archive-job.service';
import type { ArchiveJobOptions } from '../lib/archive-job.options';
import { expectedRecordHashes, inspectArchive } from '../testing';
import type { ArchiveRunSummary } from '../lib/archive-run-summary';

export const NOW = '2026-03-01T12:00:00.000Z';
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface WorldOptions {
  seed: number;
  conversations: number;
  days: number;
  faults?: string;
}

/** A sandbox, one transport, a SQLite store, a filesystem sink, an audit log and a webhook outbox, all on one fake clock. */
export interface Harness {
  readonly clock: FakeClock;
  readonly sandbox: RunningSandbox;
  readonly transport: GenesysTransport;
  readonly messaging: MessagingClient;
  readonly search: ConversationSearch;
  readonly store: StoreDatabase;
  readonly sink: FileSystemArchiveSink;
  readonly audit: MemoryAuditLog;
  readonly webhooks: WebhookDispatcher;
  readonly root: string;
  job(options?: Partial<ArchiveJobOptions>): ArchiveJob;
  close(): Promise<void>;
}

export async function startHarness(
  world: WorldOptions,
  options: { store?: StoreDatabase; clock?: FakeClock; rateLimit?: { maxConcurrency?: number; requestsPerMinute?: number } } = {},
): Promise<Harness> {
  const store = options.store;
  // a store passed in must run on this clock too: leases compare its times with the job's
  const clock = options.clock ?? new FakeClock(NOW);
  const sandbox = await startSandbox({ seed: world.seed, conversations: world.conversations, days: world.days, now: NOW, clock, faults: world.faults });
  const { transport } = createGenesysConnection({
    apiBaseUrl: sandbox.apiBaseUrl,
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    transport: { clock, sleep: clock.sleep, rateLimit: options.rateLimit },
  });
  const messaging = new MessagingClient({ transport, clock });
  const search = new ConversationSearch({ transport, clock, sleep: clock.sleep });
  const database = store ?? (await openDatabase('sqlite::memory:', { clock }));
  const root = await mkdtemp(join(tmpdir(), 'gcm-archive-'));
  const sink = new FileSystemArchiveSink({ root, clock });
  const audit = new MemoryAuditLog(undefined, () => clock.now());
  const webhooks = new WebhookDispatcher({
    store: database,
    endpoints: [{ id: 'ops', url: 'http://127.0.0.1:9/archive-events', secret: generateWebhookSecret() }],
    clock,
  });
  return {
    clock,
    sandbox,
    transport,
    messaging,
    search,
    store: database,
    sink,
    audit,
    webhooks,
    root,
    job: (options = {}) =>
      new ArchiveJob({
        store: database,
        sink,
        search,
        messaging,
        transport,
        webhooks,
        audit,
        clock,
        sleep: clock.sleep,
        owner: 'replica-a',
        startAt: Date.parse(NOW) - (world.days + 1) * DAY,
        maxWindowMs: (world.days + 2) * DAY,
        ...options,
      }),
    close: async () => {
      if (!store) await database.close();
      await sandbox.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * What the archive must hold: every conversation synced from a fault-free sandbox with
 * the same seed, and its record built the way the archive builds it.
 */
export async function expectedArchive(world: WorldOptions, ids: readonly string[], windowEndMs: number): Promise<Map<string, string>> {
  const clock = new FakeClock(NOW);
  const sandbox = await startSandbox({ seed: world.seed, conversations: world.conversations, days: world.days, now: NOW, clock });
  try {
    const { transport } = createGenesysConnection({
      apiBaseUrl: sandbox.apiBaseUrl,
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      transport: { clock, sleep: clock.sleep },
    });
    const history = new HistorySync({ source: new MessagingClient({ transport, clock }), clock });
    return await expectedRecordHashes(history, ids, windowEndMs);
  } finally {
    await sandbox.close();
  }
}

/** Every file under the archive root, for "nothing was written" checks. */
export async function archiveFiles(sink: FileSystemArchiveSink): Promise<string[]> {
  const files: string[] = [];
  for await (const id of sink.conversationIds()) for (const version of await sink.versions(id)) files.push(version.location);
  return files.sort();
}

/**
 * The archive equals a fault-free sync of every conversation up to the end of the run's
 * last window (nothing missing, duplicated, corrupted), and each has one archive.completed event.
 */
export async function expectArchiveMatchesSandbox(h: Harness, summary: ArchiveRunSummary): Promise<void> {
  const windowEnd = Date.parse(summary.windows[summary.windows.length - 1].end);
  const ids = h.sandbox.truth.conversationIds({ to: windowEnd });
  const expected = await expectedRecordHashes(new HistorySync({ source: h.messaging, clock: h.clock }), ids, windowEnd);
  const inspection = await inspectArchive(h.sink, expected);
  expect(inspection).toMatchObject({ missing: [], unexpected: [], duplicated: [], corrupted: [], mismatched: [] });
  const events = (await h.store.outbox.list('webhook', 'pending', 10_000)).map((message) => JSON.parse(message.payload));
  const completed = events.filter((event) => event.type === 'archive.completed').map((event) => event.data.conversationId);
  expect(completed.sort()).toEqual([...ids].sort());
}
