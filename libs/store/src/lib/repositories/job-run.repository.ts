import type { Selectable } from 'kysely';
import type { JobRunsTable } from '../database/schema';
import { StoreError, StoreErrorCode } from '../store.error';
import type { RepositoryContext } from './repository-context';

/**
 * `abandoned`: its holder stopped renewing it (killed, lost, cut off) and another process
 * ended it; the work it had not finished is continued by the next run.
 */
export type JobRunStatus = 'running' | 'succeeded' | 'partial' | 'failed' | 'cancelled' | 'abandoned';
export type JobRunCounts = Readonly<Record<string, number>>;

export interface JobRun {
  readonly id: number;
  readonly jobName: string;
  readonly status: JobRunStatus;
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly counts: JobRunCounts;
  readonly errors: readonly string[];
  /** the process running it (a replica id), when known */
  readonly owner: string | null;
  /** when its holder last said it was alive (epoch ms); null for rows older than heartbeats */
  readonly heartbeatAt: number | null;
}

export interface JobRunStartOptions {
  readonly counts?: JobRunCounts;
  /** the process running it: a run whose holder stops renewing is ended `abandoned` by another */
  readonly owner?: string;
}

export interface AbandonOptions {
  /** job names (exact) whose stale runs are ended */
  readonly jobNames: readonly string[];
  /** a running run whose last heartbeat (or start) is before this is abandoned */
  readonly staleBefore: number;
  /** runs of these holders are abandoned whatever their heartbeat (known dead processes) */
  readonly deadOwners?: readonly string[];
  /** never abandon runs of this holder (the caller's own, still alive) */
  readonly exceptOwner?: string;
  /** never abandon these runs (the caller's current one) */
  readonly exceptIds?: readonly number[];
  /** who noticed, for the recorded reason */
  readonly noticedBy: string;
}

export interface JobRunProgress {
  /** replaces the stored counters */
  readonly counts?: JobRunCounts;
  /** replaces the stored errors (only the last MAX_JOB_RUN_ERRORS are kept) */
  readonly errors?: readonly string[];
}

export interface JobRunEnd extends JobRunProgress {
  readonly status: Exclude<JobRunStatus, 'running'>;
}

export const MAX_JOB_RUN_ERRORS = 100;
const MAX_ERROR_LENGTH = 1_000;

/** One row per execution of a scheduled or manual job: what it did and how it ended. */
export class JobRunRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async start(jobName: string, options: JobRunStartOptions = {}): Promise<JobRun> {
    const { counts = {}, owner } = options;
    const now = this.ctx.clock.now();
    const row = await this.ctx.db
      .insertInto('job_runs')
      .values({
        job_name: jobName,
        status: 'running',
        started_at: now,
        ended_at: null,
        counts: JSON.stringify(counts),
        errors: '[]',
        owner: owner ?? null,
        heartbeat_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toJobRun(row);
  }

  /** Says the holder of running runs is alive. Returns how many were still running. */
  async heartbeat(ids: readonly number[]): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.ctx.db
      .updateTable('job_runs')
      .set({ heartbeat_at: this.ctx.clock.now() })
      .where('id', 'in', ids)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows ?? 0);
  }

  /**
   * Ends `abandoned` the running runs whose holder stopped renewing them (or is known to
   * be dead), recording when and by whom it was noticed. Returns the runs it ended.
   */
  async abandonStale(options: AbandonOptions): Promise<JobRun[]> {
    if (options.jobNames.length === 0) return [];
    const now = this.ctx.clock.now();
    const dead = options.deadOwners ?? [];
    const candidates = await this.ctx.db
      .selectFrom('job_runs')
      .selectAll()
      .where('status', '=', 'running')
      .where('job_name', 'in', options.jobNames)
      .where((eb) => {
        const stale = eb.or([
          eb('heartbeat_at', '<', options.staleBefore),
          eb.and([eb('heartbeat_at', 'is', null), eb('started_at', '<', options.staleBefore)]),
        ]);
        return dead.length > 0 ? eb.or([stale, eb('owner', 'in', dead)]) : stale;
      })
      .execute();
    const ended: JobRun[] = [];
    for (const row of candidates) {
      if (options.exceptOwner !== undefined && row.owner === options.exceptOwner) continue;
      if (options.exceptIds?.includes(Number(row.id))) continue;
      const lastSign = row.heartbeat_at ?? row.started_at;
      const reason =
        `abandoned: ${row.owner ?? 'its holder'} stopped renewing the run (last sign of life ${new Date(lastSign).toISOString()}); ` +
        `noticed by ${options.noticedBy} at ${new Date(now).toISOString()}`;
      const errors = [...(JSON.parse(row.errors) as string[]), reason].slice(-MAX_JOB_RUN_ERRORS);
      const updated = await this.ctx.db
        .updateTable('job_runs')
        .set({ status: 'abandoned', ended_at: now, errors: JSON.stringify(errors) })
        .where('id', '=', row.id)
        .where('status', '=', 'running')
        .returningAll()
        .executeTakeFirst();
      if (updated) ended.push(toJobRun(updated));
    }
    return ended;
  }

  /** Runs still marked running (newest first), e.g. for "no run left running" checks. */
  async running(jobNames: readonly string[]): Promise<JobRun[]> {
    if (jobNames.length === 0) return [];
    const rows = await this.ctx.db
      .selectFrom('job_runs')
      .selectAll()
      .where('status', '=', 'running')
      .where('job_name', 'in', jobNames)
      .orderBy('started_at', 'desc')
      .execute();
    return rows.map(toJobRun);
  }

  /** Saves a progress snapshot of a running job. */
  async update(id: number, progress: JobRunProgress): Promise<JobRun> {
    return this.write(id, progress, undefined);
  }

  async end(id: number, end: JobRunEnd): Promise<JobRun> {
    return this.write(id, end, end.status);
  }

  async get(id: number): Promise<JobRun | undefined> {
    const row = await this.ctx.db.selectFrom('job_runs').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toJobRun(row);
  }

  /** The most recent runs of a job, newest first. */
  async list(jobName: string, limit = 20): Promise<JobRun[]> {
    const rows = await this.ctx.db
      .selectFrom('job_runs')
      .selectAll()
      .where('job_name', '=', jobName)
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toJobRun);
  }

  async latest(jobName: string): Promise<JobRun | undefined> {
    return (await this.list(jobName, 1))[0];
  }

  private async write(
    id: number,
    progress: JobRunProgress,
    status: JobRunEnd['status'] | undefined,
  ): Promise<JobRun> {
    const changes = {
      ...(progress.counts === undefined ? {} : { counts: JSON.stringify(progress.counts) }),
      ...(progress.errors === undefined
        ? {}
        : {
            errors: JSON.stringify(
              progress.errors.slice(-MAX_JOB_RUN_ERRORS).map((error) => error.slice(0, MAX_ERROR_LENGTH)),
            ),
          }),
      ...(status === undefined ? {} : { status, ended_at: this.ctx.clock.now() }),
      heartbeat_at: this.ctx.clock.now(),
    };
    const row = await this.ctx.db.updateTable('job_runs').set(changes).where('id', '=', id).returningAll().executeTakeFirst();
    if (row === undefined) {
      throw new StoreError(StoreErrorCode.NotFound, `Job run ${id} does not exist; start it with jobRuns.start().`);
    }
    return toJobRun(row);
  }
}

function toJobRun(row: Selectable<JobRunsTable>): JobRun {
  return {
    id: Number(row.id),
    jobName: row.job_name,
    status: row.status as JobRunStatus,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    counts: JSON.parse(row.counts) as JobRunCounts,
    errors: JSON.parse(row.errors) as string[],
    owner: row.owner ?? null,
    heartbeatAt: row.heartbeat_at === null || row.heartbeat_at === undefined ? null : Number(row.heartbeat_at),
  };
}
