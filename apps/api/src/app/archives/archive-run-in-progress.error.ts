import { ApiError } from '../problem/api.error';

/** 409: this API instance is already running an archive run; one at a time. */
export class ArchiveRunInProgressError extends ApiError {
  constructor(runId: string) {
    super({
      status: 409,
      slug: 'archive-run-in-progress',
      title: 'An archive run is in progress',
      detail: `Archive run ${runId} is still running on this API instance. Follow it at /v1/archives/${runId} and start the next one when it is done.`,
      extensions: { runId },
    });
  }
}
