import { stoppingFault } from '@gcm/store';
import type { ArchiveRunSummary } from '../archive-run-summary';

/** The summary's `storageFault` part: set when a global storage fault ended the run. */
export function faultReport(error: unknown): Pick<ArchiveRunSummary, 'storageFault'> {
  const fault = stoppingFault(error);
  return fault ? { storageFault: { faultClass: fault.faultClass, code: fault.faultCode, message: fault.message } } : {};
}
