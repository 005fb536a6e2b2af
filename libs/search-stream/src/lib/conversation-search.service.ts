import { noopLogger, realSleep, systemClock, type Clock, type GenesysLogger, type Sleep } from '@gcm/genesys-auth';
import { ChunkPlan, DAY_MS, validateChunkMs, type MatchRule } from './chunk-plan';
import { ConversationFilter } from './conversation-filter.builder';
import { ConversationSearchStream, type SearchProgress } from './conversation-search-stream';
import { decodeResumeToken, searchFingerprint, type ResumeState, type SearchSourceKind } from './resume-token';
import { normalizeCriteria, type SearchCriteria, type SearchCriteriaInput } from './search-criteria';
import { ResumeTokenError, SearchCriteriaError, SearchStreamErrorCode } from './search-stream.error';
import { AttributeSearchSource } from './sources/attribute-search.source';
import { DEFAULT_DETAILS_JOB_OPTIONS, DetailsJobSource, type DetailsJobOptions } from './sources/details-job.source';
import { DetailsQuerySource } from './sources/details-query.source';
import { readRetry, type ReadRetry } from './sources/read-retry';
import type { ChunkSource, SearchTransport } from './sources/search-source';

/** The details query's page size limit (genesys-api.md §6: default 25, maximum 100). */
export const MAX_QUERY_PAGE_SIZE = 100;
/** Job results page size limit this library accepts (Genesys does not document one). */
export const MAX_JOB_RESULTS_PAGE_SIZE = 1_000;
/** Genesys refuses attribute searches spanning more than 24 hours. */
export const MAX_ATTRIBUTE_CHUNK_MS = DAY_MS;

export interface ConversationSearchOptions {
  /** Usually the `GenesysTransport` of `@gcm/genesys-auth`. */
  transport: SearchTransport;
  clock?: Clock;
  sleep?: Sleep;
  logger?: GenesysLogger;
  /** `auto` strategy: windows longer than this use details jobs (default 48 h), shorter ones the query. */
  jobsAboveMs?: number;
  /** Details query page size (default and maximum 100). */
  queryPageSize?: number;
  /** Details jobs: chunk length (default one day) and job handling. */
  jobs?: Partial<DetailsJobOptions> & { chunkMs?: number };
  /** Attribute search chunk length (default 4 h, at most 24 h). */
  attributeChunkMs?: number;
  /**
   * Ids remembered per chunk to drop repeats (page drift, replayed jobs); bounds memory
   * whatever the result count (default 20,000, about 2 MB).
   */
  dedupeWindow?: number;
  /** Attach the row as Genesys sent it to each summary (`raw`); off by default to keep memory small. */
  includeRaw?: boolean;
  /**
   * Extra tries for a search request answered 500, which the transport leaves to the
   * caller (default 3). Every search request only reads, so repeating one is safe.
   */
  serverErrorRetries?: number;
}

export type SearchStrategy = 'auto' | 'query' | 'jobs';

export interface SearchRunOptions {
  /** Stop after this many results (in this run); take `resumeToken()` to continue. */
  maxResults?: number;
  /** Aborting stops the stream with SearchAbortedError and DELETEs the analytics job in progress. */
  signal?: AbortSignal;
  /** A token from `ConversationSearchStream.resumeToken()` of the same search. */
  resumeFrom?: string;
  onProgress?: (progress: SearchProgress) => void;
  /**
   * Keep each finished chunk's analytics job until `releaseFinishedJobs()` is called,
   * instead of deleting it as the stream moves on. For a consumer that saves resume tokens
   * only now and then (in batches): a token it saved before a chunk ended may still point
   * into that chunk's job, so the job must outlive the stream until a later token is saved.
   */
  deferJobCleanup?: boolean;
}

export interface DetailsSearchOptions extends SearchRunOptions {
  /** Default `auto`: jobs for windows longer than `jobsAboveMs` or for `match: 'activity'`. */
  strategy?: SearchStrategy;
  /** Default `started`: conversations that started in the window. */
  match?: MatchRule;
}

type CriteriaArgument = SearchCriteria | SearchCriteriaInput | ConversationFilter;

/**
 * Finds conversations through the real Genesys endpoints (`/api/v2/search` does not
 * search conversations): the analytics details query for short windows, analytics
 * details jobs for long ones, and the participant attribute search. Framework-free; the
 * Nest module only wires it.
 */
export class ConversationSearch {
  private readonly transport: SearchTransport;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly logger: GenesysLogger;
  private readonly jobsAboveMs: number;
  private readonly queryPageSize: number;
  private readonly jobChunkMs: number;
  private readonly jobOptions: DetailsJobOptions;
  private readonly attributeChunkMs: number;
  private readonly dedupeWindow: number;
  private readonly includeRaw: boolean;
  private readonly read: ReadRetry;

  constructor(options: ConversationSearchOptions) {
    if (!options?.transport) throw new SearchCriteriaError('transport', 'a transport (GenesysTransport) is required');
    this.transport = options.transport;
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    this.logger = options.logger ?? noopLogger;
    this.jobsAboveMs = positive('jobsAboveMs', options.jobsAboveMs ?? 2 * DAY_MS);
    this.queryPageSize = bounded('queryPageSize', options.queryPageSize ?? MAX_QUERY_PAGE_SIZE, 1, MAX_QUERY_PAGE_SIZE);
    const { chunkMs, ...jobOptions } = options.jobs ?? {};
    this.jobChunkMs = chunkMs ?? DAY_MS;
    validateChunkMs(this.jobChunkMs, 'jobs.chunkMs');
    this.jobOptions = { ...DEFAULT_DETAILS_JOB_OPTIONS, ...jobOptions };
    bounded('jobs.resultsPageSize', this.jobOptions.resultsPageSize, 1, MAX_JOB_RESULTS_PAGE_SIZE);
    positive('jobs.pollInitialMs', this.jobOptions.pollInitialMs, true);
    positive('jobs.pollMaxMs', this.jobOptions.pollMaxMs, true);
    positive('jobs.timeoutMs', this.jobOptions.timeoutMs);
    bounded('jobs.maxResubmits', this.jobOptions.maxResubmits, 0, 100);
    bounded('jobs.maxFailedResubmits', this.jobOptions.maxFailedResubmits, 0, 100);
    positive('jobs.expiryMarginMs', this.jobOptions.expiryMarginMs, true);
    this.attributeChunkMs = options.attributeChunkMs ?? 4 * 3_600_000;
    validateChunkMs(this.attributeChunkMs, 'attributeChunkMs');
    if (this.attributeChunkMs > MAX_ATTRIBUTE_CHUNK_MS) {
      throw new SearchCriteriaError('attributeChunkMs', `must be at most ${MAX_ATTRIBUTE_CHUNK_MS} (24 hours), the attribute search limit`);
    }
    this.dedupeWindow = bounded('dedupeWindow', options.dedupeWindow ?? 20_000, 1, 10_000_000);
    this.includeRaw = options.includeRaw ?? false;
    this.read = readRetry(bounded('serverErrorRetries', options.serverErrorRetries ?? 3, 0, 10), this.sleep);
  }

  /** Conversations from the analytics details query or jobs. */
  search(criteria: CriteriaArgument, options: DetailsSearchOptions = {}): ConversationSearchStream {
    const normalized = toCriteria(criteria);
    const match = options.match ?? 'started';
    if (match !== 'started' && match !== 'activity') {
      throw new SearchCriteriaError('match', `"${String(match)}" is not one of started, activity`);
    }
    const strategy = options.strategy ?? 'auto';
    const { startMs, endMs } = normalized.interval;
    let kind: 'query' | 'jobs';
    switch (strategy) {
      case 'auto':
        kind = match === 'activity' || endMs - startMs > this.jobsAboveMs ? 'jobs' : 'query';
        break;
      case 'query':
        if (match === 'activity') {
          throw new SearchCriteriaError(
            'match',
            "the details query matches conversations by start day; match 'activity' needs strategy 'jobs' (or 'auto')",
          );
        }
        kind = 'query';
        break;
      case 'jobs':
        kind = 'jobs';
        break;
      default:
        throw new SearchCriteriaError('strategy', `"${String(strategy)}" is not one of auto, query, jobs`);
    }
    // The sync query matches whole UTC days, so it is chunked by day whatever the job chunking.
    const chunkMs = kind === 'query' ? DAY_MS : this.jobChunkMs;
    const pageSize = kind === 'query' ? this.queryPageSize : this.jobOptions.resultsPageSize;
    const source: ChunkSource =
      kind === 'query'
        ? new DetailsQuerySource(this.transport, normalized, this.queryPageSize, this.includeRaw, this.read)
        : new DetailsJobSource(this.transport, normalized, this.jobOptions, this.clock, this.sleep, this.includeRaw, this.read, this.queryPageSize);
    return this.stream(normalized, source, new ChunkPlan(startMs, endMs, chunkMs, match), pageSize, options);
  }

  /**
   * Conversations from the participant attribute search, by start time. That endpoint
   * searches only `conversationId`, `divisionId` and times, so other criteria are refused.
   */
  searchAttributes(criteria: CriteriaArgument, options: SearchRunOptions = {}): ConversationSearchStream {
    const normalized = toCriteria(criteria);
    const unsupported = (
      [
        ['mediaType', normalized.mediaType !== undefined],
        ['messageTypes', normalized.messageTypes.length > 0],
        ['queueIds', normalized.queueIds.length > 0],
        ['direction', normalized.direction !== undefined],
        ['externalTag', normalized.externalTag !== undefined],
      ] as const
    ).find(([, set]) => set);
    if (unsupported) {
      throw new SearchCriteriaError(
        unsupported[0],
        'the attribute search can only filter by interval, conversationIds and divisionIds; use search() for the others',
      );
    }
    const { startMs, endMs } = normalized.interval;
    const plan = new ChunkPlan(startMs, endMs, this.attributeChunkMs, 'started');
    return this.stream(normalized, new AttributeSearchSource(this.transport, normalized, this.includeRaw, this.read), plan, 0, options);
  }

  private stream(
    criteria: SearchCriteria,
    source: ChunkSource,
    plan: ChunkPlan,
    pageSize: number,
    options: SearchRunOptions,
  ): ConversationSearchStream {
    const fingerprint = searchFingerprint({
      criteria,
      source: source.kind,
      match: plan.match,
      chunkMs: plan.chunkMs,
      // page numbers only mean the same thing with the same page size
      pageSize: source.kind === 'query' ? pageSize : undefined,
    });
    const resumeFrom = options.resumeFrom === undefined ? undefined : this.checkToken(options.resumeFrom, fingerprint, source.kind, plan);
    return new ConversationSearchStream({
      plan,
      source,
      fingerprint,
      dedupeWindow: this.dedupeWindow,
      tokenRecentIds: source.kind === 'query' ? 2 * pageSize : 100,
      logger: this.logger,
      resumeFrom,
      maxResults: options.maxResults,
      signal: options.signal,
      onProgress: options.onProgress,
      deferJobCleanup: options.deferJobCleanup,
    });
  }

  private checkToken(token: string, fingerprint: string, kind: SearchSourceKind, plan: ChunkPlan): ResumeState {
    const state = decodeResumeToken(token);
    if (state.fp !== fingerprint || state.src !== kind || state.chunks !== plan.count) {
      throw new ResumeTokenError(
        SearchStreamErrorCode.ResumeTokenMismatch,
        `Cannot resume the search: the token was issued for a different search (window ${state.window.join('/')}, source ${state.src}). ` +
          'Resume with exactly the same criteria, strategy and options, or start without resumeFrom.',
      );
    }
    // a jobs chunk is read from its job, then (past the job's data availability) by the details query: its tail
    const positionKinds: Record<typeof kind, readonly string[]> = { query: ['query'], jobs: ['job', 'tail'], attributes: ['attributes'] };
    if (state.at && !positionKinds[kind].includes(state.at.kind)) {
      throw new ResumeTokenError(SearchStreamErrorCode.InvalidResumeToken, 'Cannot resume the search: the token is damaged (bad at).');
    }
    return state;
  }
}

function toCriteria(criteria: CriteriaArgument): SearchCriteria {
  return criteria instanceof ConversationFilter ? criteria.build() : normalizeCriteria(criteria);
}

function positive(field: string, value: number, allowZero = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new SearchCriteriaError(field, `must be a number ${allowZero ? '≥ 0' : '> 0'}, got ${value}`);
  }
  return value;
}

function bounded(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SearchCriteriaError(field, `must be a whole number from ${min} to ${max}, got ${value}`);
  }
  return value;
}
