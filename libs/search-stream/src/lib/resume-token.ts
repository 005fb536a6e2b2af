import { createHash } from 'node:crypto';
import type { ChunkDedupeSnapshot } from './chunk-dedupe';
import { ResumeTokenError, SearchStreamErrorCode } from './search-stream.error';

export const RESUME_TOKEN_VERSION = 1;
const TOKEN_KIND = 'gcm.search-stream';
/** Far above what a real token needs (about 5 KB); refuses junk before parsing it. */
const MAX_TOKEN_LENGTH = 256_000;

export type SearchSourceKind = 'query' | 'jobs' | 'attributes';

/** Where the page being consumed came from, so a resumed stream can fetch it again. */
export type PagePosition =
  | { kind: 'query'; page: number }
  /** `availableUntil`: the job's `dataAvailabilityDate`, fixed for the chunk at its first page. */
  | { kind: 'job'; jobId: string; cursor?: string; expiresAt?: number; availableUntil?: number }
  /** The part of a job chunk after the job's data availability, read with the details query. */
  | { kind: 'tail'; jobId: string; from: number; page: number }
  | { kind: 'attributes'; cursor?: string };

/** The decoded content of a resume token (version 1). */
export interface ResumeState {
  v: typeof RESUME_TOKEN_VERSION;
  kind: typeof TOKEN_KIND;
  /** Fingerprint of the search (criteria, window, strategy, chunking, page size). */
  fp: string;
  src: SearchSourceKind;
  /** The window, for people reading a token; the fingerprint is what is checked. */
  window: [string, string];
  /** Chunk in progress; equal to `chunks` once the search is complete. */
  chunk: number;
  chunks: number;
  /** That chunk's interval, for people reading a token. */
  span?: [string, string];
  /** The page being consumed when the token was taken, if any. */
  at?: PagePosition;
  /** Rows of that page already consumed. */
  offset: number;
  /** Ownership/de-duplication state of the chunk in progress. */
  own?: ChunkDedupeSnapshot;
  /** Results yielded so far, earlier runs included. */
  results: number;
}

export function encodeResumeToken(state: ResumeState): string {
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

export function decodeResumeToken(token: string): ResumeState {
  if (typeof token !== 'string' || token.length === 0) {
    throw invalid('the resume token must be a non-empty string');
  }
  if (token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) {
    throw invalid('the resume token is not a search-stream token (expected base64url text)');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (error) {
    throw invalid('the resume token is damaged (its content is not JSON); it may have been truncated', error);
  }
  if (!isRecord(parsed) || parsed['kind'] !== TOKEN_KIND) {
    throw invalid('the resume token was not issued by @gcm/search-stream');
  }
  if (parsed['v'] !== RESUME_TOKEN_VERSION) {
    throw invalid(
      `the resume token has version ${JSON.stringify(parsed['v'])}; this version of @gcm/search-stream reads version ${RESUME_TOKEN_VERSION}`,
    );
  }
  const state = parsed as unknown as ResumeState;
  const problems: string[] = [];
  if (typeof state.fp !== 'string') problems.push('fp');
  if (!['query', 'jobs', 'attributes'].includes(state.src)) problems.push('src');
  if (!Array.isArray(state.window) || state.window.length !== 2) problems.push('window');
  if (state.span !== undefined && (!Array.isArray(state.span) || state.span.length !== 2)) problems.push('span');
  if (!isCount(state.chunks) || state.chunks < 1) problems.push('chunks');
  if (!isCount(state.chunk) || state.chunk > state.chunks) problems.push('chunk');
  if (!isCount(state.offset)) problems.push('offset');
  if (!isCount(state.results)) problems.push('results');
  if (state.at !== undefined && !isPosition(state.at)) problems.push('at');
  if (state.own !== undefined && !isSnapshot(state.own)) problems.push('own');
  if (problems.length > 0) throw invalid(`the resume token is damaged (bad ${problems.join(', ')})`);
  return state;
}

/** A short, stable digest of what defines a search, so a token is never applied to another one. */
export function searchFingerprint(parts: unknown): string {
  return createHash('sha256').update(canonicalJson(parts)).digest('base64url').slice(0, 22);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function invalid(message: string, cause?: unknown): ResumeTokenError {
  return new ResumeTokenError(SearchStreamErrorCode.InvalidResumeToken, `Cannot resume the search: ${message}.`, { cause });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}

function isPosition(value: unknown): value is PagePosition {
  if (!isRecord(value)) return false;
  switch (value['kind']) {
    case 'query':
      return Number.isInteger(value['page']) && (value['page'] as number) >= 1;
    case 'job':
      return (
        typeof value['jobId'] === 'string' &&
        value['jobId'] !== '' &&
        (value['cursor'] === undefined || typeof value['cursor'] === 'string') &&
        (value['expiresAt'] === undefined || typeof value['expiresAt'] === 'number') &&
        (value['availableUntil'] === undefined || typeof value['availableUntil'] === 'number')
      );
    case 'tail':
      return (
        typeof value['jobId'] === 'string' &&
        value['jobId'] !== '' &&
        typeof value['from'] === 'number' &&
        Number.isInteger(value['page']) &&
        (value['page'] as number) >= 1
      );
    case 'attributes':
      return value['cursor'] === undefined || typeof value['cursor'] === 'string';
    default:
      return false;
  }
}

function isSnapshot(value: unknown): value is ChunkDedupeSnapshot {
  return (
    isRecord(value) &&
    isCount(value['yielded']) &&
    (value['last'] === undefined || typeof value['last'] === 'number') &&
    Array.isArray(value['atLast']) &&
    value['atLast'].every((id) => typeof id === 'string') &&
    typeof value['ordered'] === 'boolean' &&
    Array.isArray(value['recent']) &&
    value['recent'].every((id) => typeof id === 'string')
  );
}
