import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '@gcm/genesys-sandbox';

export const ROOT = resolve(__dirname, '../../../..');
/** The real executable, exactly as `npx gcm` runs it. */
export const GCM_BIN = join(ROOT, 'apps/cli/bin/gcm.js');

export interface GcmResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A scratch directory (cwd of every gcm run: ./var, .env and the config file live there)
 * and an environment that points gcm at the sandbox and nowhere else — nothing of the
 * developer's own environment, config file or .env leaks in.
 */
export class GcmWorld {
  private constructor(
    readonly sandbox: RunningSandbox,
    readonly dir: string,
    /** The instant the sandbox's data is anchored to. */
    readonly now: number,
  ) {}

  /** The last `days` days before the sandbox's "now", as absolute ISO instants (what a resume needs). */
  lastDays(days: number): { from: string; to: string } {
    return { from: new Date(this.now - days * 86_400_000).toISOString(), to: new Date(this.now).toISOString() };
  }

  static async start(options: Partial<SandboxOptions> = {}): Promise<GcmWorld> {
    const dir = await mkdtemp(join(tmpdir(), 'gcm-cli-'));
    // anchored at the real now, so the sandbox clock and gcm's agree: doctor and archive
    // look back from the real clock, and live events announce only what is newer than it
    const now = Date.now();
    const sandbox = await startSandbox({
      port: 0,
      seed: 42,
      conversations: 300,
      days: 7,
      now: new Date(now).toISOString(),
      jobDelayMs: 20,
      agentReplyMs: 50,
      ...options,
    });
    return new GcmWorld(sandbox, dir, now);
  }

  /** GENESYSCLOUD_* for the sandbox, plus an isolated config file and HOME. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      PATH: process.env['PATH'] ?? '',
      HOME: this.dir,
      GCM_CONFIG: join(this.dir, 'config.json'),
      GENESYSCLOUD_API_BASE_URL: this.sandbox.apiBaseUrl,
      GENESYSCLOUD_OAUTHCLIENT_ID: this.sandbox.clientId,
      GENESYSCLOUD_OAUTHCLIENT_SECRET: this.sandbox.clientSecret,
      GCM_DEPLOYMENT_ID: this.sandbox.deploymentId,
      ...extra,
    };
  }

  /** Runs gcm to completion. */
  run(args: readonly string[], options: { env?: Record<string, string>; input?: string; cwd?: string } = {}): Promise<GcmResult> {
    const child = this.spawn(args, options);
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
    return collect(child);
  }

  spawn(args: readonly string[], options: { env?: Record<string, string>; cwd?: string } = {}): ChildProcessWithoutNullStreams {
    return spawn(process.execPath, [GCM_BIN, ...args], { cwd: options.cwd ?? this.dir, env: options.env ?? this.env(), stdio: 'pipe' });
  }

  async stop(): Promise<void> {
    await this.sandbox.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}

export async function collect(child: ChildProcessWithoutNullStreams): Promise<GcmResult> {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** Every line of NDJSON output, parsed; fails the test on a line that is not JSON. */
/** Requests the sandbox answered on `route` (a route template of its stats), every status together. */
export function routeCount(world: GcmWorld, route: string): number {
  return Object.values(world.sandbox.stats.snapshot().requests.byRoute[route] ?? {}).reduce((sum, n) => sum + n, 0);
}

/**
 * Runs gcm to completion within `ms` (with `env` added to the world's, and `during` run while
 * it works); past that it is stopped (SIGTERM, then SIGKILL after 5 s) and the spec fails with
 * its output.
 */
export async function runBounded(
  world: GcmWorld,
  args: readonly string[],
  ms: number,
  options: { env?: Record<string, string>; during?: (child: ChildProcessWithoutNullStreams) => Promise<void> } = {},
): Promise<GcmResult> {
  const child = world.spawn(args, { env: world.env(options.env) });
  child.stdin.end();
  const result = collect(child);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  await options.during?.(child);
  const outcome = await Promise.race([result, timeout]);
  clearTimeout(timer);
  if (outcome !== 'timeout') return outcome;
  child.kill('SIGTERM');
  const stopped = await Promise.race([result, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5_000))]);
  if (stopped === 'timeout') child.kill('SIGKILL');
  const output = await result;
  throw new Error(`gcm ${args.join(' ')} took over ${ms} ms; stderr:\n${output.stderr.slice(-4_000)}`);
}

export function ndjson<T = Record<string, unknown>>(text: string): T[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);
}

/** The JSON events gcm writes on stderr with --json. */
export function stderrEvents(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
