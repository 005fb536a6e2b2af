import { isoString } from '../clock/sandbox-clock';
import { ConversationRecord } from '../data/conversation-record';
import { SandboxWorld } from '../data/sandbox-world';
import { ApiErrors } from '../errors/api-error';
import { JsonObject, optionalArray, optionalEnum, optionalString, requireObject } from '../http/body-validation';

interface Criterion {
  type: 'EXACT' | 'DATE_RANGE';
  fields: string[];
  values: string[];
  startValue?: number;
  endValue?: number;
  operator: 'AND' | 'OR' | 'NOT';
  group: Criterion[];
}

/** One search hit: the customer participant of a conversation and its attributes. */
interface SearchDocument {
  conversationId: string;
  participantId: string;
  startTime: string;
  attributes: Record<string, string>;
}

/** A conversation as criteria see it; participantId is lazy because it needs participants. */
interface SearchSubject {
  conversationId: string;
  startTime: number;
  attributes: Record<string, string>;
  participantId(): string;
}

const CACHE_SIZE = 8;

/**
 * POST /api/v2/conversations/participants/attributes/search. The request has no page size,
 * so pages have a fixed size; the cursor is opaque and the last page has none. Matches of
 * a query are computed once and kept for a few queries, so paging through a large result
 * does not rescan every conversation per page.
 */
export class AttributeSearchService {
  private readonly cache = new Map<string, string[]>();

  constructor(
    private readonly world: SandboxWorld,
    private readonly pageSize: number,
  ) {
    // runtime conversations bring new documents; attributes themselves never change
    world.on('conversation.changed', (change) => {
      if (change.kind === 'created') this.cache.clear();
    });
  }

  search(rawBody: unknown): Record<string, unknown> {
    const body = requireObject(rawBody);
    const criteria = (optionalArray(body, 'query') ?? []).map((c) => parseCriterion(c));
    if (criteria.length === 0) throw ApiErrors.badRequest('query needs at least one criterion.', {}, 'query');
    const sortOrder = optionalEnum(body, 'sortOrder', ['ASC', 'DESC', 'SCORE'] as const) ?? 'ASC';
    const returnFields = (optionalArray(body, 'returnFields') ?? []).filter((f): f is string => typeof f === 'string');
    const cacheKey = JSON.stringify({ criteria, sortOrder });
    let matches = this.cache.get(cacheKey);
    if (!matches) {
      matches = this.match(criteria, sortOrder === 'DESC');
      this.cache.set(cacheKey, matches);
      if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    }
    const cursorText = optionalString(body, 'cursor');
    const offset = cursorText === undefined ? 0 : decodeCursor(cursorText, cacheKey, matches.length);
    const page = matches.slice(offset, offset + this.pageSize);
    const response: Record<string, unknown> = {
      types: ['conversations'],
      results: page.map((id) => project(this.document(this.world.skeletonById(id)!), returnFields)),
    };
    const next = offset + page.length;
    if (next < matches.length) response.cursor = encodeCursor(cacheKey, next);
    return response;
  }

  private match(criteria: Criterion[], descending: boolean): string[] {
    const hits: Array<{ id: string; start: number }> = [];
    const { index, generator } = this.world;
    for (let p = 0; p < index.size; p++) {
      const i = index.byStart[p];
      const subject: SearchSubject = this.world.isMaterialized(i)
        ? subjectOf(this.world.skeleton(i))
        : {
            conversationId: index.ids[i],
            startTime: index.startTimes[i],
            attributes: generator.attributes(i),
            participantId: () => this.world.skeleton(i).participants[0].id,
          };
      if (holdsAll(criteria, subject)) hits.push({ id: subject.conversationId, start: subject.startTime });
    }
    for (const id of this.world.createdConversationIds()) {
      const record = this.world.skeletonById(id)!;
      if (holdsAll(criteria, subjectOf(record))) hits.push({ id, start: record.startTime });
    }
    hits.sort((a, b) => (descending ? b.start - a.start : a.start - b.start) || (a.id < b.id ? -1 : 1));
    return hits.map((h) => h.id);
  }

  private document(record: ConversationRecord): SearchDocument {
    const customer = customerOf(record);
    return {
      conversationId: record.id,
      participantId: customer.id,
      startTime: isoString(record.startTime),
      attributes: customer.attributes,
    };
  }
}

function customerOf(record: ConversationRecord) {
  return record.participants.find((p) => p.purpose === 'customer') ?? record.participants[0];
}

function subjectOf(record: ConversationRecord): SearchSubject {
  const customer = customerOf(record);
  return {
    conversationId: record.id,
    startTime: record.startTime,
    attributes: customer.attributes,
    participantId: () => customer.id,
  };
}

function parseCriterion(raw: unknown): Criterion {
  const obj: JsonObject = requireObject(raw, 'query');
  const type = optionalEnum(obj, 'type', ['EXACT', 'DATE_RANGE'] as const);
  if (!type) throw ApiErrors.badRequest('Each query criterion needs a type (EXACT or DATE_RANGE).', {}, 'query.type');
  const fields = (optionalArray(obj, 'fields') ?? []).filter((f): f is string => typeof f === 'string');
  const group = (optionalArray(obj, 'group') ?? []).map((g) => parseCriterion(g));
  if (fields.length === 0 && group.length === 0) throw ApiErrors.badRequest('A query criterion needs fields or a group.', {}, 'query.fields');
  const values = [
    ...(optionalString(obj, 'value') !== undefined ? [optionalString(obj, 'value')!] : []),
    ...(optionalArray(obj, 'values') ?? []).filter((v): v is string => typeof v === 'string'),
  ];
  const parseDate = (field: 'startValue' | 'endValue') => {
    const text = optionalString(obj, field);
    if (text === undefined) return undefined;
    const ms = Date.parse(text);
    if (!Number.isFinite(ms)) throw ApiErrors.invalidDate(`query.${field}`, text);
    return ms;
  };
  const criterion: Criterion = {
    type,
    fields,
    values,
    startValue: parseDate('startValue'),
    endValue: parseDate('endValue'),
    operator: optionalEnum(obj, 'operator', ['AND', 'OR', 'NOT'] as const) ?? 'AND',
    group,
  };
  if (type === 'EXACT' && group.length === 0 && values.length === 0) {
    throw ApiErrors.badRequest('An EXACT criterion needs value or values.', {}, 'query.value');
  }
  if (type === 'DATE_RANGE' && criterion.startValue === undefined && criterion.endValue === undefined) {
    throw ApiErrors.badRequest('A DATE_RANGE criterion needs startValue and/or endValue.', {}, 'query.startValue');
  }
  return criterion;
}

function fieldValue(subject: SearchSubject, field: string): string | number | undefined {
  switch (field) {
    case 'conversationId':
      return subject.conversationId;
    case 'participantId':
      return subject.participantId();
    case 'startTime':
    case 'conversationStartTime':
      return subject.startTime;
    default:
      return subject.attributes[field.replace(/^(participantAttributes|attributes)\./, '')];
  }
}

function criterionHolds(c: Criterion, subject: SearchSubject): boolean {
  if (c.group.length > 0 && !holdsAll(c.group, subject)) return false;
  if (c.fields.length === 0) return true;
  return c.fields.some((field) => {
    const value = fieldValue(subject, field);
    if (value === undefined) return false;
    if (c.type === 'EXACT') return c.values.includes(String(value));
    const ms = typeof value === 'number' ? value : Date.parse(value);
    return Number.isFinite(ms) && (c.startValue === undefined || ms >= c.startValue) && (c.endValue === undefined || ms <= c.endValue);
  });
}

/** AND criteria must all hold, NOT criteria must not, and of the OR criteria one must. */
function holdsAll(criteria: Criterion[], subject: SearchSubject): boolean {
  let anyOr = false;
  let orHolds = false;
  for (const c of criteria) {
    const holds = criterionHolds(c, subject);
    if (c.operator === 'AND' && !holds) return false;
    if (c.operator === 'NOT' && holds) return false;
    if (c.operator === 'OR') {
      anyOr = true;
      orHolds ||= holds;
    }
  }
  return !anyOr || orHolds;
}

function project(doc: SearchDocument, returnFields: string[]): Record<string, unknown> {
  if (returnFields.length === 0) return { ...doc };
  const out: Record<string, unknown> = {};
  for (const field of returnFields) {
    const value =
      field in doc ? (doc as unknown as Record<string, unknown>)[field] : doc.attributes[field.replace(/^(participantAttributes|attributes)\./, '')];
    if (value !== undefined) out[field] = value;
  }
  return out;
}

function encodeCursor(cacheKey: string, offset: number): string {
  return Buffer.from(JSON.stringify({ k: hash(cacheKey), o: offset })).toString('base64url');
}

function decodeCursor(cursor: string, cacheKey: string, total: number): number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: string; o?: number };
    if (parsed.k === hash(cacheKey) && Number.isInteger(parsed.o) && parsed.o! >= 0 && parsed.o! <= total) return parsed.o!;
  } catch {
    // fall through to the error below
  }
  throw ApiErrors.badRequest('The cursor does not belong to this query; repeat the query without a cursor.', {}, 'cursor');
}

function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}
