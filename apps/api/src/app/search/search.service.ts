import { Inject, Injectable } from '@nestjs/common';
import { API_CONFIG } from '../config/api-config.token';
import type { ApiConfig } from '../config/api-config';
import { RequestValidationError } from '../problem/request-validation.error';
import { ConversationSearch, normalizeCriteria, SearchAbortedError, type ConversationSearchStream, type ConversationSummary } from '@gcm/search-stream';
import type { SearchQueryDto } from './search.dto';

export interface OpenedSearch {
  readonly stream: ConversationSearchStream;
  readonly iterator: AsyncIterator<ConversationSummary>;
  /** The first result, already read: a search that cannot start fails before any byte is sent. */
  readonly first: IteratorResult<ConversationSummary>;
}

@Injectable()
export class SearchService {
  constructor(
    private readonly search: ConversationSearch,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /**
   * Validates the criteria and the resume token and reads the first result, so every
   * refusal (bad criteria, a foreign token, Genesys saying no) is still a proper HTTP
   * error; only then does the caller commit to a 200 stream.
   */
  async open(query: SearchQueryDto, signal: AbortSignal): Promise<OpenedSearch> {
    const criteria = normalizeCriteria({
      interval: { start: query.from, end: query.to },
      ...(query.mediaType ? { mediaType: query.mediaType } : {}),
      ...(query.messageTypes ? { messageTypes: query.messageTypes } : {}),
      ...(query.queueIds ? { queueIds: query.queueIds } : {}),
      ...(query.divisionIds ? { divisionIds: query.divisionIds } : {}),
      ...(query.direction ? { direction: query.direction } : {}),
      ...(query.externalTag ? { externalTag: query.externalTag } : {}),
    });
    const { startMs, endMs } = criteria.interval;
    if (endMs - startMs > this.config.search.maxWindowMs) {
      const days = Math.round(this.config.search.maxWindowMs / 86_400_000);
      throw new RequestValidationError([{ field: 'to', message: `is more than ${days} days after from (GCM_API_SEARCH_MAX_WINDOW); search in parts`, code: 'WINDOW_TOO_LONG' }]);
    }
    const stream = this.search.search(criteria, {
      ...(query.strategy ? { strategy: query.strategy } : {}),
      ...(query.match ? { match: query.match } : {}),
      ...(query.limit ? { maxResults: query.limit } : {}),
      ...(query.resumeToken ? { resumeFrom: query.resumeToken } : {}),
      signal,
    });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    return { stream, iterator, first };
  }
}

export function isAbort(error: unknown): boolean {
  return error instanceof SearchAbortedError;
}
