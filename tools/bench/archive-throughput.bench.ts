/**
 * Archive throughput: the archive pipeline (`ArchiveJob`: search → work items → bulk
 * history sync → record → filesystem sink + index + outbox, 8 conversations at a time)
 * against a naive sequential baseline measured in the same run: one conversation at a
 * time, its participants and conversation read with two GETs, then every message with its
 * own `GET /api/v2/conversations/messages/{id}/messages/{messageId}`, the same record built
 * and written to the same kind of sink.
 *
 * Reported: API calls per archived conversation (target ≤ 2 plus the search pages
 * amortized: one GET for participants and message ids, one bulk POST per ≤ 1,000
 * messages), conversations per second of both, and a check that both produced identical
 * record hashes for the conversations the baseline archived.
 *
 * The sandbox runs in its own process (only gcm's side is measured here), with analytics
 * jobs ready at once; no faults, so the numbers are the pipeline's, not the retries'.
 *
 *   npm run bench -- --only archive-throughput [--quick]
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Benchmark } from './run';

const ROOT = join(__dirname, '../..');
const NOW = '2026-03-01T12:00:00.000Z';
const DAY = 86_400_000;
const DAYS = 2;

interface Sandbox {
  child: ChildProcessByStdio<null, Readable, null>;
  apiBaseUrl: string;
  clientId: string;
  clientSecret: string;
}

interface CallCounts {
  total: number;
  search: number;
  conversation: number;
}

async function startSandboxProcess(conversations: number, latencyMs: number): Promise<Sandbox> {
  const child = spawn(
    process.execPath,
    [
      ...['--import', 'tsx', 'apps/sandbox/src/main.ts', '--port', '0', '--seed', '42', '--conversations', String(conversations)],
      ...['--days', String(DAYS), '--now', NOW, '--job-delay-ms', '0', '--faults', `none,latencyMs=${latencyMs}`],
    ],
    { cwd: ROOT, env: { ...process.env, TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.base.json') }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  for await (const line of createInterface({ input: child.stdout })) {
    const event = JSON.parse(line) as { event?: string; apiBaseUrl: string; clientId: string; clientSecret: string };
    if (event.event === 'listening') return { child, apiBaseUrl: event.apiBaseUrl, clientId: event.clientId, clientSecret: event.clientSecret };
  }
  throw new Error('the sandbox exited before listening');
}

/** Requests the sandbox answered since the last reset, split into search and conversation reads. */
async function callsSince(sandbox: Sandbox, reset = true): Promise<CallCounts> {
  const stats = (await (await fetch(`${sandbox.apiBaseUrl}/__sandbox/stats`)).json()) as { requests: { byRoute: Record<string, Record<string, number>> } };
  if (reset) await fetch(`${sandbox.apiBaseUrl}/__sandbox/stats/reset`, { method: 'POST' });
  const counts: CallCounts = { total: 0, search: 0, conversation: 0 };
  for (const [route, byStatus] of Object.entries(stats.requests.byRoute)) {
    if (!route.includes('/api/')) continue;
    const n = Object.values(byStatus).reduce((sum, value) => sum + value, 0);
    counts.total += n;
    if (route.includes('/analytics/')) counts.search += n;
    else counts.conversation += n;
  }
  return counts;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

const bench: Benchmark = {
  name: 'archive-throughput',
  async run({ quick }) {
    const local = await measure({ conversations: quick ? 200 : 2_000, baselineSample: quick ? 20 : 100, latencyMs: 0 });
    const sections = [
      '## Archive throughput',
      '',
      'The pipeline is `ArchiveJob.backfill` of a whole window at concurrency 8 into a filesystem sink, SQLite index and outbox; ' +
        'the naive baseline archives a sample of the same conversations one at a time, one GET per message, into the same kind of sink. ' +
        'The sandbox runs in its own process (no faults, analytics jobs ready at once). Same run, same machine.',
      '',
      local,
    ];
    if (!quick) {
      // a WAN-like 25 ms per request, where the number of calls decides the time
      sections.push('', await measure({ conversations: 300, baselineSample: 10, latencyMs: 25 }));
    }
    return sections.join('\n');
  },
};

async function measure({ conversations, baselineSample, latencyMs }: { conversations: number; baselineSample: number; latencyMs: number }): Promise<string> {
  const { createGenesysConnection } = await import('@gcm/genesys-auth');
  const { ArchiveJob, buildArchiveRecord } = await import('@gcm/archive');
  const { HistorySync } = await import('@gcm/history-timeline');
  const { MessagingClient } = await import('@gcm/messaging-client');
  const { ConversationSearch } = await import('@gcm/search-stream');
  const { FileSystemArchiveSink, openDatabase } = await import('@gcm/store');
  type HistorySource = import('@gcm/history-timeline').HistorySource;
  type ArchivedRecordDocument = import('@gcm/archive').ArchivedRecordDocument;

  const sandbox = await startSandboxProcess(conversations, latencyMs);
  const dir = await mkdtemp(join(tmpdir(), 'gcm-archive-bench-'));
  try {
    const { transport } = createGenesysConnection({ apiBaseUrl: sandbox.apiBaseUrl, clientId: sandbox.clientId, clientSecret: sandbox.clientSecret });
    const messaging = new MessagingClient({ transport });
    // the sandbox's jobs are ready at once: poll quickly instead of after a second
    const search = new ConversationSearch({ transport, jobs: { pollInitialMs: 20, pollMaxMs: 200 } });
    const window = { start: Date.parse(NOW) - (DAYS + 1) * DAY, end: Date.parse(NOW) };
    await messaging.getConversation('00000000-0000-4000-8000-000000000000').catch(() => undefined); // log in once
    await callsSince(sandbox);

    // ── the pipeline ───────────────────────────────────────────────────────
    const store = await openDatabase(`sqlite:${join(dir, 'gcm.sqlite')}`);
    const sink = new FileSystemArchiveSink({ root: join(dir, 'archive') });
    const job = new ArchiveJob({ store, sink, search, messaging, transport, owner: 'bench', concurrency: 8 });
    let started = performance.now();
    const summary = await job.backfill(window);
    const pipelineSeconds = (performance.now() - started) / 1_000;
    const pipelineCalls = await callsSince(sandbox);
    if (summary.status !== 'succeeded' || summary.archived !== conversations) {
      throw new Error(`the pipeline archived ${summary.archived} of ${conversations} (${summary.status}: ${summary.error ?? 'no error'})`);
    }

    // ── the naive baseline ─────────────────────────────────────────────────
    const oneByOne: HistorySource = {
      getConversation: (id, options) => messaging.getConversation(id, options),
      getMessageConversation: (id, options) => messaging.getMessageConversation(id, options),
      getMessagesBulk: async (id, ids, options) => {
        const messages = [];
        for (const messageId of new Set(ids)) messages.push(await messaging.getMessage(id, messageId, options));
        return { messages, missingIds: [] };
      },
    };
    const naive = new HistorySync({ source: oneByOne });
    const naiveSink = new FileSystemArchiveSink({ root: join(dir, 'naive') });
    const sample: string[] = [];
    for await (const id of sink.conversationIds()) if (sample.push(id) >= baselineSample) break;
    let messages = 0;
    let identical = 0;
    started = performance.now();
    for (const id of sample) {
      const timeline = await naive.sync(id);
      messages += timeline.sync.fetchedMessages;
      const record = buildArchiveRecord(timeline, window.end);
      const { sync: _sync, ...document } = record;
      await naiveSink.put(id, document);
      const archived = await sink.get<ArchivedRecordDocument>(id);
      if (archived?.document.contentHash === record.contentHash) identical++;
    }
    const naiveSeconds = (performance.now() - started) / 1_000;
    const naiveCalls = await callsSince(sandbox);
    await store.close();

    const pipelineRate = conversations / pipelineSeconds;
    const naiveRate = sample.length / naiveSeconds;
    const perConversation = pipelineCalls.conversation / conversations;
    const searchPerConversation = pipelineCalls.search / conversations;
    const target = 2 + searchPerConversation;
    const verdict = pipelineCalls.total / conversations <= target + 1e-9 ? 'PASS' : 'FAIL';
    return [
      `### ${fmt(conversations)} conversations, ${latencyMs === 0 ? 'sandbox on the same machine (no added latency)' : `${latencyMs} ms added to every request`}`,
      '',
      '| | conversations | API calls | search calls | calls / conversation | seconds | conversations/s |',
      '|---|---:|---:|---:|---:|---:|---:|',
      `| archive pipeline | ${fmt(conversations)} | ${fmt(pipelineCalls.total)} | ${fmt(pipelineCalls.search)} | ${fmt(pipelineCalls.total / conversations, 2)} | ${fmt(pipelineSeconds, 1)} | ${fmt(pipelineRate, 1)} |`,
      `| naive sequential (GET per message) | ${fmt(sample.length)} | ${fmt(naiveCalls.total)} | — | ${fmt(naiveCalls.total / sample.length, 1)} | ${fmt(naiveSeconds, 1)} | ${fmt(naiveRate, 1)} |`,
      '',
      `API calls per archived conversation: **${fmt(perConversation, 2)}** for the conversation itself (GET participants + bulk POST per ≤ 1,000 messages) ` +
        `plus **${fmt(searchPerConversation, 3)}** for the search pages amortized = ${fmt(pipelineCalls.total / conversations, 3)}; target ≤ 2 + search = ${fmt(target, 3)}: **${verdict}**. ` +
        `The baseline needs ${fmt(naiveCalls.total / sample.length, 1)} calls per conversation (${fmt(messages / sample.length, 1)} messages on average).`,
      '',
      `Throughput: pipeline **${fmt(pipelineRate / naiveRate, 1)}×** the naive baseline (${fmt(pipelineRate, 1)} vs ${fmt(naiveRate, 1)} conversations/s). ` +
        `Identical record hashes for ${identical} of ${sample.length} sampled conversations (the pipeline takes the conversation envelope from the search, the baseline from GET /api/v2/conversations/{id}).`,
    ].join('\n');
  } finally {
    sandbox.child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

export default bench;

if (require.main === module) {
  void bench.run({ quick: process.argv.includes('--quick') }).then((section) => process.stdout.write(`${section}\n`));
}
