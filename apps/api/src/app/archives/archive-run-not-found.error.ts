import { ApiError } from '../problem/api.error';

/** 404: no archive run with this id was started by this API instance (or it was long ago). */
export class ArchiveRunNotFoundError extends ApiError {
  constructor(runId: string) {
    super({
      status: 404,
      slug: 'archive-run-not-found',
      title: 'Archive run not found',
      detail: `No archive run ${runId} is known to this API instance. Runs are tracked by the instance that started them; the audit trail (action archive.run.backfill) keeps every run's summary.`,
    });
  }
}
