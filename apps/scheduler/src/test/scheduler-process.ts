import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = resolve(__dirname, '../../../..');

/** One JSON log line of the scheduler. */
export type LogLine = Record<string, unknown> & { level: string; msg: string };

/**
 * The scheduler as a real child process, started exactly as `npm run scheduler` does
 * (ts-node, transpile only, tsconfig paths). Its JSON log lines are parsed as they come;
 * `waitFor` resolves on the first line (past or future) that matches — tests wait on what
 * the process says, never on a timer.
 */
export class SchedulerProcess {
  /** Every process started and not yet exited, so a failed test cannot leave one behind. */
  private static readonly alive = new Set<SchedulerProcess>();
  /** Unhandled rejections and uncaught exceptions any process reported: each is a bug. */
  private static readonly unhandled: string[] = [];
  readonly lines: LogLine[] = [];
  readonly stderr: string[] = [];
  /** Lines that were not JSON (there must be none). */
  readonly garbage: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly waiters: Array<{ match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }> = [];
  private readonly child: ChildProcess;

  constructor(env: Record<string, string>, args: string[] = []) {
    this.child = spawn(
      join(ROOT, 'node_modules/.bin/ts-node'),
      ['--transpile-only', '-r', 'tsconfig-paths/register', 'apps/scheduler/src/main.ts', ...args],
      {
        cwd: ROOT,
        env: { PATH: process.env['PATH'] ?? '', TS_NODE_PROJECT: 'apps/scheduler/tsconfig.app.json', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const { stdout, stderr } = this.child;
    if (!stdout || !stderr) throw new Error('the scheduler was spawned without pipes');
    createInterface({ input: stdout }).on('line', (text) => {
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        this.garbage.push(text);
        return;
      }
      this.lines.push(line);
      if (typeof line.msg === 'string' && /^Unhandled rejection/.test(line.msg)) SchedulerProcess.unhandled.push(line.msg);
      for (const waiter of [...this.waiters]) {
        if (waiter.match(line)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    });
    createInterface({ input: stderr }).on('line', (text) => {
      this.stderr.push(text);
      if (/UnhandledPromiseRejection|Uncaught |Unhandled rejection/.test(text)) SchedulerProcess.unhandled.push(text);
    });
    SchedulerProcess.alive.add(this);
    this.exited = once(this.child, 'exit').then(([code, signal]) => {
      SchedulerProcess.alive.delete(this);
      return { code: code as number | null, signal: signal as NodeJS.Signals | null };
    });
  }

  /**
   * Kills (SIGKILL) whatever a test left running; call it from afterAll. Fails when any
   * process reported an unhandled rejection or an uncaught exception: no run may be able
   * to kill a process, so one that escaped is a test failure wherever it happened.
   */
  static async killLeftovers(): Promise<void> {
    await Promise.all([...SchedulerProcess.alive].map((child) => child.crash()));
    const unhandled = SchedulerProcess.unhandled.splice(0);
    if (unhandled.length > 0) throw new Error(`A scheduler process reported an unhandled failure:\n${unhandled.join('\n')}`);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  waitFor(match: (line: LogLine) => boolean, what = 'a matching log line'): Promise<LogLine> {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      this.waiters.push({ match, resolve });
      void this.exited.then(({ code, signal }) =>
        reject(new Error(`The scheduler exited (${code ?? signal}) before logging ${what}. stderr: ${this.stderr.join('\n').slice(-2_000)}`)),
      );
    });
  }

  /** The port of its health/metrics server, once it listens. */
  async port(): Promise<number> {
    return (await this.waitFor((line) => line.msg === 'Scheduler listening', 'that it listens'))['port'] as number;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** kill -9 and wait until it is gone. */
  async crash(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  count(match: (line: LogLine) => boolean): number {
    return this.lines.filter(match).length;
  }
}

export const isRunEnd = (line: LogLine) => typeof line.msg === 'string' && /^Archive run (succeeded|partial|failed|cancelled|skipped|idle)$/.test(line.msg);
export const isOutcome = (line: LogLine) => typeof line.msg === 'string' && /^Conversation \S+ (archived|unchanged)$/.test(line.msg);

/** A scratch directory for one scheduler's state, with an empty .env so a developer's own never leaks in. */
export async function schedulerWorkspace(): Promise<{ dir: string; env: Record<string, string>; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'gcm-scheduler-'));
  await mkdir(join(dir, 'archive'));
  await writeFile(join(dir, '.env'), '');
  return {
    dir,
    env: {
      GCM_SCHEDULER_ENV_FILE: join(dir, '.env'),
      GCM_DATABASE_URL: `sqlite:${join(dir, 'gcm.sqlite')}`,
      GCM_ARCHIVE_DIR: join(dir, 'archive'),
      GCM_SCHEDULER_AUDIT_DIR: join(dir, 'audit'),
      GCM_SCHEDULER_HOST: '127.0.0.1',
      GCM_SCHEDULER_PORT: '0',
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
