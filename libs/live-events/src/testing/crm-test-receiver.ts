import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '@gcm/audit';

export interface ReceivedCrmRecord {
  idempotencyKey: string;
  type: string;
  conversationId?: string;
  occurredAt: string;
  data: unknown;
}

export interface ReceivedCrmBatch {
  batchId: string;
  idempotencyKeyHeader?: string;
  records: ReceivedCrmRecord[];
  /** The webhook-id of a signed batch (verified when the receiver has the secret). */
  webhookId?: string;
}

export interface CrmTestReceiverOptions {
  /** Verify Standard Webhooks signatures with this `whsec_` secret; unsigned or forged batches get 401. */
  secret?: string;
  /** The receiver's clock for the signature's timestamp tolerance (default Date.now). */
  now?: () => number;
}

type Behaviour = { kind: 'status'; status: number; retryAfterSeconds?: number } | { kind: 'hold' };

/**
 * A CRM for tests: a real HTTP server on 127.0.0.1 (port 0) that takes CrmSyncJob batches,
 * applies each record at most once by its idempotency key (a repeat is answered
 * `duplicate` and counted), and can be told to fail or to hold requests unanswered.
 */
export class CrmTestReceiver {
  /** Applied records, by idempotency key, in the order they were first received. */
  readonly applied = new Map<string, ReceivedCrmRecord>();
  /** Every batch that reached the handler (held and failed ones included). */
  readonly batches: ReceivedCrmBatch[] = [];
  /** Records that arrived again after being applied. */
  duplicateDeliveries = 0;
  /** Requests refused for a missing or wrong signature. */
  rejectedSignatures = 0;
  private readonly behaviours: Behaviour[] = [];
  private readonly held: ServerResponse[] = [];
  private readonly listeners = new Set<() => void>();
  private server?: Server;
  url = '';

  constructor(private readonly options: CrmTestReceiverOptions = {}) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/crm/records`;
    return this;
  }

  /** The next request is answered with `status` (e.g. 503) instead of being applied. */
  failNext(status: number, retryAfterSeconds?: number): void {
    this.behaviours.push({ kind: 'status', status, retryAfterSeconds });
  }

  /** The next request's records are applied but the answer never comes (the sender crashes or times out). */
  holdNext(): void {
    this.behaviours.push({ kind: 'hold' });
  }

  /** Resolves once `condition` holds after some request (checked at once, then after every request). */
  when(condition: (receiver: this) => boolean): Promise<void> {
    if (condition(this)) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (condition(this)) {
          this.listeners.delete(check);
          resolve();
        }
      };
      this.listeners.add(check);
    });
  }

  async close(): Promise<void> {
    for (const res of this.held.splice(0)) res.destroy();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let webhookId: string | undefined;
    if (this.options.secret) {
      try {
        webhookId = verifyWebhook(this.options.secret, req.headers as Record<string, string>, raw, { now: this.options.now?.() }).id;
      } catch {
        this.rejectedSignatures++;
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"bad signature"}');
        this.notify();
        return;
      }
    }
    const body = JSON.parse(raw) as { batchId: string; records: ReceivedCrmRecord[] };
    const header = req.headers['idempotency-key'];
    this.batches.push({ batchId: body.batchId, idempotencyKeyHeader: typeof header === 'string' ? header : undefined, records: body.records, webhookId });
    const behaviour = this.behaviours.shift();
    if (behaviour?.kind === 'status') {
      res.writeHead(behaviour.status, behaviour.retryAfterSeconds === undefined ? {} : { 'retry-after': String(behaviour.retryAfterSeconds) }).end('try later');
      this.notify();
      return;
    }
    const results = body.records.map((record) => {
      if (this.applied.has(record.idempotencyKey)) {
        this.duplicateDeliveries++;
        return { idempotencyKey: record.idempotencyKey, status: 'duplicate' };
      }
      this.applied.set(record.idempotencyKey, record);
      return { idempotencyKey: record.idempotencyKey, status: 'accepted' };
    });
    if (behaviour?.kind === 'hold') this.held.push(res);
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results }));
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
