import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { Redactor, webhookHeaders, type AuditLog } from '@gcm/audit';
import { canonicalJson } from '@gcm/canonical-json';
import { realSleep, type Sleep } from '@gcm/genesys-auth';
import {
  DEFAULT_RETRY_POLICY,
  fullJitterDelayMs,
  systemClock,
  type Clock,
  type OutboxMessage,
  type RandomSource,
  type RetryPolicy,
  type StoreRepositories,
} from '@gcm/store';
import { LiveEventsError, LiveEventsErrorCode } from '../live-events.error';

export interface CrmEndpoint {
  /** The outbox destination (`CrmOutboxSink.destination`); never the URL, which may carry credentials. */
  id: string;
  url: string;
  /**
   * `whsec_…` Standard Webhooks secret(s): each batch is signed (`webhook-id`,
   * `webhook-timestamp`, `webhook-signature`) so the CRM can check where it came from.
   */
  secret?: string | readonly string[];
  /** Extra headers (e.g. an API key the CRM wants); treated as secrets in error messages. */
  headers?: Readonly<Record<string, string>>;
  timeoutMs?: number;
}

export interface CrmSyncJobOptions {
  store: StoreRepositories;
  endpoints: readonly CrmEndpoint[];
  /** Records per request, and the size at which a batch goes at once. Default 100. */
  batchSize?: number;
  /** A smaller batch goes once its oldest record has waited this long. Default 5 s. */
  maxDelayMs?: number;
  /** Lease on claimed records; a crashed worker's records are taken over after it. Default 2 × timeout + 5 s. */
  leaseMs?: number;
  /** Per request. Default 10 s. */
  timeoutMs?: number;
  /** Backoff between attempts (full jitter), Retry-After honoured. */
  retry?: RetryPolicy;
  /** Lease owner name (default crm-sync-<host>-<pid>). */
  owner?: string;
  clock?: Clock;
  sleep?: Sleep;
  random?: RandomSource;
  fetch?: typeof fetch;
  redactor?: Redactor;
  /** Records crm.delivered and crm.dead. */
  audit?: AuditLog;
}

export interface CrmSyncReport {
  /** Requests sent. */
  batches: number;
  claimed: number;
  delivered: number;
  /** The CRM already had them (it answered `duplicate`): delivered before, e.g. by a worker that crashed before it could record it. */
  duplicates: number;
  retried: number;
  dead: number;
}

/** What a CRM may answer (2xx): a verdict per record. Anything else in a 2xx body means "all accepted". */
interface CrmAnswer {
  results?: Array<{ idempotencyKey?: string; status?: string; error?: string }>;
}

type Outcome = 'delivered' | 'duplicate' | 'retried' | 'dead';

const MAX_BODY_IN_ERROR = 300;

/**
 * Delivers the CRM records of the outbox (kind `crm`) in batches: a batch goes when
 * `batchSize` records are due or the oldest due one has waited `maxDelayMs` (`run({flush})`
 * sends whatever is due). Records are claimed with a lease, POSTed as
 * `{batchId, records: [{idempotencyKey, type, conversationId, occurredAt, data}]}` with an
 * `Idempotency-Key` header and a Standard Webhooks signature, then completed on 2xx,
 * retried with full-jitter backoff otherwise (Retry-After honoured) and dead-lettered after
 * the last attempt. A worker killed mid-request leaves its records leased; once the lease
 * expires they are sent again, and the CRM recognises them by their idempotency keys.
 *
 * `run()` is what a scheduler calls; `start()` runs it in a loop for a standalone process.
 */
export class CrmSyncJob {
  readonly owner: string;
  private readonly endpoints: ReadonlyMap<string, CrmEndpoint>;
  private readonly batchSize: number;
  private readonly maxDelayMs: number;
  private readonly timeoutMs: number;
  private readonly leaseMs: number;
  private readonly retry: RetryPolicy;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly random: RandomSource;
  private readonly fetchImpl: typeof fetch;
  private readonly redactor: Redactor;
  private loop?: { stop: AbortController; done: Promise<void> };

  constructor(private readonly options: CrmSyncJobOptions) {
    this.endpoints = new Map(options.endpoints.map((endpoint) => [endpoint.id, endpoint]));
    this.batchSize = options.batchSize ?? 100;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new LiveEventsError(LiveEventsErrorCode.InvalidOptions, `batchSize must be a positive integer, got ${this.batchSize}.`);
    }
    this.maxDelayMs = options.maxDelayMs ?? 5_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    const longest = Math.max(this.timeoutMs, ...options.endpoints.map((e) => e.timeoutMs ?? 0));
    this.leaseMs = options.leaseMs ?? longest * 2 + 5_000;
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.owner = options.owner ?? `crm-sync-${hostname()}-${process.pid}`;
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.fetchImpl = options.fetch ?? fetch;
    this.redactor = options.redactor ?? new Redactor();
    for (const endpoint of options.endpoints) {
      // nothing that authenticates to the CRM may surface in an error or a log
      for (const secret of typeof endpoint.secret === 'string' ? [endpoint.secret] : (endpoint.secret ?? [])) this.redactor.addKnownSecret(secret);
      for (const value of Object.values(endpoint.headers ?? {})) this.redactor.addKnownSecret(value);
      for (const value of urlCredentials(endpoint.url)) this.redactor.addKnownSecret(value);
    }
  }

  /**
   * Sends every batch that is ready (all that is due with `flush`), each record at most
   * once per call. Returns what happened.
   */
  async run(options: { flush?: boolean } = {}): Promise<CrmSyncReport> {
    const report: CrmSyncReport = { batches: 0, claimed: 0, delivered: 0, duplicates: 0, retried: 0, dead: 0 };
    const attempted = new Set<string>();
    while (options.flush || (await this.batchReady())) {
      const claimed = await this.options.store.outbox.claim('crm', { owner: this.owner, limit: this.batchSize, leaseMs: this.leaseMs });
      const fresh = claimed.filter((message) => !attempted.has(message.id));
      for (const again of claimed.filter((message) => attempted.has(message.id))) await this.options.store.outbox.release(again.id, this.owner);
      if (fresh.length === 0) break;
      report.claimed += fresh.length;
      for (const message of fresh) attempted.add(message.id);
      const byDestination = new Map<string, OutboxMessage[]>();
      for (const message of fresh) byDestination.set(message.destination, [...(byDestination.get(message.destination) ?? []), message]);
      const outcomes = await Promise.all([...byDestination].map(([destination, messages]) => this.deliverBatch(destination, messages)));
      report.batches += byDestination.size;
      for (const outcome of outcomes.flat()) {
        if (outcome === 'duplicate') {
          report.duplicates++;
          report.delivered++;
        } else report[outcome]++;
      }
    }
    return report;
  }

  /** Runs `run()` every `pollMs` until `stop()`. Failures are reported to `onError` and the loop goes on. */
  start(options: { pollMs?: number; onError?: (error: unknown) => void; onReport?: (report: CrmSyncReport) => void } = {}): void {
    if (this.loop) return;
    const stop = new AbortController();
    const pollMs = options.pollMs ?? 1_000;
    const done = (async () => {
      while (!stop.signal.aborted) {
        try {
          const report = await this.run();
          if (report.claimed > 0) options.onReport?.(report);
        } catch (error) {
          options.onError?.(error);
        }
        try {
          await this.sleep(pollMs, stop.signal);
        } catch {
          return;
        }
      }
    })();
    this.loop = { stop, done };
  }

  async stop(): Promise<void> {
    const loop = this.loop;
    this.loop = undefined;
    if (!loop) return;
    loop.stop.abort();
    await loop.done;
  }

  deadLetters(limit = 100): Promise<OutboxMessage[]> {
    return this.options.store.outbox.list('crm', 'dead', limit);
  }

  /** Sends a dead (or done) record again, with the same idempotency key. */
  replay(messageId: string): Promise<boolean> {
    return this.options.store.outbox.replay(messageId);
  }

  /** A full batch is due, or the oldest due record has waited `maxDelayMs` (taken-over leases count as waited). */
  private async batchReady(): Promise<boolean> {
    const now = this.clock.now();
    const stalled = (await this.options.store.outbox.list('crm', 'in-flight', this.batchSize)).filter((m) => (m.leaseExpiresAt ?? 0) <= now);
    if (stalled.length > 0) return true;
    const due = (await this.options.store.outbox.list('crm', 'pending', this.batchSize)).filter((m) => m.nextAttemptAt <= now);
    if (due.length === 0) return false;
    return due.length >= this.batchSize || due.some((m) => now - m.createdAt >= this.maxDelayMs || m.attempts > 0);
  }

  private async deliverBatch(destination: string, messages: OutboxMessage[]): Promise<Outcome[]> {
    const endpoint = this.endpoints.get(destination);
    if (!endpoint) {
      return Promise.all(messages.map((m) => this.failOne(m, `CRM endpoint "${destination}" is not configured in this job`)));
    }
    // records written in one transaction share a claim order by chance: send them in the order they happened
    const parsed = messages
      .map((message) => ({ message, record: JSON.parse(message.payload) as { idempotencyKey: string; occurredAt?: string } }))
      .sort((a, b) => String(a.record.occurredAt ?? '').localeCompare(String(b.record.occurredAt ?? '')) || a.record.idempotencyKey.localeCompare(b.record.idempotencyKey));
    messages = parsed.map((p) => p.message);
    const records = parsed.map((p) => p.record);
    const keys = records.map((r) => r.idempotencyKey);
    const batchId = `crm_${createHash('sha256').update([...keys].sort().join('\n')).digest('hex').slice(0, 32)}`;
    const body = canonicalJson({ batchId, records });
    const timeoutMs = endpoint.timeoutMs ?? this.timeoutMs;
    const name = `CRM endpoint "${destination}"`;
    let response: Response;
    try {
      response = await this.fetchImpl(endpoint.url, {
        method: 'POST',
        headers: {
          ...(endpoint.headers ?? {}),
          ...(endpoint.secret === undefined ? {} : webhookHeaders(endpoint.secret, batchId, Math.floor(this.clock.now() / 1_000), body)),
          'content-type': 'application/json',
          'idempotency-key': batchId,
          'user-agent': 'gcm-crm-sync/1',
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const reason = `${name}: ${describeFailure(error, timeoutMs)}`;
      return Promise.all(messages.map((m) => this.failOne(m, reason)));
    }
    const text = await response.text().catch(() => '');
    if (response.status < 200 || response.status >= 300) {
      const snippet = text.trim().slice(0, MAX_BODY_IN_ERROR);
      const reason = `${name} answered HTTP ${response.status}${snippet === '' ? '' : `: ${snippet}`}`;
      const retryAfter = retryAfterMs(response.headers.get('retry-after'), this.clock.now());
      return Promise.all(messages.map((m) => this.failOne(m, reason, retryAfter)));
    }
    const verdicts = new Map<string, { status?: string; error?: string }>();
    try {
      const answer = (text.trim() === '' ? {} : JSON.parse(text)) as CrmAnswer;
      for (const result of answer.results ?? []) if (typeof result?.idempotencyKey === 'string') verdicts.set(result.idempotencyKey, result);
    } catch {
      // a 2xx without a readable body accepts the whole batch
    }
    return Promise.all(
      messages.map(async (message, i): Promise<Outcome> => {
        const verdict = verdicts.get(keys[i]);
        if (verdict?.status === 'rejected') return this.failOne(message, `${name} rejected the record: ${verdict.error ?? 'no reason given'}`);
        await this.options.store.outbox.complete(message.id, this.owner);
        await this.options.audit?.append({
          actor: this.owner,
          action: 'crm.delivered',
          target: keys[i],
          outcome: 'success',
          details: { endpoint: destination, attempt: message.attempts, duplicate: verdict?.status === 'duplicate' },
        });
        return verdict?.status === 'duplicate' ? 'duplicate' : 'delivered';
      }),
    );
  }

  private async failOne(message: OutboxMessage, reason: string, retryAfter?: number): Promise<Outcome> {
    const error = this.redactor.redactString(reason);
    const jitter = fullJitterDelayMs(message.attempts, this.retry, this.random);
    const retryDelayMs = Math.min(this.retry.maxDelayMs, Math.max(jitter, retryAfter ?? 0));
    const outcome = await this.options.store.outbox.fail(message.id, this.owner, error, { retryDelayMs });
    if (outcome?.status === 'dead') {
      await this.options.audit?.append({
        actor: this.owner,
        action: 'crm.dead',
        target: message.idempotencyKey,
        outcome: 'failure',
        details: { endpoint: message.destination, attempts: message.attempts, lastError: error },
      });
      return 'dead';
    }
    return 'retried';
  }
}

function describeFailure(error: unknown, timeoutMs: number): string {
  const failure = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (failure.name === 'TimeoutError' || failure.name === 'AbortError') return `no response within ${timeoutMs} ms`;
  return `request failed (${failure.cause?.code ?? failure.cause?.message ?? failure.message ?? String(error)})`;
}

function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1_000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function urlCredentials(url: string): string[] {
  try {
    const parsed = new URL(url);
    return [decodeURIComponent(parsed.password), ...parsed.searchParams.values()].filter((value) => value !== '');
  } catch {
    return [];
  }
}
