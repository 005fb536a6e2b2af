import { detailsQueryBody } from '../analytics-request';
import type { Chunk } from '../chunk-plan';
import { fromDetailsRow, type AnalyticsConversationRow } from '../conversation-summary';
import type { PagePosition } from '../resume-token';
import type { SearchCriteria } from '../search-criteria';
import { SearchStreamError, SearchStreamErrorCode } from '../search-stream.error';
import type { ReadRetry } from './read-retry';
import { DETAILS_QUERY_PATH, type ChunkSource, type SearchTransport, type SourceContext, type SourcePage } from './search-source';

interface DetailsQueryResponse {
  conversations?: AnalyticsConversationRow[];
  totalHits?: number;
}

/**
 * The synchronous details query, paged by number. Genesys matches conversations that
 * started on a UTC day the interval touches, so a chunk's query may return neighbours
 * from the same day; the ownership rule drops them.
 */
export class DetailsQuerySource implements ChunkSource {
  readonly kind = 'query' as const;

  constructor(
    private readonly transport: SearchTransport,
    private readonly criteria: SearchCriteria,
    private readonly pageSize: number,
    private readonly includeRaw: boolean,
    private readonly read: ReadRetry,
  ) {}

  async *pages(chunk: Chunk, from: PagePosition | undefined, context: SourceContext): AsyncGenerator<SourcePage> {
    let pageNumber = from?.kind === 'query' ? from.page : 1;
    let previousPage = '';
    let ordered = true;
    let lastStart = -Infinity;
    for (;;) {
      const body = detailsQueryBody(this.criteria, chunk, { pageSize: this.pageSize, pageNumber });
      const response = await this.read(
        `POST ${DETAILS_QUERY_PATH} page ${pageNumber}`,
        () => this.transport.post<DetailsQueryResponse>(DETAILS_QUERY_PATH, body, { retrySafe: true, signal: context.signal }),
        context.signal,
        context.logger,
      );
      const data = response.data ?? {};
      const conversations = data.conversations ?? [];
      if (!Array.isArray(conversations)) {
        throw new SearchStreamError(
          SearchStreamErrorCode.UnexpectedResponse,
          `Genesys POST ${DETAILS_QUERY_PATH} returned "conversations" that is not an array.`,
        );
      }
      const rows = conversations.map((row) => fromDetailsRow(row, this.includeRaw));
      // A server that ignores pageNumber would hand back the same page forever.
      const pageKey = rows.length > 0 ? `${rows.length}:${rows[0].summary.conversationId}:${rows[rows.length - 1].summary.conversationId}` : '';
      if (pageKey !== '' && pageKey === previousPage) {
        context.logger.warn?.('Details query returned the same page twice; stopping this chunk', { pageNumber });
        return;
      }
      previousPage = pageKey;
      for (const row of rows) {
        if (row.startMs < lastStart) ordered = false;
        lastStart = Math.max(lastStart, row.startMs);
      }
      const totalHits = typeof data.totalHits === 'number' ? data.totalHits : undefined;
      yield { rows, position: { kind: 'query', page: pageNumber }, ...(totalHits !== undefined ? { totalHits } : {}) };
      if (rows.length < this.pageSize) return;
      if (totalHits !== undefined && pageNumber * this.pageSize >= totalHits) return;
      // Sorted by conversationStart: once past the chunk, the rest of the day is owned elsewhere.
      if (ordered && lastStart >= chunk.endMs) return;
      pageNumber++;
    }
  }
}
