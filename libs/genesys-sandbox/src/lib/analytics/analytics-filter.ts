import { ApiErrors } from '../errors/api-error';
import { JsonObject, optionalArray, optionalEnum, optionalObject, optionalString, requireObject } from '../http/body-validation';
import { AnalyticsConversation } from '../render/analytics-conversation.mapper';

/**
 * Analytics filters: `{type: and|or, clauses: [{type, predicates}], predicates: [...]}`
 * evaluated against the analytics conversation tree. A conversation filter looks at
 * conversation-level dimensions; a segment filter must be satisfied by one single segment
 * (with its session and participant), like the real segment filters.
 */

export const CONVERSATION_DIMENSIONS = [
  'conversationId',
  'conversationStart',
  'conversationEnd',
  'conversationInitiator',
  'divisionId',
  'externalTag',
  'originatingDirection',
] as const;

export const SEGMENT_DIMENSIONS = [
  'addressFrom',
  'addressTo',
  'conversationId',
  'direction',
  'disconnectType',
  'divisionId',
  'mediaType',
  'messageType',
  'participantId',
  'participantName',
  'purpose',
  'queueId',
  'segmentType',
  'sessionId',
  'userId',
  'wrapUpCode',
] as const;

type Operator = 'matches' | 'exists' | 'notExists';

interface Predicate {
  dimension: string;
  operator: Operator;
  value?: string;
  range?: { gt?: number; gte?: number; lt?: number; lte?: number };
}

interface Clause {
  type: 'and' | 'or';
  predicates: Predicate[];
}

export interface AnalyticsFilter {
  type: 'and' | 'or';
  clauses: Clause[];
  predicates: Predicate[];
}

/** A dimension whose value is not known yet: the predicate's outcome is "maybe". */
export const UNKNOWN = Symbol('unknown dimension value');

export type DimensionValue = string | string[] | undefined | typeof UNKNOWN;

/** Looks up a dimension's value; a function so values can be computed only when asked for. */
export type View = (dimension: string) => DimensionValue;

/** Three-valued logic: true, false, or undefined for "cannot tell from this view". */
type Tri = boolean | undefined;

const TIME_DIMENSIONS = new Set(['conversationStart', 'conversationEnd']);

export function parseFilters(raw: unknown, field: 'conversationFilters' | 'segmentFilters'): AnalyticsFilter[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw ApiErrors.badRequest('{field} must be an array of filters.', { field }, field);
  const dimensions: readonly string[] = field === 'conversationFilters' ? CONVERSATION_DIMENSIONS : SEGMENT_DIMENSIONS;
  return raw.map((f) => {
    const filter = requireObject(f, field);
    const type = optionalEnum(filter, 'type', ['and', 'or'] as const) ?? 'and';
    const clauses = (optionalArray(filter, 'clauses') ?? []).map((c) => {
      const clause = requireObject(c, `${field}.clauses`);
      return {
        type: optionalEnum(clause, 'type', ['and', 'or'] as const) ?? 'and',
        predicates: parsePredicates(clause, field, dimensions),
      };
    });
    const predicates = parsePredicates(filter, field, dimensions);
    if (clauses.length === 0 && predicates.length === 0) {
      throw ApiErrors.badRequest('A filter in {field} needs predicates or clauses.', { field }, field);
    }
    return { type, clauses, predicates };
  });
}

function parsePredicates(obj: JsonObject, field: string, dimensions: readonly string[]): Predicate[] {
  return (optionalArray(obj, 'predicates') ?? []).map((p) => {
    const predicate = requireObject(p, `${field}.predicates`);
    const type = optionalEnum(predicate, 'type', ['dimension', 'property', 'metric'] as const) ?? 'dimension';
    if (type !== 'dimension') {
      throw ApiErrors.badRequest('The sandbox evaluates dimension predicates only, not {type} predicates.', { type }, field);
    }
    const dimension = optionalString(predicate, 'dimension');
    if (!dimension) throw ApiErrors.badRequest('A dimension predicate needs a dimension.', {}, `${field}.predicates.dimension`);
    if (!dimensions.includes(dimension)) throw ApiErrors.invalidValue(`${field}.predicates.dimension`, dimension, dimensions);
    const operator = optionalEnum(predicate, 'operator', ['matches', 'exists', 'notExists'] as const) ?? 'matches';
    const value = optionalString(predicate, 'value');
    const rangeObj = optionalObject(predicate, 'range');
    let range: Predicate['range'];
    if (rangeObj) {
      if (!TIME_DIMENSIONS.has(dimension)) {
        throw ApiErrors.badRequest('A range applies to conversationStart or conversationEnd, not {dimension}.', { dimension }, field);
      }
      range = {};
      for (const bound of ['gt', 'gte', 'lt', 'lte'] as const) {
        const v = optionalString(rangeObj, bound);
        if (v !== undefined) {
          const ms = Date.parse(v);
          if (!Number.isFinite(ms)) throw ApiErrors.invalidDate(`range.${bound}`, v);
          range[bound] = ms;
        }
      }
    }
    if (operator === 'matches' && value === undefined && !range) {
      throw ApiErrors.badRequest('A matches predicate on {dimension} needs a value or a range.', { dimension }, field);
    }
    return { dimension, operator, value, range };
  });
}

function predicateHolds(p: Predicate, view: View): Tri {
  const actual = view(p.dimension);
  if (actual === UNKNOWN) return undefined;
  const values = actual === undefined ? [] : Array.isArray(actual) ? actual : [actual];
  if (p.operator === 'exists') return values.length > 0;
  if (p.operator === 'notExists') return values.length === 0;
  if (p.range) {
    const { gt, gte, lt, lte } = p.range;
    return values.some((v) => {
      const ms = Date.parse(v);
      return (gt === undefined || ms > gt) && (gte === undefined || ms >= gte) && (lt === undefined || ms < lt) && (lte === undefined || ms <= lte);
    });
  }
  return values.includes(p.value!);
}

function all(results: Tri[]): Tri {
  let unknown = false;
  for (const r of results) {
    if (r === false) return false;
    if (r === undefined) unknown = true;
  }
  return unknown ? undefined : true;
}

function any(results: Tri[]): Tri {
  let unknown = false;
  for (const r of results) {
    if (r === true) return true;
    if (r === undefined) unknown = true;
  }
  return unknown ? undefined : false;
}

function filterHolds(filter: AnalyticsFilter, view: View): Tri {
  const results: Tri[] = [
    ...filter.predicates.map((p) => predicateHolds(p, view)),
    ...filter.clauses.map((c) => {
      const r = c.predicates.map((p) => predicateHolds(p, view));
      return c.type === 'and' ? all(r) : any(r);
    }),
  ];
  return filter.type === 'and' ? all(results) : any(results);
}

/**
 * Evaluates filters against a conversation view and its segment views. Views may hold
 * UNKNOWN values; the answer is then undefined unless the known values already decide it.
 */
export function evaluateFilters(
  conversation: View,
  segments: View[],
  conversationFilters: AnalyticsFilter[],
  segmentFilters: AnalyticsFilter[],
): Tri {
  const results: Tri[] = conversationFilters.map((f) => filterHolds(f, conversation));
  for (const filter of segmentFilters) results.push(any(segments.map((view) => filterHolds(filter, view))));
  return all(results);
}

function conversationView(c: AnalyticsConversation): View {
  const fields: Record<string, DimensionValue> = {
    conversationId: c.conversationId,
    conversationStart: c.conversationStart,
    conversationEnd: c.conversationEnd,
    conversationInitiator: c.conversationInitiator,
    divisionId: c.divisionIds,
    originatingDirection: c.originatingDirection,
  };
  return (dimension) => fields[dimension];
}

function segmentViews(c: AnalyticsConversation): View[] {
  const views: View[] = [];
  for (const p of c.participants) {
    for (const s of p.sessions) {
      for (const seg of s.segments) {
        const fields: Record<string, DimensionValue> = {
          conversationId: c.conversationId,
          divisionId: c.divisionIds,
          participantId: p.participantId,
          participantName: p.participantName,
          purpose: p.purpose,
          userId: p.userId,
          sessionId: s.sessionId,
          mediaType: s.mediaType,
          messageType: s.messageType,
          direction: s.direction,
          addressFrom: s.addressFrom,
          addressTo: s.addressTo,
          segmentType: seg.segmentType,
          queueId: seg.queueId,
          wrapUpCode: seg.wrapUpCode,
          disconnectType: seg.disconnectType,
        };
        views.push((dimension) => fields[dimension]);
      }
    }
  }
  return views;
}

/** The full, exact views of an analytics conversation tree. */
export function analyticsViews(c: AnalyticsConversation): { conversation: View; segments: View[] } {
  return { conversation: conversationView(c), segments: segmentViews(c) };
}

export function matchesFilters(
  conversation: AnalyticsConversation,
  conversationFilters: AnalyticsFilter[],
  segmentFilters: AnalyticsFilter[],
): boolean {
  const views = analyticsViews(conversation);
  return evaluateFilters(views.conversation, views.segments, conversationFilters, segmentFilters) === true;
}
