import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryAuditLog } from '@gcm/audit/testing';
import { FakeClock } from '@gcm/genesys-auth/testing';
import { DatabaseArchiveSink, FileSystemArchiveSink, openDatabase, type ArchivedVersion } from '@gcm/store';
import { expiredVersions, validateRetentionPolicy } from './retention-policy';
import { RetentionSweep } from './retention-sweep.service';

const DAY = 86_400_000;
const ID_A = '0a1b2c3d-0000-4000-8000-000000000001';
const ID_B = '0a1b2c3d-0000-4000-8000-000000000002';

const version = (n: number, archivedAt: number): ArchivedVersion => ({
  conversationId: ID_A,
  version: n,
  contentHash: `${n}`.padStart(64, '0'),
  location: `v${n}`,
  archivedAt,
});

describe('expiredVersions', () => {
  const now = 100 * DAY;
  const versions = [version(1, now - 40 * DAY), version(2, now - 20 * DAY), version(3, now - 5 * DAY), version(4, now - DAY)];

  it('keeps the newest N versions', () => {
    expect(expiredVersions(versions, { keepVersions: 2 }, now).map((v) => v.version)).toEqual([2, 1]);
  });

  it('removes versions older than the maximum age', () => {
    expect(expiredVersions(versions, { maxAgeMs: 10 * DAY }, now).map((v) => v.version)).toEqual([2, 1]);
    expect(expiredVersions(versions, { maxAgeMs: 30 * DAY }, now).map((v) => v.version)).toEqual([1]);
  });

  it('applies both rules together: a version goes when either says so', () => {
    expect(expiredVersions(versions, { keepVersions: 3, maxAgeMs: 10 * DAY }, now).map((v) => v.version)).toEqual([2, 1]);
  });

  it('never removes the newest version, however old', () => {
    expect(expiredVersions([version(1, 0)], { keepVersions: 1, maxAgeMs: 1 }, now)).toEqual([]);
    expect(expiredVersions(versions, { maxAgeMs: 1 }, now).map((v) => v.version)).toEqual([3, 2, 1]);
  });

  it('refuses a policy without a rule or with a nonsensical one', () => {
    expect(() => validateRetentionPolicy({})).toThrow('A retention policy needs keepVersions, maxAgeMs or both.');
    expect(() => validateRetentionPolicy({ keepVersions: 0 })).toThrow('keepVersions must be a whole number ≥ 1, got 0');
    expect(() => validateRetentionPolicy({ maxAgeMs: -5 })).toThrow('maxAgeMs must be a positive number of milliseconds, got -5');
  });
});

describe('RetentionSweep over the filesystem sink', () => {
  let root: string;
  let clock: FakeClock;
  let sink: FileSystemArchiveSink;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'gcm-retention-'));
    clock = new FakeClock('2026-03-01T00:00:00.000Z');
    sink = new FileSystemArchiveSink({ root, clock });
    for (let n = 1; n <= 3; n++) {
      await sink.put(ID_A, { conversation: ID_A, revision: n });
      clock.set(clock.now() + 10 * DAY);
    }
    await sink.put(ID_B, { conversation: ID_B, revision: 1 });
  });

  afterEach(() => rm(root, { recursive: true, force: true }));

  it('deletes the expired versions\' files, keeps the rest readable, and audits what went', async () => {
    const audit = new MemoryAuditLog(undefined, () => clock.now());
    const sweep = new RetentionSweep({ sink, audit, clock });
    const [v1] = await sink.versions(ID_A);

    const report = await sweep.sweep({ keepVersions: 1 });

    expect(report).toMatchObject({ dryRun: false, conversations: 2, versions: 4, removed: 2 });
    expect((await sink.versions(ID_A)).map((v) => v.version)).toEqual([3]);
    expect((await sink.get(ID_A))?.document).toEqual({ conversation: ID_A, revision: 3 });
    expect((await sink.versions(ID_B)).map((v) => v.version)).toEqual([1]);
    await expect(stat(sink.pathOf(v1.location))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(audit.records.map((r) => [r.action, r.target, r.details])).toEqual([
      ['archive.versions.removed', ID_A, { versions: [2, 1], policy: { keepVersions: 1 } }],
    ]);
    // the sink keeps numbering after the newest version
    expect((await sink.put(ID_A, { conversation: ID_A, revision: 4 })).version).toBe(4);
  });

  it('forgets the removed versions in the archive index too', async () => {
    const store = await openDatabase('sqlite::memory:', { clock });
    try {
      const index = store.archiveIndex;
      for (const version of [...(await sink.versions(ID_A)), ...(await sink.versions(ID_B))]) {
        await index.record({ conversationId: version.conversationId, contentHash: version.contentHash, location: version.location, version: version.version });
      }
      await new RetentionSweep({ sink, clock, index }).sweep({ keepVersions: 1 });
      expect((await index.versions(ID_A)).map((v) => v.version)).toEqual([3]);
      expect((await index.versions(ID_B)).map((v) => v.version)).toEqual([1]);
      expect(await index.remove(ID_A, 1)).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('in a dry run only counts', async () => {
    const report = await new RetentionSweep({ sink, clock }).sweep({ maxAgeMs: 25 * DAY }, { dryRun: true });
    expect(report).toMatchObject({ dryRun: true, removed: 1 });
    expect(await sink.versions(ID_A)).toHaveLength(3);
  });

  it('refuses to sweep a sink it cannot delete from, unless told how', async () => {
    const store = await openDatabase('sqlite::memory:', { clock });
    try {
      const databaseSink = new DatabaseArchiveSink(store);
      await expect(new RetentionSweep({ sink: databaseSink }).sweep({ keepVersions: 1 })).rejects.toThrow(
        'The database archive sink has no way to delete a version; pass RetentionSweepOptions.remove, or sweep with dryRun.',
      );
      const removed: number[] = [];
      await databaseSink.put(ID_A, { revision: 1 });
      await databaseSink.put(ID_A, { revision: 2 });
      const report = await new RetentionSweep({ sink: databaseSink, remove: async (v) => removed.push(v.version) > 0 }).sweep({ keepVersions: 1 });
      expect(report.removed).toBe(1);
      expect(removed).toEqual([1]);
    } finally {
      await store.close();
    }
  });
});
