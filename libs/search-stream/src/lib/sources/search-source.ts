import type { GenesysLogger, GenesysTransport } from '@gcm/genesys-auth';
import type { Chunk } from '../chunk-plan';
import type { SourceRow } from '../conversation-summary';
import type { PagePosition, SearchSourceKind } from '../resume-token';

/** The part of `GenesysTransport` a search uses; a fake can stand in for it in tests. */
export type SearchTransport = Pick<GenesysTransport, 'get' | 'post' | 'delete'>;

export const DETAILS_QUERY_PATH = '/api/v2/analytics/conversations/details/query';
export const DETAILS_JOBS_PATH = '/api/v2/analytics/conversations/details/jobs';
export const ATTRIBUTE_SEARCH_PATH = '/api/v2/conversations/participants/attributes/search';

export interface SourcePage {
  rows: SourceRow[];
  /** How to fetch this same page again (what a resume token records). */
  position: PagePosition;
  /** Conversations matching the query, when the endpoint says (details query only). */
  totalHits?: number;
  /** The chunk's results start over with this page: its job was replaced. */
  restarted?: boolean;
}

export interface SourceContext {
  /** Aborts the requests: the caller's signal, or the stream closing early. */
  signal: AbortSignal;
  /** The caller's own signal; only its abort cancels analytics jobs. */
  callerSignal?: AbortSignal;
  logger: GenesysLogger;
  /** Reports the analytics job in use (undefined when none), so an abort can cancel it at once. */
  onJob?(jobId: string | undefined): void;
}

/** One endpoint's way of listing a chunk's conversations, page by page. */
export interface ChunkSource {
  readonly kind: SearchSourceKind;
  pages(chunk: Chunk, from: PagePosition | undefined, context: SourceContext): AsyncGenerator<SourcePage>;
  /** Best-effort cancellation of an analytics job (DELETE), for aborts. */
  cancelJob?(jobId: string, logger: GenesysLogger): Promise<void>;
}
