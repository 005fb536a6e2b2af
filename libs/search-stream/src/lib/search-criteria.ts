import { SearchCriteriaError } from './search-stream.error';

/** Analytics `mediaType` segment dimension values. */
export const MEDIA_TYPES = [
  'message',
  'chat',
  'voice',
  'email',
  'callback',
  'cobrowse',
  'video',
  'screenshare',
  'internalmessage',
  'screenmonitoring',
  'unknown',
] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

/** Messenger types of message conversations (the `messageType` segment dimension). */
export const MESSAGE_TYPES = [
  'webmessaging',
  'open',
  'sms',
  'facebook',
  'instagram',
  'whatsapp',
  'twitter',
  'line',
  'apple',
  'telegram',
  'kakao',
  'unknown',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const DIRECTIONS = ['inbound', 'outbound'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** An instant: a Date, epoch milliseconds, or an ISO-8601 string with a zone. */
export type Instant = Date | number | string;

/** `"start/end"` (ISO-8601) or an object; the end is exclusive. */
export type SearchIntervalInput = string | { start: Instant; end: Instant };

/**
 * Ids per list. Every id becomes one predicate in the request, and Genesys refuses
 * bodies over `request.bytes.max` (512,000 bytes); 1,000 predicates stay far below it.
 */
export const MAX_IDS_PER_FILTER = 1_000;

/** What the caller asks for; `normalizeCriteria` checks it and returns `SearchCriteria`. */
export interface SearchCriteriaInput {
  interval: SearchIntervalInput;
  mediaType?: MediaType;
  messageTypes?: readonly MessageType[];
  queueIds?: readonly string[];
  divisionIds?: readonly string[];
  conversationIds?: readonly string[];
  /** The direction the conversation started in (`originatingDirection`). */
  direction?: Direction;
  externalTag?: string;
}

/** Validated, canonical criteria: lists sorted and de-duplicated, interval in epoch ms. */
export interface SearchCriteria {
  readonly interval: { readonly startMs: number; readonly endMs: number };
  readonly mediaType?: MediaType;
  readonly messageTypes: readonly MessageType[];
  readonly queueIds: readonly string[];
  readonly divisionIds: readonly string[];
  readonly conversationIds: readonly string[];
  readonly direction?: Direction;
  readonly externalTag?: string;
}

export function normalizeCriteria(input: SearchCriteriaInput | SearchCriteria): SearchCriteria {
  if (!input || typeof input !== 'object') throw new SearchCriteriaError('criteria', 'expected an object');
  const raw = input.interval as SearchIntervalInput | SearchCriteria['interval'];
  const interval = raw && typeof raw === 'object' && 'startMs' in raw ? raw : parseInterval(raw as SearchIntervalInput);
  if (!Number.isFinite(interval.startMs) || !Number.isFinite(interval.endMs)) {
    throw new SearchCriteriaError('interval', 'start and end must be finite epoch milliseconds');
  }
  if (interval.endMs <= interval.startMs) {
    throw new SearchCriteriaError(
      'interval.end',
      `the end (${iso(interval.endMs)}) must be after the start (${iso(interval.startMs)})`,
    );
  }
  const criteria: SearchCriteria = {
    interval: { startMs: interval.startMs, endMs: interval.endMs },
    mediaType: oneOf('mediaType', input.mediaType, MEDIA_TYPES),
    messageTypes: idList('messageTypes', input.messageTypes).map((value) => oneOf('messageTypes', value, MESSAGE_TYPES) as MessageType),
    queueIds: idList('queueIds', input.queueIds),
    divisionIds: idList('divisionIds', input.divisionIds),
    conversationIds: idList('conversationIds', input.conversationIds),
    direction: oneOf('direction', input.direction, DIRECTIONS),
    externalTag: optionalText('externalTag', input.externalTag),
  };
  return Object.freeze(criteria);
}

export function parseInterval(input: SearchIntervalInput): { startMs: number; endMs: number } {
  if (typeof input === 'string') {
    const parts = input.split('/');
    if (parts.length !== 2) {
      throw new SearchCriteriaError('interval', `expected "start/end" in ISO-8601, got "${input}"`);
    }
    return { startMs: parseInstant('interval.start', parts[0]), endMs: parseInstant('interval.end', parts[1]) };
  }
  if (!input || typeof input !== 'object') {
    throw new SearchCriteriaError('interval', 'expected "start/end" or { start, end }');
  }
  return { startMs: parseInstant('interval.start', input.start), endMs: parseInstant('interval.end', input.end) };
}

export function parseInstant(field: string, value: Instant): number {
  let ms: number;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') {
    // A string without a zone would be read in the process's local time zone.
    if (!/(Z|[+-]\d\d:?\d\d)$/i.test(value.trim())) {
      throw new SearchCriteriaError(field, `"${value}" has no time zone; write it in UTC, e.g. 2026-01-01T00:00:00Z`);
    }
    ms = Date.parse(value);
  } else {
    throw new SearchCriteriaError(field, 'expected a Date, epoch milliseconds or an ISO-8601 string');
  }
  if (!Number.isFinite(ms)) throw new SearchCriteriaError(field, `"${String(value)}" is not a valid instant`);
  return ms;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function isoInterval(startMs: number, endMs: number): string {
  return `${iso(startMs)}/${iso(endMs)}`;
}

function idList(field: string, values: readonly string[] | undefined): string[] {
  if (values === undefined) return [];
  if (!Array.isArray(values)) throw new SearchCriteriaError(field, 'expected an array of strings');
  if (values.length > MAX_IDS_PER_FILTER) {
    throw new SearchCriteriaError(
      field,
      `${values.length} values is more than the limit of ${MAX_IDS_PER_FILTER}; split the search into several`,
    );
  }
  for (const [i, value] of values.entries()) {
    if (typeof value !== 'string' || value.trim() === '') {
      throw new SearchCriteriaError(`${field}[${i}]`, 'must be a non-empty string');
    }
  }
  return [...new Set(values)].sort();
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) {
    throw new SearchCriteriaError(field, `"${String(value)}" is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function optionalText(field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new SearchCriteriaError(field, 'must be a non-empty string');
  return value;
}
