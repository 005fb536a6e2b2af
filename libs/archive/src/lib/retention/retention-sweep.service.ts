import { open, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditLog } from '@gcm/audit';
import { noopLogger, systemClock, type Clock, type GenesysLogger } from '@gcm/genesys-auth';
import { FileSystemArchiveSink, type ArchivedVersion, type ArchiveSink } from '@gcm/store';
import { ArchiveError, ArchiveErrorCode } from '../archive.error';
import { expiredVersions, validateRetentionPolicy, type RetentionPolicy } from './retention-policy';

/** Deletes one stored version; false when it was gone already. */
export type ArchiveVersionRemover = (version: ArchivedVersion) => Promise<boolean>;

export interface RetentionSweepOptions {
  readonly sink: ArchiveSink;
  /** How to delete a version; built in for the filesystem sink. */
  readonly remove?: ArchiveVersionRemover;
  /** The archive index, so a removed version is forgotten there too (the store's `archiveIndex`). */
  readonly index?: { remove(conversationId: string, version: number): Promise<boolean> };
  readonly audit?: AuditLog;
  readonly logger?: GenesysLogger;
  readonly clock?: Clock;
  /** Names the actor of audit records (default `archive-retention`). */
  readonly actor?: string;
}

export interface RetentionReport {
  readonly dryRun: boolean;
  readonly conversations: number;
  readonly versions: number;
  /** Versions removed (or, in a dry run, that would be). */
  readonly removed: number;
  readonly durationMs: number;
}

/**
 * Applies a retention policy to every conversation in the sink, one conversation at a
 * time (memory stays flat). The newest version of a conversation is never removed, so
 * the sweep can run next to archive runs: the sink numbers new versions after the newest.
 */
export class RetentionSweep {
  private readonly remove?: ArchiveVersionRemover;
  private readonly clock: Clock;
  private readonly logger: GenesysLogger;

  constructor(private readonly options: RetentionSweepOptions) {
    this.remove = options.remove ?? (options.sink instanceof FileSystemArchiveSink ? fileSystemRemover(options.sink) : undefined);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? noopLogger;
  }

  async sweep(policy: RetentionPolicy, options: { dryRun?: boolean; signal?: AbortSignal } = {}): Promise<RetentionReport> {
    validateRetentionPolicy(policy);
    const dryRun = options.dryRun ?? false;
    const remove = this.remove;
    if (!dryRun && !remove) {
      throw new ArchiveError(
        ArchiveErrorCode.InvalidOptions,
        `The ${this.options.sink.kind} archive sink has no way to delete a version; pass RetentionSweepOptions.remove, or sweep with dryRun.`,
      );
    }
    const started = this.clock.now();
    let conversations = 0;
    let versions = 0;
    let removed = 0;
    for await (const conversationId of this.options.sink.conversationIds()) {
      if (options.signal?.aborted) break;
      conversations++;
      const stored = await this.options.sink.versions(conversationId);
      versions += stored.length;
      const expired = expiredVersions(stored, policy, this.clock.now());
      for (const version of expired) {
        if (dryRun) {
          removed++;
          continue;
        }
        if (remove && (await remove(version))) removed++;
        // an entry whose document is gone would send readers to a missing file
        await this.options.index?.remove(conversationId, version.version);
      }
      if (expired.length > 0 && !dryRun) {
        await this.options.audit?.append({
          actor: this.options.actor ?? 'archive-retention',
          action: 'archive.versions.removed',
          target: conversationId,
          outcome: 'success',
          details: { versions: expired.map((v) => v.version), policy },
        });
      }
    }
    const report: RetentionReport = { dryRun, conversations, versions, removed, durationMs: this.clock.now() - started };
    this.logger.info?.(`Retention sweep ${dryRun ? '(dry run) ' : ''}removed ${removed} of ${versions} versions`, { ...report });
    return report;
  }
}

/** Unlinks the version's file and makes the removal durable. */
export function fileSystemRemover(sink: FileSystemArchiveSink): ArchiveVersionRemover {
  return async (version) => {
    const path = sink.pathOf(version.location);
    try {
      await unlink(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    const directory = await open(dirname(path), 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
    return true;
  };
}
