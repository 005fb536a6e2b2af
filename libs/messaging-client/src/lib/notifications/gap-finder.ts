import type { GenesysTransport } from '@gcm/genesys-auth';

/** A time span during which a channel delivered nothing (a dropped socket, a lost channel). */
export interface GapWindow {
  /** Epoch ms: the last frame before the gap. */
  from: number;
  /** Epoch ms: when the channel was delivering again. */
  to: number;
  /** Queues and users whose topics the gap affected. */
  queueIds: readonly string[];
  userIds: readonly string[];
}

/** Finds the conversations that may have changed during a gap; the manager re-reads each over REST. */
export interface GapConversationFinder {
  conversationsChangedDuring(gap: GapWindow, signal?: AbortSignal): Promise<string[]>;
}

export interface AnalyticsGapFinderOptions {
  transport: Pick<GenesysTransport, 'post'>;
  /**
   * How long before the gap a conversation may have started and still be going. The details
   * query matches conversations by the day they started, so ongoing ones that started earlier
   * are found only if the interval reaches back to their start. Default 3 days.
   */
  lookbackMs?: number;
  /** Widens the gap on both sides, for clock skew between us and Genesys. Default 5 s. */
  marginMs?: number;
  /** Conversations that ended up to this long before the gap count too (late receipts). Default 1 h. */
  endedGraceMs?: number;
  /** Queue/user ids per request (each becomes one predicate). Default 100. */
  idsPerQuery?: number;
  /** Details query page size (maximum 100). */
  pageSize?: number;
  /** Stops paging after this many pages per request, against a runaway query. Default 200. */
  maxPages?: number;
}

const DETAILS_QUERY = '/api/v2/analytics/conversations/details/query';

interface DetailsQueryPage {
  conversations?: Array<{ conversationId?: string }>;
  totalHits?: number;
}

/**
 * `POST /api/v2/analytics/conversations/details/query` over the gap (genesys-api.md §6):
 * message conversations of the affected queues or users that had not ended before the gap
 * began, give or take `endedGraceMs` for receipts that arrive after the end (no
 * `conversationEnd`, or one at or after the gap's start less the grace). The query is the
 * synchronous one because analytics jobs serve data with a lag of their own, useless for a
 * gap of seconds; since it matches conversations by the day they started, the interval
 * reaches `lookbackMs` back and the end filter trims what finished before the gap.
 */
export class AnalyticsGapFinder implements GapConversationFinder {
  private readonly lookbackMs: number;
  private readonly marginMs: number;
  private readonly endedGraceMs: number;
  private readonly idsPerQuery: number;
  private readonly pageSize: number;
  private readonly maxPages: number;

  constructor(private readonly options: AnalyticsGapFinderOptions) {
    this.lookbackMs = options.lookbackMs ?? 3 * 86_400_000;
    this.marginMs = options.marginMs ?? 5_000;
    this.endedGraceMs = options.endedGraceMs ?? 3_600_000;
    this.idsPerQuery = options.idsPerQuery ?? 100;
    this.pageSize = Math.min(100, options.pageSize ?? 100);
    this.maxPages = options.maxPages ?? 200;
  }

  async conversationsChangedDuring(gap: GapWindow, signal?: AbortSignal): Promise<string[]> {
    const parties = [
      ...gap.queueIds.map((id) => ({ dimension: 'queueId', value: id })),
      ...gap.userIds.map((id) => ({ dimension: 'userId', value: id })),
    ];
    if (parties.length === 0) return [];
    const found = new Set<string>();
    for (let i = 0; i < parties.length; i += this.idsPerQuery) {
      for (const id of await this.query(gap, parties.slice(i, i + this.idsPerQuery), signal)) found.add(id);
    }
    return [...found];
  }

  private async query(gap: GapWindow, parties: Array<{ dimension: string; value: string }>, signal?: AbortSignal): Promise<string[]> {
    const start = new Date(gap.from - this.lookbackMs).toISOString();
    const end = new Date(gap.to + this.marginMs).toISOString();
    const body = {
      interval: `${start}/${end}`,
      order: 'asc',
      orderBy: 'conversationStart',
      conversationFilters: [
        {
          type: 'or',
          predicates: [
            { type: 'dimension', dimension: 'conversationEnd', operator: 'notExists' },
            { type: 'dimension', dimension: 'conversationEnd', operator: 'matches', range: { gte: new Date(gap.from - this.marginMs - this.endedGraceMs).toISOString() } },
          ],
        },
      ],
      segmentFilters: [
        { type: 'and', predicates: [{ type: 'dimension', dimension: 'mediaType', value: 'message' }] },
        { type: 'or', predicates: parties.map((p) => ({ type: 'dimension', dimension: p.dimension, value: p.value })) },
      ],
    };
    const ids: string[] = [];
    for (let pageNumber = 1; pageNumber <= this.maxPages; pageNumber++) {
      const { data } = await this.options.transport.post<DetailsQueryPage>(
        DETAILS_QUERY,
        { ...body, paging: { pageSize: this.pageSize, pageNumber } },
        { retrySafe: true, signal },
      );
      const rows = data?.conversations ?? [];
      for (const row of rows) if (typeof row?.conversationId === 'string') ids.push(row.conversationId);
      const total = typeof data?.totalHits === 'number' ? data.totalHits : undefined;
      if (rows.length < this.pageSize || (total !== undefined && pageNumber * this.pageSize >= total)) break;
    }
    return ids;
  }
}
