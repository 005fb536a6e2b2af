/**
 * History sync throughput: conversations → verified timelines → archive records, against a
 * sandbox running in its own process (so only gcm's side is measured here). The baseline,
 * measured in the same run, makes the same three reads per conversation (message
 * conversation, conversation, bulk bodies) without any processing; the ratio is what
 * assembling, checking and archiving costs on top of the API calls.
 *
 * Budget (issue 5): 500 conversations synced (and archived) in < 20 s, memory flat (peak RSS
 * of the second half of a pass ≤ 1.2 × that of the first half; the warm-up pass has sized the heap). The ratio to the bare reads is reported, not
 * judged: on a shared 2-core machine it moves with the load.
 *
 *   npm run bench -- --only timeline-sync [--quick]
 *   npx tsx --tsconfig tsconfig.base.json tools/bench/timeline-sync.bench.ts [--quick]
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { Benchmark } from './run';

const ROOT = join(__dirname, '../..');
const NOW = '2026-03-01T12:00:00.000Z';
const CONCURRENCY = 8;
const BUDGET_500_MS = 20_000;
const FLAT_RATIO = 1.2;

interface Sandbox {
  child: ChildProcessByStdio<null, Readable, null>;
  apiBaseUrl: string;
  clientId: string;
  clientSecret: string;
}

async function startSandboxProcess(conversations: number): Promise<Sandbox> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'apps/sandbox/src/main.ts', '--port', '0', '--seed', '42', '--conversations', String(conversations), '--now', NOW],
    { cwd: ROOT, env: { ...process.env, TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.base.json') }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    const event = JSON.parse(line) as { event?: string; apiBaseUrl: string; clientId: string; clientSecret: string };
    if (event.event === 'listening') return { child, apiBaseUrl: event.apiBaseUrl, clientId: event.clientId, clientSecret: event.clientSecret };
  }
  throw new Error('the sandbox exited before listening');
}

async function conversationIds(sandbox: Sandbox, total: number): Promise<string[]> {
  const response = await fetch(`${sandbox.apiBaseUrl}/__sandbox/truth/conversations?limit=${total}`);
  const body = (await response.json()) as { entities: Array<{ id: string }> };
  return body.entities.map((e) => e.id);
}

interface PassResult {
  ms: number;
  messages: number;
  flagged: number;
  archiveMs: number;
  archiveBytes: number;
  firstHalfPeakMb: number;
  secondHalfPeakMb: number;
}

async function run({ quick }: { quick: boolean }): Promise<string> {
  const { createGenesysConnection } = await import('@gcm/genesys-auth');
  const { MessagingClient, conversationMessageIds } = await import('@gcm/messaging-client');
  const { HistorySync, isSyncFailure, serializeArchiveRecord, toArchiveRecord, mapConcurrent } = await import('@gcm/history-timeline');

  const conversations = quick ? 500 : 2000;
  const repeats = quick ? 1 : 2;
  const sandbox = await startSandboxProcess(conversations);
  try {
    const ids = await conversationIds(sandbox, conversations);
    const { transport } = createGenesysConnection({ apiBaseUrl: sandbox.apiBaseUrl, clientId: sandbox.clientId, clientSecret: sandbox.clientSecret });
    const client = new MessagingClient({ transport });
    const history = new HistorySync({ source: client });
    const mb = () => process.memoryUsage().rss / 1024 / 1024;

    const rawPass = async (): Promise<number> => {
      const started = performance.now();
      for await (const _ of mapConcurrent(ids, CONCURRENCY, async (id, signal) => {
        const [listing] = await Promise.all([client.getMessageConversation(id, { signal }), client.getConversation(id, { signal })]);
        return (await client.getMessagesBulk(id, conversationMessageIds(listing), { signal })).messages.length;
      })) {
        // only the reads are measured
      }
      return performance.now() - started;
    };

    const syncPass = async (): Promise<PassResult> => {
      const result: PassResult = { ms: 0, messages: 0, flagged: 0, archiveMs: 0, archiveBytes: 0, firstHalfPeakMb: 0, secondHalfPeakMb: 0 };
      let done = 0;
      const started = performance.now();
      for await (const timeline of history.syncMany(ids, { concurrency: CONCURRENCY })) {
        if (isSyncFailure(timeline)) throw timeline.error;
        result.messages += timeline.messages.length;
        if (!timeline.integrity.clean) result.flagged++;
        const t = performance.now();
        result.archiveBytes += Buffer.byteLength(serializeArchiveRecord(toArchiveRecord(timeline)));
        result.archiveMs += performance.now() - t;
        const half = ++done <= ids.length / 2 ? 'firstHalfPeakMb' : 'secondHalfPeakMb';
        result[half] = Math.max(result[half], mb());
      }
      result.ms = performance.now() - started;
      return result;
    };

    await syncPass(); // warm-up: JIT, connections, the sandbox's generation caches
    const raws: number[] = [];
    const syncs: PassResult[] = [];
    for (let r = 0; r < repeats; r++) {
      raws.push(await rawPass());
      syncs.push(await syncPass());
    }
    const raw = Math.min(...raws);
    const sync = syncs.reduce((a, b) => (b.ms < a.ms ? b : a));
    const per500 = (sync.ms / conversations) * 500;
    const syncOnly = sync.ms - sync.archiveMs;
    const overhead = syncOnly / raw;
    const flat = sync.secondHalfPeakMb / sync.firstHalfPeakMb;
    const verdict = per500 < BUDGET_500_MS && flat <= FLAT_RATIO ? 'PASS' : 'FAIL';
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    return [
      '## History sync (timelines and archive records)',
      '',
      `Command: \`npm run bench -- --only timeline-sync${quick ? ' --quick' : ''}\`; ${conversations.toLocaleString('en-US')} sandbox conversations ` +
        `(seed 42, sandbox in its own process), concurrency ${CONCURRENCY}, best of ${repeats} after a warm-up pass, Node ${process.version}.`,
      '',
      '| pass | time (ms) | conversations/s | messages/s |',
      '|---|---:|---:|---:|',
      `| bare reads (baseline: 3 requests per conversation, no processing) | ${fmt(raw)} | ${fmt((conversations / raw) * 1000)} | ${fmt((sync.messages / raw) * 1000)} |`,
      `| \`syncMany\` → verified Timeline | ${fmt(syncOnly)} | ${fmt((conversations / syncOnly) * 1000)} | ${fmt((sync.messages / syncOnly) * 1000)} |`,
      `| archive records: build, hash, canonical JSON | ${fmt(sync.archiveMs)} | ${fmt((conversations / sync.archiveMs) * 1000)} | ${fmt((sync.messages / sync.archiveMs) * 1000)} |`,
      '',
      `${fmt(sync.messages)} messages; ${sync.flagged} conversations flagged by the integrity report; archive records ${fmt(sync.archiveBytes / 1024)} KiB. ` +
        `Peak RSS ${sync.firstHalfPeakMb.toFixed(0)} MB in the first half of the pass, ${sync.secondHalfPeakMb.toFixed(0)} MB in the second (×${flat.toFixed(2)}).`,
      `Timelines vs bare reads: ×${overhead.toFixed(2)}. 500 conversations synced and archived in ${fmt(per500)} ms at this rate. ` +
        `Budget: 500 in < ${fmt(BUDGET_500_MS)} ms and RSS flat (≤ ×${FLAT_RATIO}): **${verdict}**.`,
      '',
    ].join('\n');
  } finally {
    sandbox.child.kill('SIGTERM');
  }
}

const benchmark: Benchmark = { name: 'timeline-sync', run };
export default benchmark;

if (require.main === module) {
  run({ quick: process.argv.includes('--quick') }).then(
    (markdown) => process.stdout.write(markdown),
    (error) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
