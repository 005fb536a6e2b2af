import { attributeSearchBody } from '../analytics-request';
import type { Chunk } from '../chunk-plan';
import { fromAttributeRow, type AttributeSearchRow } from '../conversation-summary';
import { paginateByCursor } from '../paginate';
import type { PagePosition } from '../resume-token';
import type { SearchCriteria } from '../search-criteria';
import { SearchStreamError, SearchStreamErrorCode } from '../search-stream.error';
import type { ReadRetry } from './read-retry';
import { ATTRIBUTE_SEARCH_PATH, type ChunkSource, type SearchTransport, type SourceContext, type SourcePage } from './search-source';

interface AttributeSearchResponse {
  results?: AttributeSearchRow[];
  cursor?: string;
}

/**
 * The participant attribute search (`POST /api/v2/conversations/participants/attributes/search`),
 * a DATE_RANGE over `startTime` per chunk, paged by cursor. Genesys caps one request at
 * 24 hours, which the chunking respects.
 */
export class AttributeSearchSource implements ChunkSource {
  readonly kind = 'attributes' as const;

  constructor(
    private readonly transport: SearchTransport,
    private readonly criteria: SearchCriteria,
    private readonly includeRaw: boolean,
    private readonly read: ReadRetry,
  ) {}

  async *pages(chunk: Chunk, from: PagePosition | undefined, context: SourceContext): AsyncGenerator<SourcePage> {
    const start = from?.kind === 'attributes' ? from.cursor : undefined;
    const pages = paginateByCursor(
      async (cursor) =>
        (
          await this.read(
            `POST ${ATTRIBUTE_SEARCH_PATH}`,
            () =>
              this.transport.post<AttributeSearchResponse>(ATTRIBUTE_SEARCH_PATH, attributeSearchBody(this.criteria, chunk, cursor), {
                retrySafe: true,
                signal: context.signal,
              }),
            context.signal,
            context.logger,
          )
        ).data ?? {},
      (page) => page.cursor,
      start,
      () => context.logger.warn?.('Attribute search returned the cursor it was given; stopping this chunk'),
    );
    for await (const { page, cursor } of pages) {
      const results = page.results ?? [];
      if (!Array.isArray(results)) {
        throw new SearchStreamError(
          SearchStreamErrorCode.UnexpectedResponse,
          `Genesys POST ${ATTRIBUTE_SEARCH_PATH} returned "results" that is not an array.`,
        );
      }
      yield {
        rows: results.map((row) => fromAttributeRow(row, this.includeRaw)),
        position: { kind: 'attributes', ...(cursor ? { cursor } : {}) },
      };
    }
  }
}
