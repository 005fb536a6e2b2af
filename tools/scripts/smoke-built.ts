/**
 * CI's check of the deployable artifacts (`npx tsx tools/scripts/smoke-built.ts`), without Docker:
 *
 * 1. builds every app (`nx build`, the Dockerfile's build command) into dist/apps/<name>;
 * 2. checks each generated package.json: a `main.js` beside it, no TypeScript loader (ts-node,
 *    tsx), no TypeScript and nothing of Nx;
 * 3. copies the sandbox, API and scheduler artifacts to clean folders outside the workspace (no
 *    workspace node_modules to fall back on) and runs the Dockerfile's runtime install there;
 * 4. starts them with the Dockerfile's `CMD` (plain node), API and scheduler against the sandbox,
 *    sharing one SQLite database;
 * 5. smoke test: API health and readiness, the Dockerfile's HEALTHCHECK, a conversation found by
 *    the search stream, its timeline, the scheduler's start-up archive run and that conversation's
 *    archive read back through the API; no secret in any log line;
 * 6. stops all with SIGTERM, SIGKILL after a bounded wait, and expects each to log its last line.
 *
 * Every wait has a deadline; the whole script stops itself after TOTAL_MS.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = resolve(__dirname, '../..');
const APPS = ['sandbox', 'api', 'scheduler', 'cli'] as const;
const TOTAL_MS = 8 * 60_000;
const STOP_GRACE_MS = 10_000;
const FORBIDDEN_DEPENDENCY = /^(ts-node|tsx|typescript|nx|@nx\/.*|@swc-node\/.*|tsconfig-paths)$/;

type Line = Record<string, unknown> & { msg?: string };

class Service {
  readonly lines: Line[] = [];
  readonly raw: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(
    readonly name: string,
    command: readonly string[],
    cwd: string,
    env: Record<string, string>,
  ) {
    const [file, ...args] = command;
    this.child = spawn(file === 'node' ? process.execPath : file!, args, { cwd, env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      createInterface({ input: stream }).on('line', (text) => {
        this.raw.push(text);
        try {
          this.lines.push(JSON.parse(text) as Line);
        } catch {
          // not JSON: kept in raw (and reported when it is a log line of ours)
        }
      });
    }
    this.exited = once(this.child, 'exit').then(([code]) => code as number | null);
  }

  async waitFor(match: (line: Line) => boolean, what: string, timeoutMs = 60_000): Promise<Line> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    for (;;) {
      const found = this.lines.find(match);
      if (found) return found;
      if (exited) throw new Error(`${this.name} exited before ${what}:\n${this.raw.slice(-20).join('\n')}`);
      if (Date.now() > deadline) throw new Error(`${this.name}: no ${what} within ${timeoutMs} ms:\n${this.raw.slice(-20).join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGTERM, then SIGKILL after STOP_GRACE_MS. Resolves with the exit code (null when killed). */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

const services: Service[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'gcm-smoke-'));

function step(title: string): void {
  process.stdout.write(`smoke: ${title}\n`);
}

function run(command: string, cwd: string, timeoutMs: number): void {
  const started = Date.now();
  const result = spawnSync('sh', ['-c', command], { cwd, stdio: 'inherit', timeout: timeoutMs, killSignal: 'SIGKILL', env: { ...process.env, SCARF_ANALYTICS: 'false' } });
  if (result.status !== 0) throw new Error(`"${command}" in ${cwd} failed (${result.status ?? result.signal ?? result.error?.message})`);
  step(`  ${command} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

async function runAsync(command: string, cwd: string, timeoutMs: number): Promise<void> {
  const started = Date.now();
  const child = spawn('sh', ['-c', command], { cwd, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, SCARF_ANALYTICS: 'false' } });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit').finally(() => clearTimeout(timer))) as [number | null];
  if (code !== 0) throw new Error(`"${command}" in ${cwd} failed (${code ?? 'killed'})`);
  step(`  ${command} in ${cwd} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/** The Dockerfile's commands, so CI runs what the image runs. */
function dockerfile(): { build: string; install: string; cmd: string[]; healthcheck: string[] } {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ');
  const runs = [...text.matchAll(/^RUN (.+)$/gm)].map((m) => m[1]!.trim());
  const build = runs.find((line) => line.startsWith('npx nx build'));
  const install = runs.find((line) => line.startsWith('npm ci --omit=dev'));
  const cmd = /^CMD (\[.+\])$/m.exec(text)?.[1];
  const healthcheck = /^HEALTHCHECK .*CMD (\[.+\])$/m.exec(text)?.[1];
  if (!build || !install || !cmd || !healthcheck) throw new Error('Dockerfile: expected RUN npx nx build …, RUN npm ci --omit=dev …, HEALTHCHECK … CMD [...] and CMD [...]');
  for (const needed of [/^FROM \$\{NODE_IMAGE\} AS runtime$/m, /^ARG NODE_IMAGE=node:20-slim$/m, /^USER node$/m]) {
    if (!needed.test(text)) throw new Error(`Dockerfile: missing ${needed.source}`);
  }
  return { build, install, cmd: JSON.parse(cmd) as string[], healthcheck: JSON.parse(healthcheck) as string[] };
}

function checkManifest(app: string): void {
  const folder = join(ROOT, 'dist/apps', app);
  if (!existsSync(join(folder, 'main.js'))) throw new Error(`dist/apps/${app}/main.js is missing`);
  const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const names = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies', 'overrides'].flatMap((k) => Object.keys(manifest[k] ?? {}));
  const forbidden = names.filter((name) => FORBIDDEN_DEPENDENCY.test(name));
  if (forbidden.length > 0) throw new Error(`dist/apps/${app}/package.json names ${forbidden.join(', ')}`);
  const lock = readFileSync(join(folder, 'package-lock.json'), 'utf8');
  if (/"node_modules\/(ts-node|tsx|@nx\/[^"]+|nx)"/.test(lock)) throw new Error(`dist/apps/${app}/package-lock.json installs a TypeScript loader or Nx`);
}

function provideSqliteBinding(folder: string): void {
  const installed = join(folder, 'node_modules/better-sqlite3');
  if (!existsSync(installed)) return;
  const workspace = join(ROOT, 'node_modules/better-sqlite3');
  const version = (dir: string) => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  if (version(installed) !== version(workspace)) throw new Error(`better-sqlite3 ${version(installed)} in the artifact, ${version(workspace)} in the workspace`);
  cpSync(join(workspace, 'build/Release/better_sqlite3.node'), join(installed, 'build/Release/better_sqlite3.node'));
}

async function http(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
}

async function expectOk(url: string, init: RequestInit = {}): Promise<Response> {
  const response = await http(url, init);
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`);
  return response;
}

async function main(): Promise<void> {
  const recipe = dockerfile();
  step('build every app');
  // the Dockerfile builds one app per image; here all four in one Nx run
  run(`npx nx run-many -t build -p ${APPS.join(',')} --parallel=2`, ROOT, 5 * 60_000);
  for (const app of APPS) checkManifest(app);
  step('  generated package.json files name no ts-node, tsx, TypeScript or Nx');

  step('install each artifact in a clean folder');
  const folders: Record<string, string> = {};
  // --ignore-scripts: better-sqlite3 would compile its binding from source (over a minute per
  // app on CI's 2 cores); the workspace's binding of the same version and Node ABI is copied in
  // instead. The image's build stage runs the install with its scripts.
  await Promise.all(
    ['sandbox', 'api', 'scheduler'].map(async (app) => {
      folders[app] = join(scratch, app);
      cpSync(join(ROOT, 'dist/apps', app), folders[app]!, { recursive: true });
      await runAsync(`${recipe.install} --prefer-offline --ignore-scripts`, folders[app]!, 5 * 60_000);
      provideSqliteBinding(folders[app]!);
    }),
  );

  const start = (name: string, args: string[], env: Record<string, string>) => {
    const service = new Service(name, [...recipe.cmd, ...args], folders[name]!, env);
    services.push(service);
    return service;
  };

  step('start the built sandbox, API and scheduler with the image command');
  const sandbox = start('sandbox', ['--port', '0', '--seed', '20', '--conversations', '12'], {});
  const info = await sandbox.waitFor((line) => line['event'] === 'listening', 'its listening line');
  const apiKey = `gcm_${randomBytes(24).toString('hex')}`;
  const genesys = {
    GENESYSCLOUD_API_BASE_URL: String(info['apiBaseUrl']),
    GENESYSCLOUD_OAUTHCLIENT_ID: String(info['clientId']),
    GENESYSCLOUD_OAUTHCLIENT_SECRET: String(info['clientSecret']),
    GCM_DATABASE_URL: `sqlite:${join(scratch, 'gcm.sqlite')}`,
    GCM_ARCHIVE_DIR: join(scratch, 'archive'),
  };
  const api = start('api', [], {
    ...genesys,
    GCM_API_HOST: '127.0.0.1',
    GCM_API_PORT: '0',
    GCM_API_KEYS: `smoke:admin:${createHash('sha256').update(apiKey).digest('hex')}`,
    GCM_API_AUDIT_DIR: join(scratch, 'audit/api'),
  });
  const scheduler = start('scheduler', [], {
    ...genesys,
    GCM_SCHEDULER_HOST: '127.0.0.1',
    GCM_SCHEDULER_PORT: '0',
    GCM_SCHEDULER_RUN_AT_START: 'true',
    GCM_SCHEDULER_INITIAL_LOOKBACK: '24h',
    GCM_SCHEDULER_AUDIT_DIR: join(scratch, 'audit/scheduler'),
  });
  const base = String((await api.waitFor((line) => line.msg === 'listening', 'listening'))['url']);
  const schedulerPort = Number((await scheduler.waitFor((line) => line.msg === 'Scheduler listening', 'listening'))['port']);
  const auth = { headers: { authorization: `Bearer ${apiKey}` } };

  step('smoke test');
  await expectOk(`${base}/health/live`);
  await expectOk(`${base}/health`);
  await expectOk(`http://127.0.0.1:${schedulerPort}/healthz`);
  await expectOk(`http://127.0.0.1:${schedulerPort}/readyz`);
  const probe = spawnSync(process.execPath, recipe.healthcheck.slice(1), { env: { ...process.env, GCM_HEALTH_URL: `${base}/health/live` }, timeout: 10_000 });
  if (probe.status !== 0) throw new Error(`the Dockerfile's HEALTHCHECK failed against the API (${probe.status})`);
  step('  health, readiness and the image HEALTHCHECK answer');

  const now = Date.now();
  const window = `from=${new Date(now - 24 * 3_600_000).toISOString()}&to=${new Date(now).toISOString()}&limit=1`;
  const ndjson = await (await expectOk(`${base}/v1/conversations/search?${window}`, auth)).text();
  const first = ndjson
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { type: string; conversation?: { conversationId: string } })
    .find((line) => line.type === 'conversation');
  if (!first?.conversation) throw new Error(`the search found no conversation: ${ndjson.slice(0, 500)}`);
  const id = first.conversation.conversationId;
  const timeline = (await (await expectOk(`${base}/v1/conversations/${id}/timeline`, auth)).json()) as { conversationId?: string; entries?: unknown[] };
  if (timeline.conversationId !== id) throw new Error(`the timeline of ${id} came back as ${JSON.stringify(timeline).slice(0, 300)}`);
  step(`  search and timeline of ${id} through the API`);

  const run_ = await scheduler.waitFor((line) => /^Archive run (succeeded|partial|failed|cancelled|skipped|idle)$/.test(line.msg ?? ''), 'the end of its start-up archive run', 120_000);
  if (run_.msg !== 'Archive run succeeded') throw new Error(`the start-up archive run ended: ${JSON.stringify(run_)}`);
  await expectOk(`${base}/v1/archives/conversations/${id}`, auth);
  step(`  the scheduler's archive run succeeded; the API reads ${id}'s archive`);

  step('stop with SIGTERM (SIGKILL after a bounded wait)');
  const codes = await Promise.all([api.stop(), scheduler.stop(), sandbox.stop()]);
  if (codes.some((code) => code !== 0)) throw new Error(`exit codes api, scheduler, sandbox: ${codes.join(', ')}`);
  await api.waitFor((line) => line.msg === 'API stopped', 'its last line "API stopped"', 1);
  await scheduler.waitFor((line) => line.msg === 'Scheduler stopped', 'its last line "Scheduler stopped"', 1);

  const secrets = [genesys.GENESYSCLOUD_OAUTHCLIENT_SECRET, apiKey];
  for (const service of [api, scheduler]) {
    const notJson = service.raw.filter((text) => !text.startsWith('{'));
    if (notJson.length > 0) throw new Error(`${service.name} wrote lines that are not JSON: ${notJson.slice(0, 3).join(' | ')}`);
    if (service.raw.some((text) => secrets.some((secret) => text.includes(secret)))) throw new Error(`${service.name} logged a secret`);
  }
  step('  every log line JSON; no client secret or API key in them');
}

const watchdog = setTimeout(() => {
  process.stderr.write(`smoke: not done within ${TOTAL_MS / 1000} s\n`);
  void Promise.all(services.map((s) => s.stop())).finally(() => process.exit(1));
}, TOTAL_MS);

main().then(
  async () => {
    clearTimeout(watchdog);
    rmSync(scratch, { recursive: true, force: true });
    step('ok');
  },
  async (error: unknown) => {
    clearTimeout(watchdog);
    process.stderr.write(`smoke: FAILED: ${(error as Error).message}\n`);
    await Promise.all(services.map((s) => s.stop()));
    process.stderr.write(`smoke: state kept in ${scratch}\n`);
    process.exitCode = 1;
  },
);
