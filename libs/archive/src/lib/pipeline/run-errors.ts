import { stoppingFault } from '@gcm/store';
import { ArchiveError, ArchiveErrorCode } from '../archive.error';
import type { ArchiveRunSummary } from '../archive-run-summary';
import type { DrainEnd } from './work-dispatcher';

/** The summary's `storageFault` part: set when a global storage fault ended the run. */
export function faultReport(error: unknown): Pick<ArchiveRunSummary, 'storageFault'> {
  const fault = stoppingFault(error);
  return fault ? { storageFault: { faultClass: fault.faultClass, code: fault.faultCode, message: fault.message } } : {};
}

/**
 * Why a window was left incomplete: the storage fault that stopped it, the lost run lease,
 * a stop request, or the search failing (undefined when none of these).
 */
export function windowError(ended: { end: DrainEnd; fault?: unknown; searchError?: unknown; owner: string; queue: string }): unknown {
  const { end, fault, searchError, owner, queue } = ended;
  if (end === 'faulted') return fault;
  if (end === 'lease-lost') return new ArchiveError(ArchiveErrorCode.RunLeaseLost, `Replica ${owner} lost the run lease while archiving ${queue}; another replica continues it.`);
  if (end === 'stopped') return new ArchiveError(ArchiveErrorCode.Cancelled, `The run was stopped before ${queue} was complete; the next run continues it.`);
  if (searchError === undefined || searchError instanceof ArchiveError) return searchError;
  const reason = searchError instanceof Error ? searchError.message : String(searchError);
  return new ArchiveError(ArchiveErrorCode.DiscoveryFailed, `Searching ${queue} failed: ${reason}. The next run resumes the search.`, { cause: searchError });
}
