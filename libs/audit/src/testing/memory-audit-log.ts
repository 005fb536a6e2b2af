import { canonicalJson, sha256Hex } from '@gcm/canonical-json';
import { Redactor } from '../lib/redaction/redactor';
import { AuditEntry, AuditLog, AuditRecord, GENESIS_HASH } from '../lib/trail/audit-record';

/**
 * An AuditLog that keeps records in memory, chained and redacted like the file trail,
 * for unit tests of code that audits.
 */
export class MemoryAuditLog implements AuditLog {
  readonly records: AuditRecord[] = [];

  constructor(
    private readonly redactor = new Redactor(),
    private readonly now: () => number = Date.now,
  ) {}

  async append(entry: AuditEntry): Promise<AuditRecord> {
    const previous = this.records.at(-1);
    const fields = {
      seq: (previous?.seq ?? 0) + 1,
      ts: new Date(this.now()).toISOString(),
      actor: this.redactor.redactString(entry.actor),
      action: entry.action,
      target: entry.target == null ? null : this.redactor.redactString(entry.target),
      outcome: entry.outcome,
      latencyMs: entry.latencyMs ?? null,
      details: this.redactor.redact(entry.details ?? {}) as Record<string, unknown>,
      prevHash: previous?.hash ?? GENESIS_HASH,
    };
    const record = { ...fields, hash: sha256Hex(canonicalJson(fields)) };
    this.records.push(record);
    return record;
  }

  actions(): string[] {
    return this.records.map((record) => record.action);
  }
}
