import { ApiError } from '../problem/api.error';

/** 404: the conversation (or that version of it) is not in the archive. */
export class ArchiveNotFoundError extends ApiError {
  constructor(conversationId: string, version?: number) {
    super({
      status: 404,
      slug: 'archive-not-found',
      title: 'Not archived',
      detail:
        version === undefined
          ? `Conversation ${conversationId} has not been archived. Archive it with POST /v1/archives {"conversationIds": ["${conversationId}"]}.`
          : `Conversation ${conversationId} has no archived version ${version}; GET it without a version to list the versions there are.`,
    });
  }
}
