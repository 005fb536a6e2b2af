/**
 * Soak: the local stack (sandbox, API, scheduler with its live feed into a local CRM — as
 * `npm start` runs it, plus a scheduler cron every 15 s) under mixed load for 10 minutes,
 * every process sampled every 10 s, and the slopes over the second half reported. A
 * process whose heap after a forced full GC keeps growing under steady traffic leaks; the
 * baseline each slope is judged against is the same process's own first half.
 *
 *   npm run bench -- --only soak [--duration 10m] [--database sqlite|postgres] [--live-factor 4]
 *     [--timeline-rate 10] [--search-rate 1] [--guest-rate 2] [--guests 16] [--sessions-per-minute 4]
 *     [--sample 10s] [--cron-seconds 15]
 *   npm run bench -- --quick            (CI: 60 s, printed only)
 *
 * Load (open loop, to 127.0.0.1 only): timeline reads and searches over the sandbox's seeded
 * conversations, guest messages round-robin over `--guests` sessions (the sandbox's agents
 * answer them, which makes the live events), and new sessions (open, one message, close).
 * `--live-factor` multiplies the guest message rate (so the live-event rate).
 *
 * Each process runs with `--inspect=127.0.0.1:0`; through the inspector every sample reads
 * RSS, active handles, the event-loop delay p99 (monitorEventLoopDelay) and GC pauses since
 * the last sample (a PerformanceObserver), then forces a full GC
 * (`HeapProfiler.collectGarbage`) and reads the heap left. File descriptors come from
 * /proc. The scheduler's /metrics gives the archive and live-feed lags, skipped runs and
 * events written; the outbox backlog is read from the database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import type { Benchmark, BenchmarkResult } from './run';

const root = resolve(__dirname, '../..');
const HOST = '127.0.0.1';
const MB = 1024 * 1024;

interface Flags {
  durationMs: number;
  sampleMs: number;
  timelineRate: number;
  searchRate: number;
  guestRate: number;
  guests: number;
  sessionsPerMinute: number;
  liveFactor: number;
  database: 'sqlite' | 'postgres';
  cronSeconds: number;
}

function duration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (!match) throw new Error(`not a duration: ${text} (e.g. 90s, 10m)`);
  const unit = match[2] ?? 's';
  return Number(match[1]) * (unit === 'ms' ? 1 : unit === 's' ? 1_000 : 60_000);
}

export function parseSoakFlags(argv: readonly string[], quick: boolean): Flags {
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const number = (name: string, fallback: number) => {
    const text = value(name);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number ≥ 0, got ${text}`);
    return n;
  };
  const database = value('database') ?? 'sqlite';
  if (database !== 'sqlite' && database !== 'postgres') throw new Error(`--database must be sqlite or postgres, got ${database}`);
  return {
    durationMs: duration(value('duration') ?? (quick ? '60s' : '10m')),
    sampleMs: duration(value('sample') ?? '10s'),
    timelineRate: number('timeline-rate', 10),
    searchRate: number('search-rate', 1),
    guestRate: number('guest-rate', 2),
    guests: Math.max(1, Math.round(number('guests', 16))),
    sessionsPerMinute: number('sessions-per-minute', 4),
    liveFactor: number('live-factor', 1),
    database,
    cronSeconds: Math.max(1, Math.round(number('cron-seconds', 15))),
  };
}

// ── processes ─────────────────────────────────────────────────────────────

class StackProcess {
  readonly exited: Promise<number | null>;
  readonly lines: string[] = [];
  private readonly tail: string[] = [];
  inspectorUrl?: string;
  private readonly listeners: Array<(line: string) => void> = [];

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        const inspector = /Debugger listening on (ws:\/\/\S+)/.exec(line);
        if (inspector) this.inspectorUrl = inspector[1];
        this.tail.push(line);
        if (this.tail.length > 15) this.tail.shift();
        if (/"level":"(warn|error)"|Archive run skipped/.test(line) && this.lines.length < 1_000) this.lines.push(line);
        for (const listener of [...this.listeners]) listener(line);
      });
    }
    this.exited = once(child, 'exit').then(([code]) => code as number | null);
  }

  onLine(listener: (line: string) => void): void {
    this.listeners.push(listener);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  waitFor<T>(match: (line: string) => T | undefined, what: string, timeoutMs = 120_000): Promise<T> {
    return new Promise<T>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`${this.name} did not report ${what} within ${timeoutMs / 1000} s`)), timeoutMs);
      const listener = (line: string) => {
        const value = match(line);
        if (value === undefined) return;
        this.listeners.splice(this.listeners.indexOf(listener), 1);
        clearTimeout(timer);
        done(value);
      };
      this.listeners.push(listener);
      void this.exited.then((code) => {
        clearTimeout(timer);
        fail(new Error(`${this.name} exited (${code}) before it reported ${what}:\n${this.tail.join('\n')}`));
      });
    });
  }

  /** SIGTERM, SIGKILL after `graceMs`, and at most 5 s more for the exit. */
  async stop(graceMs: number): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await Promise.race([this.exited, new Promise((done) => setTimeout(done, graceMs + 5_000))]);
    clearTimeout(killer);
  }
}

function launch(name: string, args: string[], env: Record<string, string | undefined>): StackProcess {
  const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', ...args], { cwd: root, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  return new StackProcess(name, child);
}

function json(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

// ── the inspector ─────────────────────────────────────────────────────────

/** Installed once in every process: event-loop delay histogram and GC pauses outside our forced GCs. */
const INSTALL = `(() => {
  const { monitorEventLoopDelay, PerformanceObserver } = process.getBuiltinModule('perf_hooks');
  const soak = (globalThis.__soak = { eld: monitorEventLoopDelay({ resolution: 10 }), gcMax: 0, gcTotal: 0, gcCount: 0, forcing: false });
  soak.eld.enable();
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (soak.forcingFrom !== undefined && entry.startTime >= soak.forcingFrom && (soak.forcingTo === undefined || entry.startTime <= soak.forcingTo)) continue;
      soak.gcMax = Math.max(soak.gcMax, entry.duration);
      soak.gcTotal += entry.duration;
      soak.gcCount++;
    }
  }).observe({ entryTypes: ['gc'] });
  return 1;
})()`;

const BEFORE_GC = `(() => {
  const soak = globalThis.__soak;
  const sample = {
    rss: process.memoryUsage.rss(),
    handles: process._getActiveHandles().length,
    eldP99: soak.eld.percentile(99) / 1e6,
    eldMax: soak.eld.max / 1e6,
    gcMax: soak.gcMax, gcTotal: soak.gcTotal, gcCount: soak.gcCount,
  };
  soak.eld.reset();
  soak.gcMax = 0; soak.gcTotal = 0; soak.gcCount = 0;
  soak.forcingFrom = performance.now(); soak.forcingTo = undefined;
  return JSON.stringify(sample);
})()`;

const AFTER_GC = `(() => { globalThis.__soak.forcingTo = performance.now(); return process.memoryUsage().heapUsed; })()`;

class Inspector {
  private nextId = 1;
  private readonly pending = new Map<number, { done: (value: unknown) => void; fail: (error: Error) => void }>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
      const waiter = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id as number);
      if (message.error) waiter.fail(new Error(message.error.message));
      else waiter.done(message.result);
    });
  }

  static async connect(url: string): Promise<Inspector> {
    const socket = new WebSocket(url);
    await Promise.race([once(socket, 'open'), new Promise((_, fail) => setTimeout(() => fail(new Error(`inspector ${url} did not open`)), 10_000))]);
    return new Inspector(socket);
  }

  call(method: string, params: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<unknown> {
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ id, method, params }));
    return new Promise((done, fail) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        fail(new Error(`${method} timed out`));
      }, timeoutMs);
      this.pending.set(id, {
        done: (value) => {
          clearTimeout(timer);
          done(value);
        },
        fail: (error) => {
          clearTimeout(timer);
          fail(error);
        },
      });
    });
  }

  async evaluate<T>(expression: string): Promise<T> {
    const result = (await this.call('Runtime.evaluate', { expression, returnByValue: true })) as { result: { value: T }; exceptionDetails?: { text: string } };
    if (result.exceptionDetails) throw new Error(`evaluate failed: ${result.exceptionDetails.text}`);
    return result.result.value;
  }

  close(): void {
    this.socket.close();
  }
}

interface ProcessSample {
  at: number;
  rssMb: number;
  heapMb: number;
  fds: number;
  handles: number;
  eldP99Ms: number;
  gcMaxMs: number;
  gcTotalMs: number;
}

async function sampleProcess(process_: StackProcess, inspector: Inspector, startedAt: number): Promise<ProcessSample> {
  const before = JSON.parse(await inspector.evaluate<string>(BEFORE_GC)) as { rss: number; handles: number; eldP99: number; gcMax: number; gcTotal: number };
  await inspector.call('HeapProfiler.collectGarbage');
  const heap = await inspector.evaluate<number>(AFTER_GC);
  let fds = Number.NaN;
  try {
    fds = readdirSync(`/proc/${process_.pid}/fd`).length;
  } catch {
    // not Linux: no /proc
  }
  return {
    at: (Date.now() - startedAt) / 60_000,
    rssMb: before.rss / MB,
    heapMb: heap / MB,
    fds,
    handles: before.handles,
    eldP99Ms: before.eldP99,
    gcMaxMs: before.gcMax,
    gcTotalMs: before.gcTotal,
  };
}

// ── load ──────────────────────────────────────────────────────────────────

type Kind = 'timeline' | 'search' | 'guest-message' | 'new-session';

interface Observation {
  kind: Kind;
  minute: number;
  ms: number;
  status: number;
}

class Load {
  readonly observations: Observation[] = [];
  private inFlight = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly tokens: string[] = [];
  private guestTurn = 0;
  private readonly stop = new AbortController();

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly deploymentId: string,
    private readonly conversationIds: readonly string[],
    private readonly startedAt: number,
  ) {}

  async openSessions(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const token = await this.openSession();
      if (token) this.tokens.push(token);
    }
    if (this.tokens.length === 0) throw new Error('no guest session could be opened');
  }

  start(flags: Flags): void {
    const every = (perSecond: number, task: () => Promise<void>) => {
      if (perSecond <= 0) return;
      this.timers.push(setInterval(() => void this.fire(task), 1_000 / perSecond));
    };
    every(flags.timelineRate, () => this.timeline());
    every(flags.searchRate, () => this.search());
    every(flags.guestRate * flags.liveFactor, () => this.guestMessage());
    every(flags.sessionsPerMinute / 60, () => this.newSession());
  }

  async end(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    const deadline = Date.now() + 30_000;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 100));
    this.stop.abort();
    for (const token of this.tokens.splice(0)) await this.request('DELETE', `/v1/guest-sessions/${token}`).catch(() => undefined);
  }

  private async fire(task: () => Promise<void>): Promise<void> {
    // open loop, but never more than 64 requests waiting: a stalled API is reported, not piled on
    if (this.inFlight >= 64) return;
    this.inFlight++;
    try {
      await task();
    } catch {
      // counted as status 0 by `request`
    } finally {
      this.inFlight--;
    }
  }

  private async timeline(): Promise<void> {
    const id = this.conversationIds[Math.floor(Math.random() * this.conversationIds.length)];
    await this.observe('timeline', 'GET', `/v1/conversations/${id}/timeline`);
  }

  private async search(): Promise<void> {
    const to = new Date();
    const from = new Date(to.getTime() - 86_400_000);
    await this.observe('search', 'GET', `/v1/conversations/search?from=${from.toISOString()}&to=${to.toISOString()}&limit=100`);
  }

  private async guestMessage(): Promise<void> {
    const token = this.tokens[this.guestTurn++ % this.tokens.length];
    await this.observe('guest-message', 'POST', `/v1/guest-sessions/${token}/messages`, { text: `soak message ${this.guestTurn}` });
  }

  private async newSession(): Promise<void> {
    const started = performance.now();
    const token = await this.openSession();
    if (!token) return;
    this.record('new-session', performance.now() - started, 201);
    await this.observe('guest-message', 'POST', `/v1/guest-sessions/${token}/messages`, { text: 'hello from a new session' });
    await this.request('DELETE', `/v1/guest-sessions/${token}`).catch(() => undefined);
  }

  private async openSession(): Promise<string | undefined> {
    const response = await this.request('POST', '/v1/guest-sessions', { deploymentId: this.deploymentId });
    if (response.status !== 201) return undefined;
    return ((await response.json()) as { token: string }).token;
  }

  private async observe(kind: Kind, method: string, path: string, body?: unknown): Promise<void> {
    const started = performance.now();
    let status = 0;
    try {
      const response = await this.request(method, path, body);
      await response.arrayBuffer();
      status = response.status;
    } finally {
      this.record(kind, performance.now() - started, status);
    }
  }

  private record(kind: Kind, ms: number, status: number): void {
    this.observations.push({ kind, minute: Math.floor((Date.now() - this.startedAt) / 60_000), ms, status });
  }

  private request(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.any([this.stop.signal, AbortSignal.timeout(30_000)]),
    });
  }
}

// ── the CRM ───────────────────────────────────────────────────────────────

async function startCrm(): Promise<{ url: string; server: Server; records: () => number }> {
  let records = 0;
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      try {
        const batch = JSON.parse(body) as { records?: Array<{ idempotencyKey: string }> };
        records += batch.records?.length ?? 0;
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results: (batch.records ?? []).map((r) => ({ idempotencyKey: r.idempotencyKey, status: 'accepted' })) }));
      } catch {
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((done) => server.listen(0, HOST, done));
  return { url: `http://${HOST}:${(server.address() as AddressInfo).port}/crm/records`, server, records: () => records };
}

// ── statistics ────────────────────────────────────────────────────────────

/** Least-squares slope of y over x (per minute when x is in minutes). */
function slope(points: ReadonlyArray<readonly [number, number]>): number {
  if (points.length < 2) return Number.NaN;
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? Number.NaN : num / den;
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function metric(text: string, name: string): number {
  let sum = Number.NaN;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    sum = Number.isNaN(sum) ? value : sum + value;
  }
  return sum;
}

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '–');
const signed = (n: number) => (Number.isFinite(n) ? `${n >= 0 ? '+' : ''}${n.toFixed(2)}` : '–');

// ── the run ───────────────────────────────────────────────────────────────

interface SchedulerSample {
  at: number;
  archiveLagS: number;
  liveLagS: number;
  skipped: number;
  events: number;
  outboxPending: number;
  crmRecords: number;
}

async function soak(flags: Flags, quick: boolean): Promise<BenchmarkResult> {
  const scratch = mkdtempSync(join(tmpdir(), 'gcm-soak-'));
  // an empty env file: a developer's .env never leaks into the measured processes
  writeFileSync(join(scratch, 'none.env'), '');
  const processes: StackProcess[] = [];
  let crm: Awaited<ReturnType<typeof startCrm>> | undefined;
  let dropSchema: (() => Promise<void>) | undefined;
  const { openDatabase } = await import('@gcm/store');
  let store: Awaited<ReturnType<typeof openDatabase>> | undefined;
  try {
    // the database
    let databaseUrl = `sqlite:${join(scratch, 'gcm.sqlite')}`;
    if (flags.database === 'postgres') {
      const { Client } = await import('pg');
      const server = process.env['GCM_TEST_POSTGRES_URL'] || 'postgres://root@127.0.0.1:5432/test';
      const schema = `gcm_soak_${randomBytes(4).toString('hex')}`;
      const admin = async (query: string) => {
        const client = new Client({ connectionString: server, connectionTimeoutMillis: 5_000 });
        await client.connect();
        try {
          await client.query(query);
        } finally {
          await client.end();
        }
      };
      await admin(`create schema "${schema}"`);
      dropSchema = () => admin(`drop schema if exists "${schema}" cascade`);
      databaseUrl = `${server}${server.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    }

    // the sandbox, on the real clock (its agents answer guests after 1.5 s)
    const sandbox = launch('sandbox', ['--require', require.resolve('tsx/cjs'), 'apps/sandbox/src/main.ts', '--port', '0', '--seed', '42', '--conversations', '300', '--days', '7'], {
      ...process.env,
      TSX_TSCONFIG_PATH: resolve(root, 'tsconfig.base.json'),
    });
    processes.push(sandbox);
    const info = await sandbox.waitFor((line) => {
      const parsed = json(line);
      return parsed?.['event'] === 'listening' ? (parsed as { apiBaseUrl: string; clientId: string; clientSecret: string; deploymentId: string }) : undefined;
    }, 'that it listens');
    const catalog = (await (await fetch(`${info.apiBaseUrl}/__sandbox/info`)).json()) as { queues: Array<{ id: string }>; agents: Array<{ id: string }> };
    const truth = (await (await fetch(`${info.apiBaseUrl}/__sandbox/truth/conversations?limit=10000`)).json()) as { entities: Array<{ id: string }> };
    const conversationIds = truth.entities.map((c) => c.id);
    if (conversationIds.length === 0) throw new Error('the sandbox listed no conversations');

    crm = await startCrm();
    const apiKey = `gcm_${randomBytes(32).toString('base64url')}`;
    const shared = {
      ...process.env,
      GENESYSCLOUD_API_BASE_URL: info.apiBaseUrl,
      GENESYSCLOUD_OAUTHCLIENT_ID: info.clientId,
      GENESYSCLOUD_OAUTHCLIENT_SECRET: info.clientSecret,
      GENESYSCLOUD_REGION: '',
      GENESYSCLOUD_LOGIN_BASE_URL: '',
      GCM_DATABASE_URL: databaseUrl,
      GCM_ARCHIVE_DIR: join(scratch, 'archive'),
    };
    const tsNode = (app: 'api' | 'scheduler') => [resolve(root, 'node_modules/ts-node/dist/bin.js'), '--transpile-only', '-r', 'tsconfig-paths/register', `apps/${app}/src/main.ts`];
    const api = launch('api', tsNode('api'), {
      ...shared,
      TS_NODE_PROJECT: 'apps/api/tsconfig.app.json',
      GCM_API_ENV_FILE: join(scratch, 'none.env'),
      GCM_API_HOST: HOST,
      GCM_API_PORT: '0',
      GCM_API_AUDIT_DIR: join(scratch, 'audit-api'),
      GCM_API_KEYS: `soak:admin:${createHash('sha256').update(apiKey).digest('hex')}:1000000`,
      // the sandbox sets no Genesys quota: the API's own pacing (300/min) would only cap the load
      GCM_API_GENESYS_RATE_LIMIT: '1000000',
    });
    processes.push(api);
    // the API migrates the database first; the scheduler then finds it ready
    const apiUrl = await api.waitFor((line) => (json(line)?.['msg'] === 'listening' ? String(json(line)?.['url']) : undefined), 'that it listens');
    const scheduler = launch('scheduler', tsNode('scheduler'), {
      ...shared,
      TS_NODE_PROJECT: 'apps/scheduler/tsconfig.app.json',
      GCM_SCHEDULER_ENV_FILE: join(scratch, 'none.env'),
      GCM_SCHEDULER_HOST: HOST,
      GCM_SCHEDULER_PORT: '0',
      GCM_SCHEDULER_AUDIT_DIR: join(scratch, 'audit-scheduler'),
      GCM_SCHEDULER_RUN_AT_START: 'true',
      GCM_SCHEDULER_CRON: `*/${flags.cronSeconds} * * * * *`,
      GCM_SCHEDULER_INITIAL_LOOKBACK: '24h',
      GCM_SCHEDULER_CRM_URL: crm.url,
      GCM_SCHEDULER_CRM_CRON: '*/5 * * * * *',
      GCM_SCHEDULER_LIVE_QUEUE_IDS: catalog.queues.map((q) => q.id).join(','),
      GCM_SCHEDULER_LIVE_USER_IDS: catalog.agents.map((a) => a.id).join(','),
    });
    processes.push(scheduler);
    const schedulerPort = await scheduler.waitFor((line) => (json(line)?.['msg'] === 'Scheduler listening' ? Number(json(line)?.['port']) : undefined), 'that it listens');
    const schedulerUrl = `http://${HOST}:${schedulerPort}`;
    let stillGoing = 0;
    scheduler.onLine((line) => {
      if (/Archive run skipped/.test(line)) stillGoing++;
    });

    // inspectors
    const inspectors = new Map<StackProcess, Inspector>();
    for (const p of processes) {
      if (!p.inspectorUrl) throw new Error(`${p.name} printed no inspector address`);
      const inspector = await Inspector.connect(p.inspectorUrl);
      await inspector.evaluate(INSTALL);
      inspectors.set(p, inspector);
    }
    store = await openDatabase(databaseUrl, { migrate: false });

    const startedAt = Date.now();
    const load = new Load(apiUrl, apiKey, info.deploymentId, conversationIds, startedAt);
    await load.openSessions(flags.guests);
    load.start(flags);

    const samples = new Map<string, ProcessSample[]>(processes.map((p) => [p.name, []]));
    const schedulerSamples: SchedulerSample[] = [];
    for (let next = startedAt; Date.now() - startedAt < flags.durationMs; ) {
      next += flags.sampleMs;
      await new Promise((done) => setTimeout(done, Math.max(0, next - Date.now())));
      for (const p of processes) {
        if (!p.running) throw new Error(`${p.name} exited during the soak (code ${p.child.exitCode})`);
        samples.get(p.name)?.push(await sampleProcess(p, inspectors.get(p) as Inspector, startedAt));
      }
      const text = await (await fetch(`${schedulerUrl}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
      schedulerSamples.push({
        at: (Date.now() - startedAt) / 60_000,
        archiveLagS: metric(text, 'gcm_archive_watermark_lag_seconds'),
        liveLagS: metric(text, 'gcm_live_feed_lag_seconds'),
        skipped: metric(text, 'gcm_scheduler_runs_skipped_total'),
        events: metric(text, 'gcm_live_feed_events_total'),
        outboxPending: (await store.outbox.list('crm', 'pending', 1_000_000)).length,
        crmRecords: crm.records(),
      });
    }
    await load.end();
    for (const inspector of inspectors.values()) inspector.close();

    return {
      block: `soak-${flags.database}${flags.liveFactor !== 1 ? `-live${flags.liveFactor}x` : ''}`,
      section: report(flags, quick, samples, schedulerSamples, load.observations, stillGoing),
    };
  } finally {
    await store?.close().catch(() => undefined);
    // the apps first (the scheduler's shutdown grace is 30 s), then the sandbox they talk to
    await Promise.all(processes.filter((p) => p.name !== 'sandbox').map((p) => p.stop(35_000)));
    await Promise.all(processes.filter((p) => p.name === 'sandbox').map((p) => p.stop(5_000)));
    crm?.server.close();
    await dropSchema?.().catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  }
}

function report(
  flags: Flags,
  quick: boolean,
  samples: Map<string, ProcessSample[]>,
  scheduler: SchedulerSample[],
  observations: Observation[],
  stillGoing: number,
): string {
  const minutes = flags.durationMs / 60_000;
  const half = minutes / 2;
  const lines: string[] = [];
  const guestRate = flags.guestRate * flags.liveFactor;
  const requestRate = flags.timelineRate + flags.searchRate + guestRate + (flags.sessionsPerMinute / 60) * 3;
  const eventsPerMinute = scheduler.length > 1 ? slope(scheduler.filter((s) => s.at >= half).map((s) => [s.at, s.events])) : Number.NaN;
  lines.push(
    `## Soak (${flags.database === 'postgres' ? 'PostgreSQL' : 'SQLite'}${flags.liveFactor !== 1 ? `, ${flags.liveFactor}× live events` : ''}${quick ? ', quick' : ''})`,
    '',
    `\`npm run bench -- --only soak --duration ${minutes}m --database ${flags.database}${flags.liveFactor !== 1 ? ` --live-factor ${flags.liveFactor}` : ''}\`: ` +
      `the local stack for ${minutes} min under ~${requestRate.toFixed(0)} API requests/s (timeline ${flags.timelineRate}/s, search ${flags.searchRate}/s, ` +
      `guest messages ${guestRate}/s over ${flags.guests} sessions, ${flags.sessionsPerMinute} new sessions/min), a scheduler cron every ${flags.cronSeconds} s, ` +
      `the live feed writing ${f0(eventsPerMinute)} events/min into the CRM outbox (second half). Sampled every ${flags.sampleMs / 1000} s; slopes by least squares over the second half.`,
    '',
    '| process | RSS start → end | RSS slope | heap after GC start → end | heap slope | fds start → end | handles start → end | event-loop p99 (max) | GC pause max |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  for (const [name, list] of samples) {
    const first = list[0];
    const last = list.at(-1);
    if (!first || !last) continue;
    const second = list.filter((s) => s.at >= half);
    lines.push(
      `| ${name} | ${f0(first.rssMb)} → ${f0(last.rssMb)} MB | ${signed(slope(second.map((s) => [s.at, s.rssMb])))} MB/min | ${f1(first.heapMb)} → ${f1(last.heapMb)} MB | ` +
        `**${signed(slope(second.map((s) => [s.at, s.heapMb])))} MB/min** | ${first.fds} → ${last.fds} | ${first.handles} → ${last.handles} | ` +
        `${f0(percentile(list.map((s) => s.eldP99Ms), 50))} ms (${f0(Math.max(...list.map((s) => s.eldP99Ms)))} ms) | ${f0(Math.max(...list.map((s) => s.gcMaxMs)))} ms |`,
    );
  }
  const heap = samples.get('scheduler') ?? [];
  lines.push('', `Scheduler heap after GC, per sample (MB): ${heap.map((s) => f0(s.heapMb)).join(', ')}.`, '');

  lines.push(
    '| minute | requests | 5xx | timeline p50 / p99 | search p50 / p99 | guest message p50 / p99 | event-loop p99 max api / sandbox / scheduler | GC pause max api / sandbox | archive lag | live-feed lag | outbox pending | events written | skipped runs |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  const perMinute = (name: string, minute: number, pick: (s: ProcessSample) => number) => {
    const list = (samples.get(name) ?? []).filter((s) => s.at > minute && s.at <= minute + 1);
    return list.length ? Math.max(...list.map(pick)) : Number.NaN;
  };
  for (let minute = 0; minute < Math.ceil(minutes); minute++) {
    const inMinute = observations.filter((o) => o.minute === minute);
    const of = (kind: Kind) => inMinute.filter((o) => o.kind === kind && o.status > 0).map((o) => o.ms);
    const pair = (kind: Kind) => `${f0(percentile(of(kind), 50))} / ${f0(percentile(of(kind), 99))} ms`;
    const sched = scheduler.filter((s) => s.at > minute && s.at <= minute + 1);
    const max = (pick: (s: SchedulerSample) => number) => (sched.length ? Math.max(...sched.map(pick)) : Number.NaN);
    const lastOf = (pick: (s: SchedulerSample) => number) => (sched.length ? pick(sched[sched.length - 1]) : Number.NaN);
    const before = scheduler.filter((s) => s.at <= minute).at(-1);
    const events = lastOf((s) => s.events) - (before?.events ?? 0);
    lines.push(
      `| ${minute + 1} | ${inMinute.length} | ${inMinute.filter((o) => o.status >= 500 || o.status === 0).length} | ${pair('timeline')} | ${pair('search')} | ${pair('guest-message')} | ` +
        `${['api', 'sandbox', 'scheduler'].map((name) => f0(perMinute(name, minute, (s) => s.eldP99Ms))).join(' / ')} ms | ` +
        `${['api', 'sandbox'].map((name) => f0(perMinute(name, minute, (s) => s.gcMaxMs))).join(' / ')} ms | ` +
        `${f0(max((s) => s.archiveLagS))} s | ${f0(max((s) => s.liveLagS))} s | ${f0(max((s) => s.outboxPending))} | ${f0(events)} | ${f0(lastOf((s) => s.skipped))} |`,
    );
  }
  const end = scheduler.at(-1);
  lines.push(
    '',
    `Archive runs skipped as "still going": ${stillGoing}. At the end: outbox pending ${f0(end?.outboxPending ?? Number.NaN)}, CRM records received ${end?.crmRecords ?? 0}. ` +
      `Acceptance: heap after GC ≤ 0.5 MB/min in every process over the second half.`,
  );
  return lines.join('\n');
}

const bench: Benchmark = {
  name: 'soak',
  run: ({ quick }) => soak(parseSoakFlags(process.argv.slice(2), quick), quick),
};

export default bench;
