import { iso, isoInterval, type SearchCriteria } from './search-criteria';

/**
 * The request bodies of the real Genesys endpoints (genesys-api.md §6), built from
 * validated criteria. Lists become one `or` filter each; filters in the same array are
 * combined with AND by Genesys, so "webmessaging or open, in queue A or B" is two filters.
 */

export interface AnalyticsPredicate {
  type: 'dimension';
  dimension: string;
  operator: 'matches';
  value: string;
}

export interface AnalyticsFilter {
  type: 'and' | 'or';
  predicates: AnalyticsPredicate[];
}

export interface DetailFilters {
  conversationFilters?: AnalyticsFilter[];
  segmentFilters?: AnalyticsFilter[];
}

/** ConversationQuery: `POST /api/v2/analytics/conversations/details/query`. */
export interface DetailsQueryBody extends DetailFilters {
  interval: string;
  order: 'asc' | 'desc';
  orderBy: 'conversationStart';
  paging: { pageSize: number; pageNumber: number };
}

/** AsyncConversationQuery: `POST /api/v2/analytics/conversations/details/jobs` (no paging). */
export interface DetailsJobBody extends DetailFilters {
  interval: string;
  order: 'asc' | 'desc';
  orderBy: 'conversationStart';
}

/** ConversationParticipantSearchCriteria, as much of it as the search uses. */
export interface AttributeSearchCriterion {
  type: 'EXACT' | 'DATE_RANGE';
  fields: string[];
  value?: string;
  values?: string[];
  startValue?: string;
  endValue?: string;
  operator?: 'AND' | 'OR' | 'NOT';
}

/** ConversationParticipantSearchRequest: `POST /api/v2/conversations/participants/attributes/search`. */
export interface AttributeSearchBody {
  query: AttributeSearchCriterion[];
  sortOrder?: 'ASC' | 'DESC';
  sortBy?: string;
  cursor?: string;
}

export function detailFilters(criteria: SearchCriteria): DetailFilters {
  const conversation: AnalyticsFilter[] = [];
  const segment: AnalyticsFilter[] = [];
  const all = (dimension: string, value: string): AnalyticsFilter => ({
    type: 'and',
    predicates: [predicate(dimension, value)],
  });
  const any = (dimension: string, values: readonly string[]): AnalyticsFilter => ({
    type: 'or',
    predicates: values.map((value) => predicate(dimension, value)),
  });

  if (criteria.conversationIds.length > 0) conversation.push(any('conversationId', criteria.conversationIds));
  if (criteria.divisionIds.length > 0) conversation.push(any('divisionId', criteria.divisionIds));
  if (criteria.direction) conversation.push(all('originatingDirection', criteria.direction));
  if (criteria.externalTag) conversation.push(all('externalTag', criteria.externalTag));
  if (criteria.mediaType) segment.push(all('mediaType', criteria.mediaType));
  if (criteria.messageTypes.length > 0) segment.push(any('messageType', criteria.messageTypes));
  if (criteria.queueIds.length > 0) segment.push(any('queueId', criteria.queueIds));

  return {
    ...(conversation.length > 0 ? { conversationFilters: conversation } : {}),
    ...(segment.length > 0 ? { segmentFilters: segment } : {}),
  };
}

export function detailsQueryBody(
  criteria: SearchCriteria,
  interval: { startMs: number; endMs: number },
  paging: { pageSize: number; pageNumber: number },
): DetailsQueryBody {
  return {
    interval: isoInterval(interval.startMs, interval.endMs),
    order: 'asc',
    orderBy: 'conversationStart',
    paging: { pageSize: paging.pageSize, pageNumber: paging.pageNumber },
    ...detailFilters(criteria),
  };
}

export function detailsJobBody(criteria: SearchCriteria, interval: { startMs: number; endMs: number }): DetailsJobBody {
  return {
    interval: isoInterval(interval.startMs, interval.endMs),
    order: 'asc',
    orderBy: 'conversationStart',
    ...detailFilters(criteria),
  };
}

/**
 * The attribute search can range over `startTime` and match `conversationId` and
 * `divisionId` exactly; other criteria (queues, messenger types, direction, tags) are
 * not searchable there and are refused by `ConversationSearch.searchAttributes`.
 */
export function attributeSearchBody(
  criteria: SearchCriteria,
  interval: { startMs: number; endMs: number },
  cursor?: string,
): AttributeSearchBody {
  const query: AttributeSearchCriterion[] = [
    { type: 'DATE_RANGE', fields: ['startTime'], startValue: iso(interval.startMs), endValue: iso(interval.endMs) },
  ];
  if (criteria.conversationIds.length > 0) {
    query.push({ type: 'EXACT', fields: ['conversationId'], values: [...criteria.conversationIds], operator: 'AND' });
  }
  if (criteria.divisionIds.length > 0) {
    query.push({ type: 'EXACT', fields: ['divisionId'], values: [...criteria.divisionIds], operator: 'AND' });
  }
  return { query, sortOrder: 'ASC', sortBy: 'startTime', ...(cursor ? { cursor } : {}) };
}

function predicate(dimension: string, value: string): AnalyticsPredicate {
  return { type: 'dimension', dimension, operator: 'matches', value };
}
