import type { Selectable } from 'kysely';
import type { JobRunsTable } from '../database/schema';
import { StoreError, StoreErrorCode } from '../store.error';
import type { RepositoryContext } from './repository-context';

export type JobRunStatus = 'running' | 'succeeded' | 'partial' | 'failed' | 'cancelled';
export type JobRunCounts = Readonly<Record<string, number>>;

export interface JobRun {
  readonly id: number;
  readonly jobName: string;
  readonly status: JobRunStatus;
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly counts: JobRunCounts;
  readonly errors: readonly string[];
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

  async start(jobName: string, counts: JobRunCounts = {}): Promise<JobRun> {
    const row = await this.ctx.db
      .insertInto('job_runs')
      .values({
        job_name: jobName,
        status: 'running',
        started_at: this.ctx.clock.now(),
        ended_at: null,
        counts: JSON.stringify(counts),
        errors: '[]',
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toJobRun(row);
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
    };
    const row =
      Object.keys(changes).length === 0
        ? await this.ctx.db.selectFrom('job_runs').selectAll().where('id', '=', id).executeTakeFirst()
        : await this.ctx.db
            .updateTable('job_runs')
            .set(changes)
            .where('id', '=', id)
            .returningAll()
            .executeTakeFirst();
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
  };
}
