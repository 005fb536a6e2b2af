export {
  ConversationSearch,
  MAX_ATTRIBUTE_CHUNK_MS,
  MAX_JOB_RESULTS_PAGE_SIZE,
  MAX_QUERY_PAGE_SIZE,
  type ConversationSearchOptions,
  type DetailsSearchOptions,
  type SearchRunOptions,
  type SearchStrategy,
} from './lib/conversation-search.service';
export { ConversationSearchStream, type SearchProgress } from './lib/conversation-search-stream';
export { ConversationFilter } from './lib/conversation-filter.builder';
export {
  DIRECTIONS,
  MAX_IDS_PER_FILTER,
  MEDIA_TYPES,
  MESSAGE_TYPES,
  normalizeCriteria,
  type Direction,
  type Instant,
  type MediaType,
  type MessageType,
  type SearchCriteria,
  type SearchCriteriaInput,
  type SearchIntervalInput,
} from './lib/search-criteria';
export {
  attributeSearchBody,
  detailFilters,
  detailsJobBody,
  detailsQueryBody,
  type AnalyticsFilter,
  type AnalyticsPredicate,
  type AttributeSearchBody,
  type AttributeSearchCriterion,
  type DetailsJobBody,
  type DetailsQueryBody,
} from './lib/analytics-request';
export { ChunkPlan, type Chunk, type MatchRule } from './lib/chunk-plan';
export type { ConversationSummary } from './lib/conversation-summary';
export { DEFAULT_DETAILS_JOB_OPTIONS, type DetailsJobOptions } from './lib/sources/details-job.source';
export {
  ATTRIBUTE_SEARCH_PATH,
  DETAILS_JOBS_PATH,
  DETAILS_QUERY_PATH,
  type SearchTransport,
} from './lib/sources/search-source';
export { paginateByCursor, prefetchOne } from './lib/paginate';
export { toObservable } from './lib/observable.adapter';
export { RESUME_TOKEN_VERSION, decodeResumeToken, type PagePosition, type ResumeState } from './lib/resume-token';
export {
  ResumeTokenError,
  SearchAbortedError,
  SearchCriteriaError,
  SearchJobError,
  SearchStreamError,
  SearchStreamErrorCode,
  type AnalyticsJobState,
} from './lib/search-stream.error';
