import { canonicalJson } from '@gcm/canonical-json';
import type { StoreRepositories } from '@gcm/store';
import type { LiveEvent } from '../events/live-event.model';
import type { LiveEventSink } from '../processing/live-event-processor';
import { crmRecordMapper, type CrmRecord, type CrmRecordMapper } from './crm-record';

export interface CrmOutboxSinkOptions {
  store: StoreRepositories;
  /** The CRM endpoint id the records go to (a `CrmEndpoint.id` of the sync job). */
  destination: string;
  /** Which events become records, and how. Default: `crmRecordMapper()`. */
  map?: CrmRecordMapper;
  /** Delivery attempts before a record is dead-lettered (default: the store's policy). */
  maxAttempts?: number;
}

/** The outbox idempotency key of a record for a destination. */
export function crmOutboxKey(destination: string, idempotencyKey: string): string {
  return `crm:${destination}:${idempotencyKey}`;
}

/**
 * Writes CRM records into the store's transactional outbox (kind `crm`), one transaction
 * per batch of events. As a LiveEvents sink it runs before a snapshot counts as processed,
 * so a record is on disk before anything acknowledges it; a record enqueued twice (a
 * re-read after a restart) is stored once, by its idempotency key. `CrmSyncJob` delivers.
 */
export class CrmOutboxSink implements LiveEventSink {
  readonly name: string;
  private readonly map: CrmRecordMapper;

  constructor(private readonly options: CrmOutboxSinkOptions) {
    this.name = `crm-outbox:${options.destination}`;
    this.map = options.map ?? crmRecordMapper();
  }

  async write(events: readonly LiveEvent[]): Promise<void> {
    const records = events.flatMap((event) => this.map(event) ?? []);
    if (records.length > 0) await this.enqueue(records);
  }

  /** Enqueues records from any source; returns how many were new. */
  async enqueue(records: readonly CrmRecord[], tx: StoreRepositories = this.options.store): Promise<number> {
    return tx.transaction(async (repositories) => {
      let created = 0;
      for (const record of records) {
        const result = await repositories.outbox.enqueue({
          kind: 'crm',
          destination: this.options.destination,
          payload: canonicalJson(record),
          idempotencyKey: crmOutboxKey(this.options.destination, record.idempotencyKey),
          ...(this.options.maxAttempts === undefined ? {} : { maxAttempts: this.options.maxAttempts }),
        });
        if (result.created) created++;
      }
      return created;
    });
  }
}
