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
 * Four processes: the sandbox, the API, both as built (`nx build`: dist/apps/<name>/main.js
 * run by plain node, as deployed), the direct client (this file again, in the role
 * GCM_API_BENCH_ROLE=direct: the same libs, no API) and this one, which runs autocannon.
 *
 * Then the cold start (spawn → the ready line) and the resident memory at that moment of
 * the built API and scheduler, against the same app started by ts-node from its sources
 * (how `npm run api` / `npm run scheduler` start them).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Benchmark } from './run';

const root = resolve(__dirname, '../..');
const ROLE_ENV = 'GCM_API_BENCH_ROLE';
const JOB_ENV = 'GCM_API_BENCH_JOB';
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
  /** seconds before a request counts as timed out (autocannon's default: 10) */
  timeout?: number;
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
  /** Search only: results per second, and per stream. */
  resultsPerSecond?: number;
  results?: number;
  failures: number;
}

/** The first stdout line that parses to an object with `key`; the rest of stdout is drained. */
async function lineWith<T>(proc: ChildProcess, key: string, what: string): Promise<T> {
  if (!proc.stdout) throw new Error(`${what} has no stdout`);
  const lines = createInterface({ input: proc.stdout });
  const exited = once(proc, 'exit').then(([code]) => {
    throw new Error(`${what} exited (${code}) before it was ready`);
  });
  const stdout = proc.stdout;
  const found = new Promise<T>((resolveLine) => {
    const onLine = (line: string) => {
      if (!line.startsWith('{')) return;
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (!(key in parsed)) return;
        // from now on the output (the API's access log) is only drained, not parsed: this process measures
        lines.off('line', onLine);
        lines.close();
        stdout.on('data', () => undefined);
        resolveLine(parsed as T);
      } catch {
        // a log line that is not JSON: ignore
      }
    };
    lines.on('line', onLine);
  });
  return Promise.race([found, exited]);
}

function startSandboxProcess(conversations: number): ChildProcess {
  return spawn(
    process.execPath,
    ['dist/apps/sandbox/main.js', '--port', '0', '--seed', '1', '--conversations', String(conversations), '--days', String(DAYS), '--agent-reply-ms', 'off'],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
}

/** `nx build` of the apps measured here (from Nx's cache when nothing changed). */
function buildApps(): void {
  const built = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', 'sandbox,api,scheduler', '--parallel=2'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], timeout: 5 * 60_000, killSignal: 'SIGKILL' });
  if (built.status !== 0) throw new Error(`nx build failed (${built.status ?? built.signal})`);
}

type AppName = 'api' | 'scheduler';
type StartKind = 'built' | 'ts-node';

/** How each app is started: the artifact by plain node, or its sources by ts-node (`npm run api`). */
function appCommand(app: AppName, kind: StartKind): { command: string; args: string[]; env: Record<string, string> } {
  if (kind === 'built') return { command: process.execPath, args: [`dist/apps/${app}/main.js`], env: {} };
  return {
    command: resolve(root, 'node_modules/.bin/ts-node'),
    args: ['--transpile-only', '-r', 'tsconfig-paths/register', `apps/${app}/src/main.ts`],
    env: { TS_NODE_PROJECT: `apps/${app}/tsconfig.app.json` },
  };
}

function appEnv(app: AppName, sandbox: SandboxReady, scratch: string, keyHash: string): Record<string, string> {
  const shared = {
    GENESYSCLOUD_API_BASE_URL: sandbox.apiBaseUrl,
    GENESYSCLOUD_OAUTHCLIENT_ID: sandbox.clientId,
    GENESYSCLOUD_OAUTHCLIENT_SECRET: sandbox.clientSecret,
    GCM_DATABASE_URL: `sqlite:${join(scratch, `${app}.sqlite`)}`,
    GCM_ARCHIVE_DIR: join(scratch, 'archive'),
  };
  if (app === 'scheduler') {
    return { ...shared, GCM_SCHEDULER_ENV_FILE: join(scratch, 'none.env'), GCM_SCHEDULER_AUDIT_DIR: join(scratch, 'audit-scheduler'), GCM_SCHEDULER_HOST: '127.0.0.1', GCM_SCHEDULER_PORT: '0' };
  }
  return {
    ...shared,
    GCM_API_ENV_FILE: join(scratch, 'none.env'),
    GCM_API_AUDIT_DIR: join(scratch, 'audit'),
    GCM_API_KEYS: `bench:read:${keyHash}`,
    GCM_API_PORT: '0',
    GCM_API_RATE_LIMIT: '1000000',
    GCM_API_GENESYS_RATE_LIMIT: '1000000',
    GCM_API_GENESYS_CONCURRENCY: '32',
    // production logging: one access line per request, written to a pipe this process drains
    GCM_API_LOG_LEVEL: 'info',
  };
}

function startApp(app: AppName, kind: StartKind, env: Record<string, string>): ChildProcess {
  const { command, args, env: extra } = appCommand(app, kind);
  return spawn(command, args, { cwd: root, env: { ...process.env, ...extra, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
}

function startApiProcess(sandbox: SandboxReady, keyHash: string, scratch: string): ChildProcess {
  return startApp('api', 'built', appEnv('api', sandbox, scratch, keyHash));
}

/** SIGTERM, SIGKILL after 10 s; resolves when the process is gone. */
async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, 'exit');
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  await exited.finally(() => clearTimeout(timer));
}

function rssMiB(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) / 1024;
}

interface ColdStart {
  ms: number;
  rss: number;
}

/** Spawn → its ready line (the API's `url`, the scheduler's `port`), RSS then; the median of `times` starts. */
async function coldStart(app: AppName, kind: StartKind, env: Record<string, string>, times: number): Promise<ColdStart> {
  const runs: ColdStart[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    const proc = startApp(app, kind, env);
    try {
      await lineWith(proc, app === 'api' ? 'url' : 'port', `the ${kind} ${app}`);
      runs.push({ ms: performance.now() - started, rss: rssMiB(proc.pid) });
    } finally {
      await stopProcess(proc);
    }
  }
  runs.sort((a, b) => a.ms - b.ms);
  return runs[Math.floor(runs.length / 2)];
}

/** What the direct client process is asked to measure. */
type DirectJob =
  | { kind: 'timeline'; sandbox: SandboxReady; ids: string[]; concurrency: number; seconds: number }
  | { kind: 'search'; sandbox: SandboxReady; interval: { start: number; end: number }; streams: number };

/**
 * The client that calls Genesys itself, in a process of its own as the API is: the same
 * libs the API uses, minus the API. Warms up, measures, prints one `report` line.
 */
async function runDirectClient(job: DirectJob): Promise<void> {
  const { createGenesysConnection } = await import('@gcm/genesys-auth');
  const { MessagingClient } = await import('@gcm/messaging-client');
  const { HistorySync } = await import('@gcm/history-timeline');
  const { ConversationSearch } = await import('@gcm/search-stream');
  const { transport } = createGenesysConnection({
    apiBaseUrl: job.sandbox.apiBaseUrl,
    clientId: job.sandbox.clientId,
    clientSecret: job.sandbox.clientSecret,
    transport: { rateLimit: { requestsPerMinute: 1_000_000, maxConcurrency: 32 } },
  });
  let report: Measured;
  if (job.kind === 'timeline') {
    const history = new HistorySync({ source: new MessagingClient({ transport }) });
    // one timeline as the API builds it, serialized as the API would send it
    const timeline = async (id: string) => JSON.stringify(await history.sync(id)).length;
    for (const id of job.ids) await timeline(id);
    report = await closedLoop(job.concurrency, job.seconds, (i) => timeline(job.ids[i % job.ids.length]));
  } else {
    const search = new ConversationSearch({ transport });
    const stream = async () => {
      let results = 0;
      for await (const summary of search.search({ interval: job.interval }, { strategy: 'query' })) results += JSON.stringify(summary).length > 0 ? 1 : 0;
      return results;
    };
    const results = await stream();
    const latencies: number[] = [];
    for (let i = 0; i < job.streams; i++) {
      const begin = performance.now();
      await stream();
      latencies.push(performance.now() - begin);
    }
    latencies.sort((a, b) => a - b);
    const p50 = percentile(latencies, 50);
    report = { rate: 1_000 / p50, p50, p99: percentile(latencies, 99), resultsPerSecond: results / (p50 / 1_000), results, failures: 0 };
  }
  process.stdout.write(`${JSON.stringify({ report })}\n`);
}

async function direct(job: DirectJob): Promise<Measured> {
  const proc = spawn(resolve(root, 'node_modules/.bin/tsx'), ['--tsconfig', 'tsconfig.base.json', __filename], {
    cwd: root,
    env: { ...process.env, [ROLE_ENV]: 'direct', [JOB_ENV]: JSON.stringify(job) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const { report } = await lineWith<{ report: Measured }>(proc, 'report', 'the direct client');
  await once(proc, 'exit');
  return report;
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

const progress = (what: string) => process.stderr.write(`api-overhead: ${what}\n`);

const fmt = (n: number, digits = 1) => n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const benchmark: Benchmark = {
  name: 'api-overhead',
  async run({ quick }) {
    const conversations = quick ? 5_000 : 20_000;
    const seconds = quick ? 3 : 10;
    const concurrency = 8;
    const streams = quick ? 2 : 4;
    const rounds = quick ? 1 : 3;
    const loadAtStart = loadavg()[0];
    progress('nx build sandbox, api, scheduler');
    buildApps();
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
      const searchPath = `/v1/conversations/search?from=${new Date(interval.start).toISOString()}&to=${new Date(interval.end).toISOString()}&strategy=query`;

      // warm the API (token, JIT, the sandbox's conversation caches); the direct client warms itself
      await autocannon({ url: listening.url, connections: concurrency, amount: ids.length, headers, requests: [rotating(ids)] });
      const streamed = await (await fetch(`${listening.url}${searchPath}`, { headers })).text();
      const apiResults = streamed.split('\n').filter((line) => line.startsWith('{"type":"conversation"')).length;

      // the two paths alternate, and each keeps its best round: the machine is shared, and a
      // busy moment should not be charged to one side
      const timelines: { direct: Measured[]; api: Measured[] } = { direct: [], api: [] };
      const searches: { direct: Measured[]; api: Measured[] } = { direct: [], api: [] };
      for (let round = 0; round < rounds; round++) {
        progress(`round ${round + 1} of ${rounds}`);
        timelines.direct.push(await direct({ kind: 'timeline', sandbox, ids, concurrency, seconds }));
        const run = await autocannon({ url: listening.url, connections: concurrency, duration: seconds, headers, requests: [rotating(ids)] });
        timelines.api.push({ rate: run.requests.average, p50: run.latency.p50, p99: run.latency.p99, failures: run.non2xx + run.errors + run.timeouts });

        searches.direct.push(await direct({ kind: 'search', sandbox, interval, streams }));
        // a whole 20,000-result stream can outlast autocannon's 10 s default on a busy machine
        const stream = await autocannon({ url: `${listening.url}${searchPath}`, connections: 1, amount: streams, headers, timeout: 120 });
        searches.api.push({
          rate: 1_000 / stream.latency.p50,
          p50: stream.latency.p50,
          p99: stream.latency.p99,
          resultsPerSecond: apiResults / (stream.latency.p50 / 1_000),
          failures: stream.non2xx + stream.errors + stream.timeouts,
        });
      }
      // a round with failures is no one's best (failed requests end early and look fast)
      const best = (runs: Measured[]) => runs.reduce((a, b) => (b.failures < a.failures || (b.failures === a.failures && b.rate > a.rate) ? b : a));
      const directTimeline = best(timelines.direct);
      const apiTimeline = best(timelines.api);
      const directSearch = best(searches.direct);
      const apiSearch = best(searches.api);
      const results = directSearch.results ?? 0;

      // the API under load is stopped first: the cold starts share the machine with the sandbox only
      await stopProcess(apiProc);
      apiProc = undefined;
      const starts = quick ? 1 : 3;
      progress('cold starts');
      const keyHash = createHash('sha256').update(key).digest('hex');
      const cold: Array<{ app: AppName; kind: StartKind; result: ColdStart }> = [];
      for (const app of ['api', 'scheduler'] as const) {
        // --quick (CI) starts the artifacts only: each ts-node start costs 10-20 s there
        for (const kind of quick ? (['built'] as const) : (['built', 'ts-node'] as const)) cold.push({ app, kind, result: await coldStart(app, kind, appEnv(app, sandbox, scratch, keyHash), starts) });
      }
      const coldRow = ({ app, kind, result }: (typeof cold)[number]) =>
        `| ${app} | ${kind === 'built' ? '`node dist/apps/' + app + '/main.js` (nx build)' : 'ts-node --transpile-only (sources)'} | ${fmt(result.ms, 0)} ms | ${fmt(result.rss, 0)} MiB |`;
      const ratio = (app: AppName) => {
        const built = cold.find((c) => c.app === app && c.kind === 'built')!.result;
        const source = cold.find((c) => c.app === app && c.kind === 'ts-node')!.result;
        return `${app}: start ${fmt(source.ms / built.ms, 1)}× faster, ${fmt(source.rss - built.rss, 0)} MiB less`;
      };

      const overhead = (api: Measured, base: Measured) => `${api.p50 >= base.p50 ? '+' : '−'}${fmt(Math.abs(api.p50 - base.p50))} ms (${fmt((api.p50 / base.p50 - 1) * 100, 0)} %) at p50`;
      return [
        '## api-overhead: the REST API over calling Genesys (the sandbox) directly',
        '',
        `Sandbox of ${conversations.toLocaleString('en')} conversations in ${DAYS} days (seed 1), in its own process; the API in its own ` +
          '(built: `node dist/apps/api/main.js`; SQLite, audit trail on, one pino access-log line per request), the direct client (the same libs without the API) in a third, autocannon in a fourth. ' +
          `Timelines: ${ids.length} conversations (1–200 messages each) requested round-robin by ${concurrency} concurrent clients for ${seconds} s. ` +
          `Search: the whole ${DAYS}-day window (details query, ${results.toLocaleString('en')} results), read to the end ${streams} times, one stream at a time. ` +
          `Direct and API alternate for ${rounds} round${rounds === 1 ? '' : 's'} after a warm-up; each side's best round is shown (the machine has ${cpus().length} cores for all three processes; ` +
          `load average ${fmt(loadAtStart, 1)} when the run began: other work on the machine skews the absolute figures, the ratios come from the same run).`,
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
        `Cold start, spawn → ready line (the API's \`listening\`, the scheduler's \`Scheduler listening\`), and resident memory (VmRSS) then; median of ${starts} start${starts === 1 ? '' : 's'}, against the same sandbox, SQLite:`,
        '',
        '| app | started as | cold start | RSS at ready |',
        '|---|---|---:|---:|',
        ...cold.map(coldRow),
        '',
        quick ? '- ts-node starts are measured without --quick.' : `- ${ratio('api')}; ${ratio('scheduler')}.`,
        '',
        `Command: \`npm run bench -- --only api-overhead${quick ? ' --quick' : ''}\``,
      ].join('\n');
    } finally {
      await Promise.all([apiProc ? stopProcess(apiProc) : undefined, stopProcess(sandboxProc)]);
      rmSync(scratch, { recursive: true, force: true });
    }
  },
};

/** Each request takes the next conversation's timeline path, round-robin. */
function rotating(ids: readonly string[]): { setupRequest: (request: Record<string, unknown>) => Record<string, unknown> } {
  let next = 0;
  return { setupRequest: (request) => ({ ...request, path: `/v1/conversations/${ids[next++ % ids.length]}/timeline` }) };
}

if (process.env[ROLE_ENV] === 'direct') {
  runDirectClient(JSON.parse(process.env[JOB_ENV] ?? '{}') as DirectJob).catch((error: unknown) => {
    process.stderr.write(`api-overhead direct client failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}

export default benchmark;
