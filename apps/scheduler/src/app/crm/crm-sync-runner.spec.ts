import { Redactor } from '@gcm/audit';
import type { CrmSyncJob, QaSnapshotJob, QaSnapshotRun } from '@gcm/live-events';
import { GcmLogger } from '@gcm/logging';
import { QaSnapshotRunner } from '../qa/qa-snapshot-runner.service';
import { CrmSyncRunner } from './crm-sync-runner.service';

function logger(lines: string[]): GcmLogger {
  return new GcmLogger({ level: 'info', redactor: new Redactor(), sink: { write: (line: string) => void lines.push(line) } });
}

describe('the CRM sync and QA snapshot runners', () => {
  it('runs the CRM sync job, logs what was sent, and reports a failure instead of throwing', async () => {
    const lines: string[] = [];
    let calls = 0;
    const job = {
      run: async () => {
        calls++;
        if (calls === 2) throw new Error('CRM unreachable');
        return { batches: 1, claimed: 3, delivered: 3, duplicates: 0, retried: 0, dead: 0 };
      },
    } as unknown as CrmSyncJob;
    const runner = new CrmSyncRunner(job, logger(lines));
    expect(await runner.syncDue()).toMatchObject({ delivered: 3 });
    expect(await runner.syncDue()).toBeUndefined();
    expect(calls).toBe(2);
    expect(lines.join('\n')).toContain('CRM records sent');
    expect(lines.join('\n')).toContain('CRM sync failed: CRM unreachable');
  });

  it('does nothing without a CRM endpoint', async () => {
    expect(await new CrmSyncRunner(null, logger([])).syncDue()).toBeUndefined();
  });

  it('stores the previous day QA snapshot', async () => {
    const lines: string[] = [];
    let calls = 0;
    const run = { snapshot: { name: 'daily', version: 2 }, created: true } as unknown as QaSnapshotRun;
    const job = { runPreviousDay: async () => (calls++, run) } as unknown as QaSnapshotJob;
    expect(await new QaSnapshotRunner(job, logger(lines)).snapshotPreviousDay()).toBe(run);
    expect(calls).toBe(1);
    expect(lines.join('\n')).toContain('QA snapshot version 2 stored');
  });
});
