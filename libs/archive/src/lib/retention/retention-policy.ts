import type { ArchivedVersion } from '@gcm/store';
import { ArchiveError, ArchiveErrorCode } from '../archive.error';

/**
 * Which old versions of a conversation go. Both rules may be set; a version goes when
 * either says so. The newest version of every conversation always stays: retention
 * thins a conversation's history, it never deletes the conversation.
 */
export interface RetentionPolicy {
  /** Keep at most this many versions per conversation (the newest). */
  readonly keepVersions?: number;
  /** Remove versions archived longer ago than this. */
  readonly maxAgeMs?: number;
}

export function validateRetentionPolicy(policy: RetentionPolicy): RetentionPolicy {
  const { keepVersions, maxAgeMs } = policy ?? {};
  if (keepVersions === undefined && maxAgeMs === undefined) {
    throw new ArchiveError(ArchiveErrorCode.InvalidOptions, 'A retention policy needs keepVersions, maxAgeMs or both.');
  }
  if (keepVersions !== undefined && !(Number.isInteger(keepVersions) && keepVersions >= 1)) {
    throw new ArchiveError(ArchiveErrorCode.InvalidOptions, `Retention keepVersions must be a whole number ≥ 1, got ${keepVersions}.`);
  }
  if (maxAgeMs !== undefined && !(Number.isFinite(maxAgeMs) && maxAgeMs > 0)) {
    throw new ArchiveError(ArchiveErrorCode.InvalidOptions, `Retention maxAgeMs must be a positive number of milliseconds, got ${maxAgeMs}.`);
  }
  return policy;
}

/** The versions the policy removes, given every version of one conversation (any order). */
export function expiredVersions(versions: readonly ArchivedVersion[], policy: RetentionPolicy, now: number): ArchivedVersion[] {
  const newestFirst = [...versions].sort((a, b) => b.version - a.version);
  return newestFirst.filter((version, index) => {
    if (index === 0) return false;
    const beyondCount = policy.keepVersions !== undefined && index >= policy.keepVersions;
    const tooOld = policy.maxAgeMs !== undefined && version.archivedAt < now - policy.maxAgeMs;
    return beyondCount || tooOld;
  });
}
