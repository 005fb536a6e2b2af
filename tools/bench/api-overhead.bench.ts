/**
 * What the REST API costs over calling Genesys (here: the sandbox) directly, measured in
 * the same run on the same data:
 *
 * - timeline: `GET /v1/conversations/{id}/timeline` under autocannon, against a client
 *   that does the same work itself (HistorySync over the shared transport, JSON out) with
 *   the same concurrency;
 * - search: `GET /v1/conversations/search` streamed as NDJSON under autocannon, against
 *   `ConversationSearch` consumed in the client.
 *
 * Three processes: the sandbox (tsx), the API (ts-node, as `npm run api` runs it; Nest
 * needs decorator metadata) and this one (autocannon, and the direct client, which loads
 * the libs only when it runs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Benchmark } from './run';

const root = resolve(__dirname, '../..');
const DAY = 86_400_000;
const DAYS = 30;

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  throughput: { average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration?: number;
  amount?: number;
  headers?: Record<string, string>;
  requests?: Array<{ setupRequest?: (request: Record<string, unknown>) => Record<string, unknown> }>;
}
type Autocannon = (options: AutocannonOptions) => Promise<AutocannonResult>;
// autocannon ships no types; the part used here is declared above
const autocannon = createRequire(__filename)('autocannon') as Autocannon;

interface SandboxReady {
  apiBaseUrl: string;
  clientId: string;
  clientSecret: string;
}

interface Measured {
  /** Operations per second (timelines, or whole streams). */
  rate: number;
  p50: number;
  p99: number;
  /** Search only: results per second. */
  resultsPerSecond?: number;
  failures: number;
}

/** The first stdout line that parses to an object with `key`; the rest of stdout is drained. */
async function lineWith<T>(proc: ChildProcess, key: string, what: string): Promise<T> {
  if (!proc.stdout) throw new Error(`${what} has no stdout`);
  const lines = createInterface({ input: proc.stdout });
  const exited = once(proc, 'exit').then(([code]) => {
    throw new Error(`${what} exited (${code}) before it was ready`);
  });
  const found = new Promise<T>((resolveLine) => {
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return;
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (key in parsed) resolveLine(parsed as T);
      } catch {
        // a log line that is not JSON: ignore
      }
    });
  });
  return Promise.race([found, exited]);
}

function startSandboxProcess(conversations: number): ChildProcess {
  return spawn(
    resolve(root, 'node_modules/.bin/tsx'),
    ['--tsconfig', 'tsconfig.base.json', 'apps/sandbox/src/main.ts', '--port', '0', '--seed', '1', '--conversations', String(conversations), '--days', String(DAYS), '--agent-reply-ms', 'off'],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
}

function startApiProcess(sandbox: SandboxReady, keyHash: string, scratch: string): ChildProcess {
  return spawn(resolve(root, 'node_modules/.bin/ts-node'), ['--transpile-only', '-r', 'tsconfig-paths/register', 'apps/api/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      TS_NODE_PROJECT: 'apps/api/tsconfig.app.json',
      GCM_API_ENV_FILE: join(scratch, 'none.env'),
      GENESYSCLOUD_API_BASE_URL: sandbox.apiBaseUrl,
      GENESYSCLOUD_OAUTHCLIENT_ID: sandbox.clientId,
      GENESYSCLOUD_OAUTHCLIENT_SECRET: sandbox.clientSecret,
      GCM_DATABASE_URL: `sqlite:${join(scratch, 'gcm.sqlite')}`,
      GCM_ARCHIVE_DIR: join(scratch, 'archive'),
      GCM_API_AUDIT_DIR: join(scratch, 'audit'),
      GCM_API_KEYS: `bench:read:${keyHash}`,
      GCM_API_PORT: '0',
      GCM_API_RATE_LIMIT: '1000000',
      GCM_API_GENESYS_RATE_LIMIT: '1000000',
      GCM_API_GENESYS_CONCURRENCY: '32',
      // production logging: one access line per request, written to a pipe this process drains
      GCM_API_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** The client that calls Genesys itself: the same libs the API uses, minus the API. */
async function directClient(sandbox: SandboxReady) {
  const { createGenesysConnection } = await import('@gcm/genesys-auth');
  const { MessagingClient } = await import('@gcm/messaging-client');
  const { HistorySync } = await import('@gcm/history-timeline');
  const { ConversationSearch } = await import('@gcm/search-stream');
  const { transport } = createGenesysConnection({
    apiBaseUrl: sandbox.apiBaseUrl,
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    transport: { rateLimit: { requestsPerMinute: 1_000_000, maxConcurrency: 32 } },
  });
  const history = new HistorySync({ source: new MessagingClient({ transport }) });
  const search = new ConversationSearch({ transport });
  return {
    /** One timeline as the API builds it, serialized as the API would send it. */
    timeline: async (id: string) => JSON.stringify(await history.sync(id)).length,
    search: async (interval: { start: number; end: number }) => {
      let results = 0;
      for await (const summary of search.search({ interval }, { strategy: 'query' })) results += JSON.stringify(summary).length > 0 ? 1 : 0;
      return results;
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** `concurrency` workers loop over `run` for `seconds`; latency of every call is kept. */
async function closedLoop(concurrency: number, seconds: number, run: (i: number) => Promise<unknown>): Promise<Measured> {
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const deadline = performance.now() + seconds * 1_000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const begin = performance.now();
        try {
          await run(next++);
          latencies.push(performance.now() - begin);
        } catch {
          failures++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1_000;
  latencies.sort((a, b) => a - b);
  return { rate: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failures };
}

const fmt = (n: number, digits = 1) => n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const benchmark: Benchmark = {
  name: 'api-overhead',
  async run({ quick }) {
    const conversations = quick ? 5_000 : 20_000;
    const seconds = quick ? 3 : 10;
    const concurrency = 8;
    const streams = quick ? 2 : 5;
    const scratch = mkdtempSync(join(tmpdir(), 'gcm-api-bench-'));
    // an explicit, empty env file: a developer's .env must not change what is measured
    writeFileSync(join(scratch, 'none.env'), '');
    const key = `gcm_${randomBytes(32).toString('base64url')}`;
    const sandboxProc = startSandboxProcess(conversations);
    let apiProc: ChildProcess | undefined;
    try {
      const sandbox = await lineWith<SandboxReady>(sandboxProc, 'apiBaseUrl', 'the sandbox');
      apiProc = startApiProcess(sandbox, createHash('sha256').update(key).digest('hex'), scratch);
      const listening = await lineWith<{ url: string }>(apiProc, 'url', 'the API');
      const info = (await (await fetch(`${sandbox.apiBaseUrl}/__sandbox/info`)).json()) as { now: string };
      const end = Date.parse(info.now);
      const interval = { start: end - DAYS * DAY, end };
      const truth = (await (await fetch(`${sandbox.apiBaseUrl}/__sandbox/truth/conversations?limit=200`)).json()) as { entities: Array<{ id: string }> };
      const ids = truth.entities.map((e) => e.id);
      const headers = { authorization: `Bearer ${key}` };
      const direct = await directClient(sandbox);

      // warm both paths (token, JIT, the sandbox's conversation cache) before measuring
      for (const id of ids) await direct.timeline(id);
      await autocannon({ url: listening.url, connections: concurrency, amount: ids.length, headers, requests: [rotating(ids)] });

      const directTimeline = await closedLoop(concurrency, seconds, (i) => direct.timeline(ids[i % ids.length]));
      const apiTimelineRun = await autocannon({ url: listening.url, connections: concurrency, duration: seconds, headers, requests: [rotating(ids)] });
      const apiTimeline: Measured = {
        rate: apiTimelineRun.requests.average,
        p50: apiTimelineRun.latency.p50,
        p99: apiTimelineRun.latency.p99,
        failures: apiTimelineRun.non2xx + apiTimelineRun.errors + apiTimelineRun.timeouts,
      };

      let results = 0;
      const directSearchLatencies: number[] = [];
      for (let i = 0; i < streams; i++) {
        const begin = performance.now();
        results = await direct.search(interval);
        directSearchLatencies.push(performance.now() - begin);
      }
      directSearchLatencies.sort((a, b) => a - b);
      const directSearch: Measured = {
        rate: 1_000 / percentile(directSearchLatencies, 50),
        p50: percentile(directSearchLatencies, 50),
        p99: percentile(directSearchLatencies, 99),
        resultsPerSecond: results / (percentile(directSearchLatencies, 50) / 1_000),
        failures: 0,
      };
      const searchPath = `/v1/conversations/search?from=${new Date(interval.start).toISOString()}&to=${new Date(interval.end).toISOString()}&strategy=query`;
      const streamed = await (await fetch(`${listening.url}${searchPath}`, { headers })).text();
      const apiResults = streamed.split('\n').filter((line) => line.startsWith('{"type":"conversation"')).length;
      const apiSearchRun = await autocannon({ url: `${listening.url}${searchPath}`, connections: 1, amount: streams, headers });
      const apiSearch: Measured = {
        rate: 1_000 / apiSearchRun.latency.p50,
        p50: apiSearchRun.latency.p50,
        p99: apiSearchRun.latency.p99,
        resultsPerSecond: apiResults / (apiSearchRun.latency.p50 / 1_000),
        failures: apiSearchRun.non2xx + apiSearchRun.errors + apiSearchRun.timeouts,
      };

      const overhead = (api: Measured, base: Measured) => `+${fmt(api.p50 - base.p50)} ms (${fmt((api.p50 / base.p50 - 1) * 100, 0)} %) at p50`;
      return [
        '## api-overhead: the REST API over calling Genesys (the sandbox) directly',
        '',
        `Sandbox of ${conversations.toLocaleString('en')} conversations in ${DAYS} days (seed 1), in its own process; the API in its own ` +
          '(ts-node, SQLite, audit trail on, one JSON access-log line per request); autocannon and the direct client in a third. ' +
          `Timelines: ${ids.length} conversations (1–200 messages each) requested round-robin by ${concurrency} concurrent clients for ${seconds} s. ` +
          `Search: the whole ${DAYS}-day window (details query, ${results.toLocaleString('en')} results), read to the end ${streams} times, one stream at a time.`,
        '',
        '| workload | client | rate | p50 | p99 | failures |',
        '|---|---|---|---|---|---|',
        `| timeline | direct (HistorySync in the client) | ${fmt(directTimeline.rate)} timelines/s | ${fmt(directTimeline.p50)} ms | ${fmt(directTimeline.p99)} ms | ${directTimeline.failures} |`,
        `| timeline | API \`GET /v1/conversations/{id}/timeline\` (autocannon) | ${fmt(apiTimeline.rate)} timelines/s | ${fmt(apiTimeline.p50)} ms | ${fmt(apiTimeline.p99)} ms | ${apiTimeline.failures} |`,
        `| search | direct (ConversationSearch in the client) | ${fmt(directSearch.resultsPerSecond ?? 0, 0)} results/s | ${fmt(directSearch.p50, 0)} ms | ${fmt(directSearch.p99, 0)} ms | ${directSearch.failures} |`,
        `| search | API NDJSON \`GET /v1/conversations/search\` (autocannon) | ${fmt(apiSearch.resultsPerSecond ?? 0, 0)} results/s | ${fmt(apiSearch.p50, 0)} ms | ${fmt(apiSearch.p99, 0)} ms | ${apiSearch.failures} |`,
        '',
        `- Timeline overhead: ${overhead(apiTimeline, directTimeline)}; throughput API / direct = ${fmt(apiTimeline.rate / directTimeline.rate, 2)}.`,
        `- Search overhead per full stream: ${overhead(apiSearch, directSearch)}; results/s API / direct = ${fmt((apiSearch.resultsPerSecond ?? 0) / (directSearch.resultsPerSecond ?? 1), 2)}. ` +
          `Same results both ways: ${apiResults === results ? 'yes' : `NO (${apiResults} vs ${results})`}.`,
        '- The API adds an HTTP hop, key check and rate limit, validation, the audit/metrics/log hooks and serialization; Genesys calls are the same.',
        '',
        `Command: \`npm run bench -- --only api-overhead${quick ? ' --quick' : ''}\``,
      ].join('\n');
    } finally {
      apiProc?.kill('SIGTERM');
      sandboxProc.kill('SIGTERM');
      await Promise.all([apiProc ? once(apiProc, 'exit') : undefined, once(sandboxProc, 'exit')]);
      rmSync(scratch, { recursive: true, force: true });
    }
  },
};

/** Each request takes the next conversation's timeline path, round-robin. */
function rotating(ids: readonly string[]): { setupRequest: (request: Record<string, unknown>) => Record<string, unknown> } {
  let next = 0;
  return { setupRequest: (request) => ({ ...request, path: `/v1/conversations/${ids[next++ % ids.length]}/timeline` }) };
}

export default benchmark;
