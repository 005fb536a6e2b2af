/**
 * `npm start`: the whole gcm stack on one machine, as separate processes.
 *
 * - With no Genesys credentials (environment or `.env`): the sandbox — a seeded emulator
 *   of Genesys Cloud — then the API and the scheduler wired to it. With
 *   `GENESYSCLOUD_OAUTHCLIENT_ID`/`_SECRET` set, the same API and scheduler run against
 *   the real org and no sandbox starts.
 * - State: SQLite in ./var/gcm.sqlite, archives in ./var/archive, audit trails in
 *   ./var/audit, each process's full log in ./var/log/<name>.log (`GCM_STATE_DIR` moves
 *   ./var elsewhere; GCM_DATABASE_URL and GCM_ARCHIVE_DIR still win when set).
 * - The scheduler runs the archive job once at start-up; its summary is printed as
 *   `archived N conversations`.
 * - With the sandbox (and no GCM_SCHEDULER_CRM_URL of your own), the scheduler's live feed
 *   follows the sandbox's queues and agents into a local CRM receiver run by this script:
 *   each record is a JSON line in ./var/log/crm.log, and each batch a `[crm]` line.
 * - It prints what a newcomer needs next, and nothing that does not work as printed: URLs
 *   that answer a GET, the API key, and curl and `npx gcm -p local …` commands (a real
 *   conversation id, a queue to follow) that tools/checks/cli-start.spec.ts runs one by one.
 *   The `local` profile is saved in gcm's own config file, so no export is needed.
 * - Ctrl-C stops the scheduler and the API gracefully (in-flight work finishes or is
 *   handed back), then the sandbox. A second Ctrl-C kills whatever is left.
 *
 * Nothing is built: the sandbox runs through tsx, and the Nest apps through ts-node
 * (transpile only), because Nest needs the decorator metadata esbuild does not emit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, type WriteStream } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseEnv } from 'node:util';
import { Redactor } from '@gcm/audit';

const root = resolve(__dirname, '../..');
const stateDir = resolve(root, process.env['GCM_STATE_DIR'] || 'var');
const shown = (path: string) => (path.startsWith(`${root}/`) ? `./${path.slice(root.length + 1)}` : path);
const started = Date.now();
const HOST = '127.0.0.1';
/** How long a process may take to come up before the stack gives up on it. */
const STARTUP_TIMEOUT_MS = 120_000;
/** Graceful stop: the scheduler's own shutdown grace is 30 s. */
const STOP_GRACE_MS = 35_000;

type LogLine = Record<string, unknown> & { level?: string; msg?: string };

/**
 * Every line a process of the stack writes passes this before it reaches a log file or the
 * console: the sandbox's client secret (in its listening line), the local API key, and any
 * secret of the environment are scrubbed, as are bearer tokens, JWTs and `"…secret": "…"`
 * members. The apps redact their own lines too; this covers the sandbox and anything else.
 */
const redactor = new Redactor();
const redact = (line: string) => redactor.redactString(line);
/** Log files are the owner's only: they describe the stack even with the secrets scrubbed. */
const LOG_FILE_MODE = 0o600;

/** One process of the stack: its log goes to <state>/log/<name>.log, its JSON lines to listeners. */
class StackProcess {
  readonly exited: Promise<number | null>;
  private readonly log: WriteStream;
  private readonly listeners: Array<(line: string) => void> = [];
  private readonly tail: string[] = [];

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    this.log = openLog(resolve(stateDir, 'log', `${name}.log`));
    this.log.write(`--- ${new Date().toISOString()} npm start (pid ${child.pid})\n`);
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        const shownLine = redact(line);
        this.log.write(`${shownLine}\n`);
        this.tail.push(shownLine);
        if (this.tail.length > 20) this.tail.shift();
        // listeners read the line as written (the sandbox's listening line carries its credentials);
        // whatever they print goes through say(), which redacts
        for (const listener of [...this.listeners]) listener(line);
      });
    }
    this.exited = once(child, 'exit').then(([code]) => code as number | null);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  onLine(listener: (line: string) => void): void {
    this.listeners.push(listener);
  }

  /** The first line `match` accepts; fails when the process exits first or takes too long. */
  waitFor<T>(match: (line: string) => T | undefined, what: string): Promise<T> {
    return new Promise<T>((resolveLine, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} did not report ${what} within ${STARTUP_TIMEOUT_MS / 1000} s (see ${shown(resolve(stateDir, 'log', `${this.name}.log`))})`)), STARTUP_TIMEOUT_MS);
      timer.unref();
      const listener = (line: string) => {
        const value = match(line);
        if (value === undefined) return;
        this.listeners.splice(this.listeners.indexOf(listener), 1);
        clearTimeout(timer);
        resolveLine(value);
      };
      this.listeners.push(listener);
      void this.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited with code ${code} before it reported ${what}:\n${this.tail.map((l) => `    ${l}`).join('\n')}`));
      });
    });
  }

  /** SIGTERM, then SIGKILL after the grace period. */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.kill(), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    await new Promise<void>((done) => this.log.end(done));
  }

  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }
}

function readDotEnv(): Record<string, string> {
  const path = resolve(root, '.env');
  return existsSync(path) ? (parseEnv(readFileSync(path, 'utf8')) as Record<string, string>) : {};
}

/** The preferred port when it is free, else 0 (the process picks one and reports it). */
function portOr0(preferred: number): Promise<number> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(0));
    probe.listen(preferred, HOST, () => probe.close(() => done(preferred)));
  });
}

function parseJson(line: string): LogLine | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return undefined;
  }
}

const print = (line = '') => process.stdout.write(`${line}\n`);
const say = (name: string, line: string) => print(`[${name}] ${redact(line)}`);

function openLog(path: string): WriteStream {
  const log = createWriteStream(path, { flags: 'a', mode: LOG_FILE_MODE });
  // a log file from an older run keeps its mode otherwise
  if (existsSync(path)) chmodSync(path, LOG_FILE_MODE);
  return log;
}
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function launch(name: string, command: string, args: string[], env: Record<string, string | undefined>): StackProcess {
  // its own process group: the terminal's Ctrl-C reaches only this script, which stops
  // the processes in order (the scheduler and the API before the sandbox they talk to)
  const child = spawn(command, args, { cwd: root, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const processEntry = new StackProcess(name, child);
  // warnings and errors of the JSON logs are shown; everything is in the log file
  processEntry.onLine((line) => {
    const json = parseJson(line);
    if (json && (json.level === 'warn' || json.level === 'error')) say(name, `${json.level}: ${json.msg ?? line}`);
    else if (!json && /error|warn/i.test(line)) say(name, line);
  });
  return processEntry;
}

function nestApp(name: 'api' | 'scheduler', env: Record<string, string | undefined>): StackProcess {
  return launch(name, process.execPath, [resolve(root, 'node_modules/ts-node/dist/bin.js'), '--transpile-only', '-r', 'tsconfig-paths/register', `apps/${name}/src/main.ts`], {
    ...env,
    TS_NODE_PROJECT: `apps/${name}/tsconfig.app.json`,
  });
}

async function main(): Promise<number> {
  for (const dir of ['.', 'archive', 'audit', 'log']) mkdirSync(resolve(stateDir, dir), { recursive: true });
  const dotEnv = readDotEnv();
  const env: Record<string, string | undefined> = { ...dotEnv, ...process.env };
  for (const [name, value] of Object.entries(env)) {
    if (value && /SECRET|PASSWORD|TOKEN|_KEY$/i.test(name)) redactor.addKnownSecret(value);
  }
  const real = Boolean(env['GENESYSCLOUD_OAUTHCLIENT_ID'] && env['GENESYSCLOUD_OAUTHCLIENT_SECRET']);
  const processes: StackProcess[] = [];

  let stopping: Promise<void> | undefined;
  const stop = (reason: string) =>
    (stopping ??= (async () => {
      print();
      print(`gcm: ${reason}: stopping the scheduler and the API (in-flight work finishes or is handed back)…`);
      const apps = processes.filter((p) => p.name !== 'sandbox');
      await Promise.all(apps.map((p) => p.stop()));
      await Promise.all(processes.filter((p) => p.name === 'sandbox').map((p) => p.stop(5_000)));
      localCrm?.server.close();
      print('gcm: stopped.');
    })());
  let interrupts = 0;
  let lastSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    // one Ctrl-C can arrive twice: from the terminal and relayed by npm/tsx
    if (Date.now() - lastSignalAt < 1_000) return;
    lastSignalAt = Date.now();
    interrupts++;
    if (interrupts > 1) {
      print(`gcm: second ${signal}: killing what is left`);
      for (const p of processes) p.kill();
      process.exit(130);
    }
    void stop(signal === 'SIGINT' ? 'Ctrl-C' : signal).then(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  // never leave orphans behind, whatever ends this process
  process.on('exit', () => {
    for (const p of processes) p.kill();
  });

  // ── Genesys: the sandbox, or the real org ──────────────────────────────────
  let genesys: Record<string, string | undefined>;
  let sandboxInfo:
    | { apiBaseUrl: string; clientId: string; clientSecret: string; clients?: Array<{ clientId: string; clientSecret: string }>; deploymentId: string }
    | undefined;
  if (real) {
    genesys = {};
    print(`gcm: GENESYSCLOUD_OAUTHCLIENT_ID is set: running against Genesys Cloud (${env['GENESYSCLOUD_API_BASE_URL'] ?? env['GENESYSCLOUD_REGION'] ?? 'region not set'})`);
  } else {
    // GCM_SANDBOX_CLIENTS=N: the sandbox seeds N OAuth clients and the apps use them as a client pool
    const clients = env['GCM_SANDBOX_CLIENTS']?.trim() || '1';
    print(`gcm: no Genesys credentials in the environment or .env: starting the sandbox (seed 42, 300 conversations over 7 days${clients === '1' ? '' : `, ${clients} OAuth clients`})`);
    const port = await portOr0(4010);
    const sandbox = launch('sandbox', process.execPath, ['--require', require.resolve('tsx/cjs'), 'apps/sandbox/src/main.ts', '--port', String(port), '--seed', '42', '--conversations', '300', '--days', '7', '--clients', clients], {
      ...env,
      TSX_TSCONFIG_PATH: resolve(root, 'tsconfig.base.json'),
    });
    processes.push(sandbox);
    sandboxInfo = await sandbox.waitFor((line) => {
      const json = parseJson(line);
      return json?.['event'] === 'listening' ? (json as unknown as NonNullable<typeof sandboxInfo>) : undefined;
    }, 'that it listens');
    redactor.addKnownSecret(sandboxInfo.clientSecret);
    // a port, not a URL: the sandbox's root answers no GET (its URL to open is printed below)
    say('sandbox', `listening on port ${new URL(sandboxInfo.apiBaseUrl).port}`);
    genesys = {
      GENESYSCLOUD_API_BASE_URL: sandboxInfo.apiBaseUrl,
      GENESYSCLOUD_OAUTHCLIENT_ID: sandboxInfo.clientId,
      GENESYSCLOUD_OAUTHCLIENT_SECRET: sandboxInfo.clientSecret,
      // the sandbox's other clients, if any: a client pool, numbered as every program reads them
      ...Object.fromEntries(
        (sandboxInfo.clients ?? []).slice(1).flatMap((client, n) => [
          [`GENESYSCLOUD_OAUTHCLIENT_ID_${n + 2}`, client.clientId],
          [`GENESYSCLOUD_OAUTHCLIENT_SECRET_${n + 2}`, client.clientSecret],
        ]),
      ),
      // blank values count as unset in both apps and keep a region from .env out of the way
      GENESYSCLOUD_REGION: '',
      GENESYSCLOUD_LOGIN_BASE_URL: '',
    };
  }

  // ── what the sandbox holds: its queues and agents, and a conversation to show ──
  const world = sandboxInfo ? await sandboxWorld(sandboxInfo.apiBaseUrl) : undefined;

  // ── a local CRM for the scheduler's live feed (sandbox only) ─────────────────
  let localCrm: { url: string; server: Server } | undefined;
  let live: Record<string, string> = {};
  if (world && !env['GCM_SCHEDULER_CRM_URL']) {
    localCrm = await startLocalCrm(resolve(stateDir, 'log', 'crm.log'));
    live = {
      GCM_SCHEDULER_CRM_URL: localCrm.url,
      GCM_SCHEDULER_CRM_CRON: '*/5 * * * * *',
      GCM_SCHEDULER_LIVE_QUEUE_IDS: world.queues.map((queue) => queue.id).join(','),
      GCM_SCHEDULER_LIVE_USER_IDS: world.agents.map((agent) => agent.id).join(','),
    };
  }

  // ── the API and the scheduler ──────────────────────────────────────────────
  const apiKey = `gcm_${randomBytes(32).toString('base64url')}`;
  // printed once below, for the user; never in a log file or a relayed line
  redactor.addKnownSecret(apiKey);
  const apiPort = await portOr0(Number(env['GCM_API_PORT'] ?? 3000));
  const schedulerPort = await portOr0(Number(env['GCM_SCHEDULER_PORT'] ?? 9464));
  const shared = {
    ...env,
    ...genesys,
    GCM_DATABASE_URL: env['GCM_DATABASE_URL'] ?? `sqlite:${shown(resolve(stateDir, 'gcm.sqlite'))}`,
    GCM_ARCHIVE_DIR: env['GCM_ARCHIVE_DIR'] ?? shown(resolve(stateDir, 'archive')),
  };
  const api = nestApp('api', {
    ...shared,
    GCM_API_HOST: HOST,
    GCM_API_PORT: String(apiPort),
    GCM_API_AUDIT_DIR: env['GCM_API_AUDIT_DIR'] ?? shown(resolve(stateDir, 'audit/api')),
    // the local key is added to any keys configured already
    GCM_API_KEYS: [env['GCM_API_KEYS'], `local:admin:${createHash('sha256').update(apiKey).digest('hex')}`].filter(Boolean).join(','),
    // GET /v1/events without queueId follows the sandbox's queues
    ...(world && !env['GCM_API_EVENTS_QUEUE_IDS'] ? { GCM_API_EVENTS_QUEUE_IDS: world.queues.map((queue) => queue.id).join(',') } : {}),
  });
  const scheduler = nestApp('scheduler', {
    ...shared,
    GCM_SCHEDULER_HOST: HOST,
    GCM_SCHEDULER_PORT: String(schedulerPort),
    GCM_SCHEDULER_RUN_AT_START: 'true',
    GCM_SCHEDULER_AUDIT_DIR: env['GCM_SCHEDULER_AUDIT_DIR'] ?? shown(resolve(stateDir, 'audit')),
    ...(real ? {} : { GCM_SCHEDULER_INITIAL_LOOKBACK: env['GCM_SCHEDULER_INITIAL_LOOKBACK'] ?? '24h' }),
    ...live,
  });
  processes.push(api, scheduler);

  // every archive run the scheduler finishes, in one line
  scheduler.onLine((line) => {
    const json = parseJson(line);
    const status = /^Archive run (succeeded|partial|failed|cancelled|skipped|idle)$/.exec(json?.msg ?? '')?.[1];
    if (!json || !status) return;
    const n = Number(json['archived'] ?? 0);
    say(
      'scheduler',
      `archived ${n} conversation${n === 1 ? '' : 's'} (run ${status}: ${json['found'] ?? 0} found, ${json['unchanged'] ?? 0} unchanged, ${json['parked'] ?? 0} parked, ${seconds(Number(json['durationMs'] ?? 0))}${json['error'] ? `; ${json['error']}` : ''})`,
    );
  });

  const [apiUrl, schedulerUrl] = await Promise.allSettled([
    api.waitFor((line) => {
      const json = parseJson(line);
      return json?.msg === 'listening' ? String(json['url']) : undefined;
    }, 'that it listens'),
    scheduler.waitFor((line) => {
      const json = parseJson(line);
      return json?.msg === 'Scheduler listening' ? `http://${HOST}:${json['port']}` : undefined;
    }, 'that it listens'),
  ]);
  for (const [name, result] of [['api', apiUrl], ['scheduler', schedulerUrl]] as const) {
    if (result.status === 'rejected') say(name, `could not start: ${(result.reason as Error).message}`);
  }
  if (apiUrl.status === 'rejected' && schedulerUrl.status === 'rejected') {
    await stop('nothing could start');
    return 1;
  }

  // ── what is running, and how to use it ─────────────────────────────────────
  // Every URL printed answers a GET, and every command runs as printed (with the exports
  // above it): tools/checks/cli-start.spec.ts runs each one.
  const profile = sandboxInfo
    ? saveLocalProfile(env, {
        ...sandboxInfo,
        databaseUrl: shared.GCM_DATABASE_URL,
        archiveDir: resolve(root, shared.GCM_ARCHIVE_DIR),
        auditDir: resolve(stateDir, 'audit'),
      })
    : undefined;
  const base = apiUrl.status === 'fulfilled' ? apiUrl.value : undefined;
  const docs = !/^(false|0|no|off)$/i.test(env['GCM_API_DOCS'] ?? '');
  const end = new Date();
  const from = new Date(end.getTime() - 86_400_000).toISOString();
  const conversationId = world?.conversationId;
  const queue = world?.queues[0];
  print();
  print(`gcm local stack (up in ${seconds(Date.now() - started)})`);
  if (sandboxInfo) print(`  Genesys sandbox  ${sandboxInfo.apiBaseUrl}/__sandbox/info   (its queues, agents and guest deployment ${sandboxInfo.deploymentId})`);
  if (base) {
    print(`  API              ${base}/health   ${docs ? `docs ${base}/docs` : '(REST API under /v1)'}`);
    print(`  API key          ${apiKey}   (admin; new on every start)`);
    print(`  review pages     ${base}/review   (sign in with the API key; archived conversations for quality reviewers)`);
  }
  if (schedulerUrl.status === 'fulfilled') print(`  scheduler        ${schedulerUrl.value}/readyz   metrics ${schedulerUrl.value}/metrics`);
  if (localCrm) print(`  CRM (local)      receives the live feed of the sandbox's queues: one JSON line per record in ${shown(resolve(stateDir, 'log', 'crm.log'))}`);
  print(`  state            ${shared.GCM_DATABASE_URL}, ${shared.GCM_ARCHIVE_DIR}, ${shown(resolve(stateDir, 'audit'))}; logs in ${shown(resolve(stateDir, 'log'))}`);
  if (profile && 'path' in profile) print(`  gcm profile      local, saved in ${profile.path}`);
  if (profile && 'problem' in profile) say('gcm', `the gcm profile "local" was not saved: ${profile.problem}`);
  print();
  print('Try:');
  if (base) {
    print(`  export GCM_API_KEY=${apiKey}`);
    print(`  curl -s ${base}/health`);
    print(`  curl -s -H "Authorization: Bearer $GCM_API_KEY" "${base}/v1/conversations/search?from=${from}&to=${end.toISOString()}" | head -3`);
    print(`  curl -s -H "Authorization: Bearer $GCM_API_KEY" "${base}/v1/conversations/${conversationId ?? '<conversationId>'}/timeline?format=markdown"`);
  }
  const gcm = `npx gcm${profile && 'path' in profile ? ' -p local' : ''}`;
  print(`  ${gcm} doctor`);
  print(`  ${gcm} search --from 24h | head -3`);
  print(`  ${gcm} history ${conversationId ?? '<conversationId>'} --format markdown`);
  print(`  ${gcm} archive verify`);
  print(`  ${gcm} queues`);
  if (queue) {
    print(`  ${gcm} events tail --queue "${queue.name}" --max 1     # in a second terminal: waits for the next event of the queue`);
    print(`  ${gcm} session create --message "Hello"     # a guest writes in: a conversation in ${queue.name}${localCrm ? ', whose events also reach the local CRM' : ''}`);
  } else {
    print(`  ${gcm} events tail --queue <queue name or id>     # \`${gcm} queues\` lists them; Ctrl-C stops`);
  }
  print();
  print(`The scheduler archives at start-up and every 15 minutes${localCrm ? ', and feeds the local CRM live' : ''}. Ctrl-C stops everything.`);

  // the stack runs until Ctrl-C; if an app dies on its own, say so and keep the rest up
  for (const p of processes) {
    void p.exited.then((code) => {
      if (!stopping) say(p.name, `exited with code ${code}; see ${shown(resolve(stateDir, 'log', `${p.name}.log`))}`);
    });
  }
  await new Promise<never>(() => undefined);
  return 0;
}

/**
 * A CRM for the local stack: takes the scheduler's CRM batches (apps/scheduler, CrmSyncJob),
 * appends each record to `logPath` as a JSON line, says `[crm] …` per batch, and accepts
 * every record (a record seen before is answered `duplicate`, as a CRM deduplicating by
 * idempotency key would).
 */
async function startLocalCrm(logPath: string): Promise<{ url: string; server: Server }> {
  const log = openLog(logPath);
  const seen = new Set<string>();
  const server = createHttpServer((request, response) => {
    if (request.method !== 'POST') {
      response.writeHead(405, { allow: 'POST', 'content-type': 'text/plain' }).end('The local CRM receives the scheduler\'s live feed as POSTs; the records are in crm.log.\n');
      return;
    }
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      let records: Array<{ idempotencyKey: string; type: string }> = [];
      try {
        records = (JSON.parse(body) as { records?: typeof records }).records ?? [];
      } catch {
        response.writeHead(400).end();
        return;
      }
      const results = records.map((record) => {
        const duplicate = seen.has(record.idempotencyKey);
        seen.add(record.idempotencyKey);
        if (!duplicate) log.write(`${redact(JSON.stringify(record))}\n`);
        return { idempotencyKey: record.idempotencyKey, status: duplicate ? 'duplicate' : 'accepted' };
      });
      const types = [...new Set(records.map((record) => record.type))].join(', ');
      say('crm', `${records.length} live event record${records.length === 1 ? '' : 's'} (${types})`);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results }));
    });
  });
  await new Promise<void>((done) => server.listen(0, HOST, done));
  server.on('close', () => log.end());
  return { url: `http://${HOST}:${(server.address() as AddressInfo).port}/crm/records`, server };
}

interface LocalProfile {
  apiBaseUrl: string;
  clientId: string;
  clientSecret: string;
  clients?: Array<{ clientId: string; clientSecret: string }>;
  deploymentId: string;
  databaseUrl: string;
  archiveDir: string;
  auditDir: string;
}

/**
 * Saves the stack as the gcm profile `local` in the config file gcm reads by default
 * (`GCM_CONFIG`, else `$XDG_CONFIG_HOME/gcm/config.json`, else `~/.config/gcm/config.json`),
 * so `npx gcm -p local …` works with no export. Other profiles are kept. The file holds the
 * sandbox's client secret: written owner-only (0600, in a 0700 directory) and atomically,
 * as `gcm sandbox` writes its profile. A file gcm could not read is left alone.
 */
function saveLocalProfile(env: Record<string, string | undefined>, local: LocalProfile): { path: string } | { problem: string } {
  const path = env['GCM_CONFIG']
    ? resolve(root, env['GCM_CONFIG'])
    : resolve(env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config'), 'gcm', 'config.json');
  let config: { profiles?: Record<string, unknown> } & Record<string, unknown> = {};
  if (existsSync(path)) {
    try {
      config = JSON.parse(readFileSync(path, 'utf8')) as typeof config;
    } catch (error) {
      return { problem: `${path} is not valid JSON (${(error as Error).message}); fix it and start again` };
    }
    if (!config || typeof config !== 'object' || Array.isArray(config)) return { problem: `${path} does not hold a JSON object` };
  }
  // a relative sqlite path is relative to the stack's directory, not to where gcm runs
  const databaseUrl = local.databaseUrl.replace(/^sqlite:(?!:memory:)(?!\/)(.*)$/, (_all, file: string) => `sqlite:${resolve(root, file)}`);
  const profile = {
    apiBaseUrl: local.apiBaseUrl,
    clientId: local.clientId,
    clientSecret: local.clientSecret,
    ...(local.clients && local.clients.length > 1 ? { additionalClients: local.clients.slice(1) } : {}),
    deploymentId: local.deploymentId,
    databaseUrl,
    archiveDir: local.archiveDir,
    auditDir: local.auditDir,
  };
  config.profiles = { ...(config.profiles ?? {}), local: profile };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
  chmodSync(path, 0o600);
  return { path: path.startsWith(`${homedir()}/`) && !env['GCM_CONFIG'] && !env['XDG_CONFIG_HOME'] ? `~/${path.slice(homedir().length + 1)}` : shown(path) };
}

/** The sandbox's queues (the first is where a guest's conversation waits) and a recent conversation to show. */
async function sandboxWorld(apiBaseUrl: string): Promise<{ queues: Array<{ id: string; name: string }>; agents: Array<{ id: string }>; conversationId?: string }> {
  const info = (await (await fetch(`${apiBaseUrl}/__sandbox/info`, { signal: AbortSignal.timeout(10_000) })).json()) as { queues: Array<{ id: string; name: string }>; agents: Array<{ id: string }>; clock: string };
  const from = new Date(Date.parse(info.clock) - 86_400_000).toISOString();
  const recent = (await (await fetch(`${apiBaseUrl}/__sandbox/truth/conversations?limit=1&from=${from}&to=${info.clock}`, { signal: AbortSignal.timeout(10_000) })).json()) as { entities: Array<{ id: string }> };
  return { queues: info.queues, agents: info.agents, conversationId: recent.entities[0]?.id };
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`gcm: npm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
