import { constants as fsConstants } from 'node:fs';
import { mkdir, open, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Clock, systemClock } from '@gcm/store';
import { AuditError, AuditErrorCode } from '../audit.error';
import type { AuditMetrics } from '../metrics/audit-metrics';
import { Redactor } from '../redaction/redactor';
import { AuditEntry, AuditLog, AuditRecord, GENESIS_HASH, parseRecordLine, serializeRecord } from './audit-record';
import { listTrailFiles, readTail, trailFileName, utcDay } from './audit-files';
import { AuditVerification, verifyAuditTrail, VerifyOptions } from './audit-verifier';

/**
 * always: every append is on disk before it resolves (appends waiting together share
 * one fsync). interval: fsync at most every `fsyncIntervalMs`. never: leave it to the OS.
 */
export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface AuditTrailOptions {
  readonly directory: string;
  /** file name prefix (default "audit") */
  readonly prefix?: string;
  readonly fsync?: FsyncPolicy;
  readonly fsyncIntervalMs?: number;
  /** start a new file before one would grow past this many bytes (default 64 MiB; 0: never) */
  readonly rotateBytes?: number;
  /** start a new file when the UTC day changes (default true) */
  readonly rotateDaily?: boolean;
  /** applied to every entry before it is written (default: built-in secret keys only) */
  readonly redactor?: Redactor;
  readonly clock?: Clock;
  readonly metrics?: AuditMetrics;
  /** actor of the records the trail writes about itself (default "gcm-audit") */
  readonly systemActor?: string;
}

interface PendingLine {
  readonly file: string;
  readonly data: string;
  readonly record: AuditRecord;
  readonly startedAt: number;
  readonly resolve: (record: AuditRecord) => void;
  readonly reject: (error: unknown) => void;
}

interface Recovery {
  readonly file: string;
  readonly discardedBytes: number;
}

const PREFIX = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * The append-only, hash-chained JSONL audit trail. Open with `AuditTrail.open`, which
 * resumes the chain from the tail of the newest file (repairing a torn last line left by
 * a crash and recording that it did).
 *
 * Seq, prevHash and the target file are assigned synchronously in `append`, so records
 * chain in call order; a single writer then appends them in batches. If a write fails the
 * trail stops accepting records (the chain in memory would no longer match the disk):
 * reopen it to continue from what is on disk.
 */
export class AuditTrail implements AuditLog {
  private readonly prefix: string;
  private readonly fsyncPolicy: FsyncPolicy;
  private readonly rotateBytes: number;
  private readonly rotateDaily: boolean;
  private readonly redactor: Redactor;
  private readonly clock: Clock;
  private readonly metrics?: AuditMetrics;

  private seq = 0;
  private lastHash = GENESIS_HASH;
  /** the file new records are assigned to */
  private current?: { name: string; day: string; bytes: number };
  private queue: PendingLine[] = [];
  private writeScheduled = false;
  private io: Promise<void> = Promise.resolve();
  private handle?: FileHandle;
  private handleName?: string;
  private dirty = false;
  private failure?: unknown;
  private closed = false;
  private timer?: NodeJS.Timeout;

  private constructor(
    readonly directory: string,
    options: AuditTrailOptions,
  ) {
    this.prefix = options.prefix ?? 'audit';
    if (!PREFIX.test(this.prefix)) {
      throw new AuditError(AuditErrorCode.TrailUnavailable, `Audit file prefix "${this.prefix}" must be a plain file name.`);
    }
    this.fsyncPolicy = options.fsync ?? 'always';
    this.rotateBytes = options.rotateBytes ?? 64 * 1024 * 1024;
    this.rotateDaily = options.rotateDaily ?? true;
    this.redactor = options.redactor ?? new Redactor();
    this.clock = options.clock ?? systemClock;
    this.metrics = options.metrics;
    if (this.fsyncPolicy === 'interval') {
      this.timer = setInterval(() => void this.flush().catch(() => undefined), options.fsyncIntervalMs ?? 1_000);
      this.timer.unref();
    }
  }

  static async open(options: AuditTrailOptions): Promise<AuditTrail> {
    const trail = new AuditTrail(options.directory, options);
    let recoveries: Recovery[];
    try {
      await mkdir(options.directory, { recursive: true });
      recoveries = await trail.resume();
    } catch (error) {
      await trail.close();
      throw new AuditError(
        AuditErrorCode.TrailUnavailable,
        `Cannot open the audit trail in ${options.directory}: ${(error as Error).message}. Check the directory and its permissions.`,
        { cause: error },
      );
    }
    for (const recovery of recoveries) {
      await trail.append({
        actor: options.systemActor ?? 'gcm-audit',
        action: 'audit.trail.recovered',
        target: recovery.file,
        outcome: 'success',
        details: {
          discardedBytes: recovery.discardedBytes,
          reason: 'the last line was incomplete after an unclean shutdown; it was never acknowledged and was removed',
        },
      });
    }
    return trail;
  }

  /** seq and hash of the last record: store them elsewhere to detect a cut-off end later. */
  get head(): { seq: number; hash: string } {
    return { seq: this.seq, hash: this.lastHash };
  }

  append(entry: AuditEntry): Promise<AuditRecord> {
    if (this.closed) {
      return Promise.reject(new AuditError(AuditErrorCode.Closed, 'The audit trail was used after close().'));
    }
    if (this.failure !== undefined) return Promise.reject(this.failedError());
    const startedAt = performance.now();
    let record: AuditRecord;
    let line: string;
    try {
      const now = this.clock.now();
      const latency = entry.latencyMs;
      const fields = {
        seq: this.seq + 1,
        ts: new Date(now).toISOString(),
        actor: this.redactor.redactString(entry.actor),
        action: entry.action,
        target: entry.target === undefined || entry.target === null ? null : this.redactor.redactString(entry.target),
        outcome: entry.outcome,
        latencyMs: typeof latency === 'number' && Number.isFinite(latency) ? latency : null,
        details: this.redactor.redact(entry.details ?? {}) as Record<string, unknown>,
        prevHash: this.lastHash,
      };
      const serialized = serializeRecord(fields);
      record = { ...fields, hash: serialized.hash };
      line = serialized.line;
      this.assignFile(Buffer.byteLength(line), utcDay(now), fields.seq);
    } catch (error) {
      return Promise.reject(error);
    }
    this.seq = record.seq;
    this.lastHash = record.hash;
    const file = (this.current as { name: string }).name;
    return new Promise<AuditRecord>((resolve, reject) => {
      this.queue.push({ file, data: line, record, startedAt, resolve, reject });
      this.scheduleWrite();
    });
  }

  /** Waits for queued records and forces them to disk whatever the fsync policy. */
  flush(): Promise<void> {
    return this.exclusive(async () => {
      if (this.handle !== undefined && this.dirty) {
        await this.handle.datasync();
        this.dirty = false;
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.exclusive(async () => {
      if (this.handle === undefined) return;
      if (this.dirty) await this.handle.datasync();
      await this.handle.close();
      this.handle = undefined;
    });
  }

  /** Verifies this trail's directory (see verifyAuditTrail). Flushes first. */
  async verify(options: Omit<VerifyOptions, 'prefix'> = {}): Promise<AuditVerification> {
    if (!this.closed) await this.flush();
    return verifyAuditTrail(this.directory, { ...options, prefix: this.prefix });
  }

  private assignFile(bytes: number, day: string, seq: number): void {
    const current = this.current;
    const rotate =
      current === undefined ||
      (this.rotateDaily && current.day !== day) ||
      (this.rotateBytes > 0 && current.bytes > 0 && current.bytes + bytes > this.rotateBytes);
    if (rotate) this.current = { name: trailFileName(this.prefix, day, seq), day, bytes: 0 };
    (this.current as { bytes: number }).bytes += bytes;
  }

  private scheduleWrite(): void {
    if (this.writeScheduled) return;
    this.writeScheduled = true;
    void this.exclusive(async () => {
      this.writeScheduled = false;
      await this.writeQueued();
    });
  }

  /** Runs file operations one at a time, in order. */
  private exclusive(operation: () => Promise<void>): Promise<void> {
    const run = this.io.then(operation);
    this.io = run.catch(() => undefined);
    return run;
  }

  private async writeQueued(): Promise<void> {
    while (this.queue.length > 0) {
      const file = this.queue[0].file;
      let count = 1;
      while (count < this.queue.length && this.queue[count].file === file) count++;
      const batch = this.queue.splice(0, count);
      if (this.failure !== undefined) {
        for (const pending of batch) pending.reject(this.failedError());
        continue;
      }
      try {
        const handle = await this.handleFor(file);
        await handle.appendFile(batch.map((pending) => pending.data).join(''), 'utf8');
        if (this.fsyncPolicy === 'always') await handle.datasync();
        else this.dirty = true;
      } catch (error) {
        this.failure = error;
        for (const pending of batch) pending.reject(this.failedError());
        continue;
      }
      const finishedAt = performance.now();
      for (const pending of batch) {
        this.metrics?.observeAuditAppend(pending.record.outcome, (finishedAt - pending.startedAt) / 1_000);
        pending.resolve(pending.record);
      }
    }
  }

  private async handleFor(name: string): Promise<FileHandle> {
    if (this.handle !== undefined && this.handleName === name) return this.handle;
    if (this.handle !== undefined) {
      // a rotated-away file is complete: make it durable before moving on
      await this.handle.datasync();
      await this.handle.close();
      this.handle = undefined;
      this.dirty = false;
    }
    const path = join(this.directory, name);
    let created = true;
    let handle: FileHandle;
    try {
      handle = await open(path, fsConstants.O_WRONLY | fsConstants.O_APPEND | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o640);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      handle = await open(path, 'a');
      created = false;
    }
    if (created && this.fsyncPolicy !== 'never') await syncDirectory(this.directory);
    this.handle = handle;
    this.handleName = name;
    return handle;
  }

  private failedError(): AuditError {
    return new AuditError(
      AuditErrorCode.WriteFailed,
      `The audit trail in ${this.directory} stopped after a failed write (${(this.failure as Error)?.message}). ` +
        'Fix the cause (disk space, permissions) and reopen the trail.',
      { cause: this.failure },
    );
  }

  /** Finds the chain head on disk, repairing a torn last line. */
  private async resume(): Promise<Recovery[]> {
    const recoveries: Recovery[] = [];
    const files = await listTrailFiles(this.directory, this.prefix);
    for (let index = files.length - 1; index >= 0; index--) {
      const file = files[index];
      const tail = await readTail(file.path);
      if (tail.completeBytes < tail.size) {
        await truncate(file.path, tail.completeBytes);
        recoveries.push({ file: file.name, discardedBytes: tail.size - tail.completeBytes });
      }
      const parsed = tail.lastLine === undefined ? undefined : parseRecordLine(tail.lastLine);
      if (parsed !== undefined) {
        this.seq = parsed.seq;
        this.lastHash = parsed.hash;
        this.current = { name: file.name, day: file.day, bytes: tail.completeBytes };
        break;
      }
      if (tail.completeBytes === 0) {
        // nothing was ever acknowledged from this file; the next record may need its name
        await unlink(file.path);
        continue;
      }
      throw new Error(
        `the last line of ${file.name} is not an audit record; run verify() to see what happened before appending`,
      );
    }
    return recoveries;
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
