import type { Kysely, Migration } from 'kysely';

/**
 * 0004: who runs a job run and when it last said it was alive. A run whose holder stops
 * renewing (kill -9, a lost node, a database outage) is ended `abandoned` by the next
 * process that notices, instead of staying `running` forever.
 */
export function jobRunHoldersMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('job_runs').addColumn('owner', 'text').execute();
      await db.schema.alterTable('job_runs').addColumn('heartbeat_at', 'bigint').execute();
      await db.schema.createIndex('job_runs_status_idx').on('job_runs').columns(['status', 'job_name']).execute();
    },
  };
}
