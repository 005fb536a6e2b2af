import { systemClock, type Clock, type GenesysTransport } from '@gcm/genesys-auth';

/** A routing queue as `GET /api/v2/routing/queues` lists it (the fields gcm reads of the SDK's `Queue`). */
export interface RoutingQueue {
  id: string;
  name: string;
  description?: string;
  division?: { id: string; name?: string; selfUri?: string };
  memberCount?: number;
  userMemberCount?: number;
  joinedMemberCount?: number;
  selfUri?: string;
}

/** One page of `GET /api/v2/routing/queues` (the SDK's `QueueEntityListing`). */
export interface QueueEntityListing {
  entities?: RoutingQueue[];
  pageSize?: number;
  pageNumber?: number;
  total?: number;
  pageCount?: number;
  firstUri?: string;
  selfUri?: string;
  nextUri?: string;
  previousUri?: string;
  lastUri?: string;
}

/** The part of the Genesys transport the directory uses. */
export type RoutingTransport = Pick<GenesysTransport, 'get'>;

export interface RoutingQueueDirectoryOptions {
  transport: RoutingTransport;
  /** How long a listing is reused before the next call reads the queues again (default 5 min). */
  ttlMs?: number;
  /** Queues per page, 1–500 (Genesys' maximum; the default). */
  pageSize?: number;
  clock?: Clock;
}

const QUEUE_PAGE_SIZE_MAX = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The organisation's routing queues (`GET /api/v2/routing/queues`, permission
 * `routing:queue:view`), read page by page and kept for a TTL: queue names change rarely,
 * and every page shown by the review pages or `gcm events tail --queue <name>` would
 * otherwise cost requests from the client's 300-a-minute budget. Concurrent callers share
 * one read; a failed read is not cached.
 */
export class RoutingQueueDirectory {
  private readonly transport: RoutingTransport;
  private readonly ttlMs: number;
  private readonly pageSize: number;
  private readonly clock: Clock;
  private cached?: { at: number; queues: Promise<readonly RoutingQueue[]> };

  constructor(options: RoutingQueueDirectoryOptions) {
    this.transport = options.transport;
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    this.pageSize = Math.min(Math.max(1, Math.floor(options.pageSize ?? QUEUE_PAGE_SIZE_MAX)), QUEUE_PAGE_SIZE_MAX);
    this.clock = options.clock ?? systemClock;
  }

  /** Every page of queues, sorted by name; stops at `pageCount`, on an empty page, or when a page repeats. */
  async *pages(options: { signal?: AbortSignal } = {}): AsyncIterable<RoutingQueue[]> {
    const seen = new Set<string>();
    for (let pageNumber = 1; ; pageNumber++) {
      const { data } = await this.transport.get<QueueEntityListing>('/api/v2/routing/queues', {
        query: { pageSize: this.pageSize, pageNumber, sortOrder: 'asc' },
        signal: options.signal,
      });
      const fresh = (data?.entities ?? []).filter((queue) => typeof queue?.id === 'string' && !seen.has(queue.id));
      if (fresh.length === 0) return;
      for (const queue of fresh) seen.add(queue.id);
      yield fresh;
      if (data?.pageCount !== undefined ? pageNumber >= data.pageCount : !data?.nextUri) return;
    }
  }

  /** All queues, from the cache while it is younger than the TTL. */
  list(options: { signal?: AbortSignal } = {}): Promise<readonly RoutingQueue[]> {
    const now = this.clock.now();
    if (this.cached && now - this.cached.at < this.ttlMs) return this.cached.queues;
    const queues = (async () => {
      const all: RoutingQueue[] = [];
      for await (const page of this.pages(options)) all.push(...page);
      return all;
    })();
    const entry = { at: now, queues };
    this.cached = entry;
    queues.catch(() => {
      if (this.cached === entry) this.cached = undefined;
    });
    return queues;
  }

  /** Queue names by id (a queue that is gone has none). */
  async names(options: { signal?: AbortSignal } = {}): Promise<ReadonlyMap<string, string>> {
    return new Map((await this.list(options)).map((queue) => [queue.id, queue.name]));
  }

  /**
   * The queues a user means by `nameOrId`: the queue with that id, or the queues with that
   * name (case-insensitive; names are unique in an org, but the match tells when not).
   * Empty when none matches.
   */
  async find(nameOrId: string, options: { signal?: AbortSignal } = {}): Promise<RoutingQueue[]> {
    const queues = await this.list(options);
    const wanted = nameOrId.trim();
    if (UUID.test(wanted)) return queues.filter((queue) => queue.id.toLowerCase() === wanted.toLowerCase());
    const lower = wanted.toLowerCase();
    return queues.filter((queue) => queue.name.toLowerCase() === lower);
  }

  /** Forgets the cached listing: the next call reads the queues again. */
  invalidate(): void {
    this.cached = undefined;
  }
}
