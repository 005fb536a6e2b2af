import { SandboxWorld } from '../data/sandbox-world';
import { ApiErrors } from '../errors/api-error';
import { renderAnalyticsConversation } from '../render/analytics-conversation.mapper';
import { ConversationRecord } from '../data/conversation-record';
import { AnalyticsFilter, evaluateFilters, matchesFilters } from './analytics-filter';
import { indexAnalyticsViews } from './index-analytics-views';

const DAY = 86_400_000;

export interface Interval {
  start: number;
  end: number;
}

export type SortOrder = 'asc' | 'desc' | 'unordered';
export type OrderBy = 'conversationStart' | 'conversationEnd' | 'segmentStart' | 'segmentEnd';

export interface SelectionSpec {
  interval: Interval;
  conversationFilters: AnalyticsFilter[];
  segmentFilters: AnalyticsFilter[];
  order: SortOrder;
  orderBy: OrderBy;
  /**
   * `startedOnTouchedDay`: the synchronous query, which matches conversations that started
   * on a (UTC) day the interval touches. `activity`: the async job, which matches any
   * conversation with activity during the interval.
   */
  matching: 'startedOnTouchedDay' | 'activity';
  /** Async jobs only: also require a start at or after the interval's start day. */
  startOfDayIntervalMatching?: boolean;
  /** Async jobs only: cap on the number of conversations. */
  limit?: number;
}

export interface SelectedConversation {
  id: string;
  start: number;
  end?: number;
}

/** Parses an ISO-8601 `start/end` interval. */
export function parseInterval(value: unknown): Interval {
  if (typeof value !== 'string' || value.length === 0) {
    throw ApiErrors.badRequest('interval is required, as an ISO-8601 "start/end" string.', {}, 'interval');
  }
  const parts = value.split('/');
  const times = parts.map((p) => (/^\d{4}-\d{2}-\d{2}T/.test(p) ? Date.parse(p) : Number.NaN));
  if (parts.length !== 2 || !times.every(Number.isFinite)) throw ApiErrors.invalidDate('interval', value);
  if (times[1] <= times[0]) throw ApiErrors.badRequest('The interval end must be after its start: {interval}', { interval: value }, 'interval');
  return { start: times[0], end: times[1] };
}

function startOfDay(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

/**
 * Every conversation matching the spec, sorted. Filters are only evaluated (on the
 * analytics tree, built from participants) when the query has any, so an unfiltered
 * count over 100k conversations reads nothing but the index.
 */
export function selectConversations(world: SandboxWorld, nowMs: number, spec: SelectionSpec): SelectedConversation[] {
  const { interval } = spec;
  const { index } = world;
  const filtered = spec.conversationFilters.length > 0 || spec.segmentFilters.length > 0;
  const selected: SelectedConversation[] = [];
  const fullMatch = (record: ConversationRecord) =>
    matchesFilters(renderAnalyticsConversation(record), spec.conversationFilters, spec.segmentFilters);
  const considerGenerated = (i: number) => {
    if (filtered) {
      let verdict: boolean | undefined;
      if (!world.isMaterialized(i)) {
        const views = indexAnalyticsViews(world, i);
        verdict = evaluateFilters(views.conversation, views.segments, spec.conversationFilters, spec.segmentFilters);
      }
      if (verdict === undefined) verdict = fullMatch(world.skeleton(i));
      if (!verdict) return;
    }
    selected.push({ id: index.ids[i], start: index.startTimes[i], end: world.endTimeOf(i) });
  };

  let from: number;
  let to: number;
  if (spec.matching === 'startedOnTouchedDay') {
    from = startOfDay(interval.start);
    to = startOfDay(interval.end - 1) + DAY;
    for (const i of index.startedBetween(from, to)) {
      considerGenerated(i);
    }
  } else {
    from = interval.start;
    to = interval.end;
    const earliestStart = spec.startOfDayIntervalMatching ? startOfDay(interval.start) : Number.NEGATIVE_INFINITY;
    for (const i of index.activeBetween(from, to, nowMs)) {
      const start = index.startTimes[i];
      if (start < earliestStart) continue;
      considerGenerated(i);
    }
  }
  for (const id of world.createdConversationIds()) {
    const record = world.skeletonById(id)!;
    const start = record.startTime;
    const inWindow =
      spec.matching === 'startedOnTouchedDay'
        ? start >= from && start < to
        : start < to && (record.endTime ?? nowMs) >= from && (!spec.startOfDayIntervalMatching || start >= startOfDay(interval.start));
    if (inWindow && (!filtered || fullMatch(record))) selected.push({ id, start, end: record.endTime });
  }

  const byEnd = spec.orderBy === 'conversationEnd' || spec.orderBy === 'segmentEnd';
  const key = (c: SelectedConversation) => (byEnd ? (c.end ?? Number.POSITIVE_INFINITY) : c.start);
  const direction = spec.order === 'desc' ? -1 : 1;
  selected.sort((a, b) => direction * (key(a) - key(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
  if (spec.limit !== undefined && selected.length > spec.limit) selected.length = spec.limit;
  return selected;
}
