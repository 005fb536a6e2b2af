import { fromJsonText, RepositoryContext, toJsonText } from './repository-context';
import type { CheckpointsTable } from '../database/schema';

/** Where a job got to: its watermark and an opaque resume token. */
export interface Checkpoint {
  readonly jobName: string;
  /** epoch ms up to which the job has finished, or null */
  readonly watermark: number | null;
  /** any JSON the job needs to resume (a search cursor, an interval) */
  readonly resumeToken: unknown;
  /** the compare-and-set token: pass it back to `compareAndSet` */
  readonly revision: number;
  readonly updatedAt: number;
}

export interface CheckpointUpdate {
  readonly watermark: number | null;
  readonly resumeToken?: unknown;
}

/** Per-job progress, updated with compare-and-set so two replicas cannot both advance it. */
export class CheckpointRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async get(jobName: string): Promise<Checkpoint | undefined> {
    const row = await this.ctx.db
      .selectFrom('checkpoints')
      .selectAll()
      .where('job_name', '=', jobName)
      .executeTakeFirst();
    return row === undefined ? undefined : toCheckpoint(row);
  }

  /**
   * Writes the checkpoint only if it is still at `expectedRevision` (null: only if none
   * exists yet). Returns the new checkpoint, or undefined when someone else wrote first;
   * then re-read with `get` and decide again.
   */
  async compareAndSet(
    jobName: string,
    expectedRevision: number | null,
    update: CheckpointUpdate,
  ): Promise<Checkpoint | undefined> {
    const now = this.ctx.clock.now();
    const values = {
      watermark: update.watermark,
      resume_token: toJsonText(update.resumeToken),
      updated_at: now,
    };
    if (expectedRevision === null) {
      const inserted = await this.ctx.db
        .insertInto('checkpoints')
        .values({ job_name: jobName, revision: 1, ...values })
        .onConflict((oc) => oc.column('job_name').doNothing())
        .returningAll()
        .executeTakeFirst();
      return inserted === undefined ? undefined : toCheckpoint(inserted);
    }
    const updated = await this.ctx.db
      .updateTable('checkpoints')
      .set({ ...values, revision: expectedRevision + 1 })
      .where('job_name', '=', jobName)
      .where('revision', '=', expectedRevision)
      .returningAll()
      .executeTakeFirst();
    return updated === undefined ? undefined : toCheckpoint(updated);
  }

  /** Every checkpoint whose name starts with `prefix`, by name. */
  async list(prefix: string): Promise<Checkpoint[]> {
    const rows = await this.ctx.db.selectFrom('checkpoints').selectAll().orderBy('job_name').execute();
    return rows.filter((row) => row.job_name.startsWith(prefix)).map(toCheckpoint);
  }

  async delete(jobName: string): Promise<boolean> {
    const result = await this.ctx.db
      .deleteFrom('checkpoints')
      .where('job_name', '=', jobName)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }
}

function toCheckpoint(row: CheckpointsTable): Checkpoint {
  return {
    jobName: row.job_name,
    watermark: row.watermark,
    resumeToken: fromJsonText(row.resume_token),
    revision: row.revision,
    updatedAt: row.updated_at,
  };
}
