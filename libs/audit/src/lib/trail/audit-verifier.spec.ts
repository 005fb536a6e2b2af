import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { canonicalJson } from '@gcm/canonical-json';
import { FakeClock } from '@gcm/store/testing';
import { AuditTrail } from './audit-trail';
import { verifyAuditTrail } from './audit-verifier';

const RECORDS = 60;

describe('verifyAuditTrail', () => {
  let dir: string;
  let files: string[];
  let head: { seq: number; hash: string };

  /** A trail of RECORDS records over several files (rotation every ~2 KB). */
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gcm-audit-verify-'));
    const trail = await AuditTrail.open({
      directory: dir,
      clock: new FakeClock(Date.UTC(2024, 0, 1)),
      fsync: 'never',
      rotateBytes: 2_000,
    });
    for (let n = 1; n <= RECORDS; n++) {
      await trail.append({
        actor: 'archiver',
        action: 'conversation.archived',
        target: `c-${n}`,
        outcome: 'success',
        details: { n, note: 'édition' },
      });
    }
    head = trail.head;
    await trail.close();
    files = readdirSync(dir).sort();
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const path = (index: number) => join(dir, files[index]);
  const lines = (index: number) => readFileSync(path(index), 'utf8').split('\n').slice(0, -1);
  const writeLines = (index: number, content: string[]) => writeFileSync(path(index), content.map((l) => `${l}\n`).join(''));

  it('passes an untouched trail', async () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
    expect(await verifyAuditTrail(dir, { expectedHead: head })).toEqual({
      ok: true,
      files: files.length,
      records: RECORDS,
      lastSeq: RECORDS,
      lastHash: head.hash,
      issues: [],
      issuesTruncated: false,
    });
  });

  it('finds a one-byte edit and says where', async () => {
    const content = readFileSync(path(1));
    const line3Start = content.indexOf('\n', content.indexOf('\n', content.indexOf('\n') + 1) + 1) + 1;
    const at = content.indexOf('c-', line3Start) + 2;
    content[at] = content[at] === 0x39 ? 0x38 : content[at] + 1; // change one digit of the target
    writeFileSync(path(1), content);

    const result = await verifyAuditTrail(dir);
    expect(result.ok).toBe(false);
    expect(result.issues).toEqual([
      expect.objectContaining({ kind: 'hash-mismatch', file: files[1], line: 4 }),
    ]);
    expect(result.issues[0].message).toContain(`${files[1]} line 4`);
  });

  it('finds a deleted line and names the missing seq', async () => {
    const content = lines(0);
    const deleted = JSON.parse(content[2]) as { seq: number };
    writeLines(0, [...content.slice(0, 2), ...content.slice(3)]);

    const result = await verifyAuditTrail(dir);
    expect(result.issues).toEqual([
      expect.objectContaining({
        kind: 'missing-records',
        file: files[0],
        line: 3,
        seq: deleted.seq + 1,
        expected: String(deleted.seq),
      }),
    ]);
  });

  it('finds reordered lines', async () => {
    const content = lines(2);
    [content[1], content[2]] = [content[2], content[1]];
    writeLines(2, content);

    const result = await verifyAuditTrail(dir);
    expect(result.ok).toBe(false);
    expect(result.issues.map((issue) => [issue.kind, issue.file, issue.line])).toEqual([
      ['missing-records', files[2], 2],
      ['out-of-order', files[2], 3],
      ['missing-records', files[2], 4],
    ]);
  });

  it('finds a torn last line (a file cut in the middle of a record)', async () => {
    const last = files.length - 1;
    const size = readFileSync(path(last)).length;
    truncateSync(path(last), size - 10);

    const result = await verifyAuditTrail(dir);
    expect(result.issues).toEqual([
      expect.objectContaining({ kind: 'torn-line', file: files[last], line: lines(last).length + 1 }),
    ]);
    expect(result.issues[0].message).toContain('without a newline');
  });

  it('finds a rotated file truncated at a line boundary', async () => {
    const content = lines(1);
    writeLines(1, content.slice(0, 2));

    const result = await verifyAuditTrail(dir);
    expect(result.issues).toEqual([
      expect.objectContaining({ kind: 'missing-records', file: files[2], line: 0 }),
    ]);
    expect(result.issues[0].message).toContain(`${files[1]} was truncated`);
  });

  it('finds a missing rotated file, and a missing first file', async () => {
    unlinkSync(path(2));
    const middle = await verifyAuditTrail(dir);
    expect(middle.issues).toEqual([expect.objectContaining({ kind: 'missing-records', file: files[3], line: 0 })]);
    expect(middle.issues[0].message).toContain('a rotated file was deleted');

    unlinkSync(path(0));
    const first = await verifyAuditTrail(dir);
    expect(first.issues[0]).toMatchObject({ kind: 'missing-records', file: files[1], expected: '1' });
  });

  it('finds records cut off the end, given the head recorded elsewhere', async () => {
    const last = files.length - 1;
    writeLines(last, lines(last).slice(0, -1));

    expect((await verifyAuditTrail(dir)).ok).toBe(true);
    const anchored = await verifyAuditTrail(dir, { expectedHead: head });
    expect(anchored.issues).toEqual([
      expect.objectContaining({ kind: 'missing-tail', expected: String(RECORDS), actual: String(RECORDS - 1) }),
    ]);
  });

  it('finds a rewritten record whose hash was recomputed: the next record no longer chains to it', async () => {
    const content = lines(0);
    const record = JSON.parse(content[1]) as { hash: string } & Record<string, unknown>;
    const { hash: _hash, ...body } = { ...record, outcome: 'failure' };
    const newHash = createHash('sha256').update(canonicalJson(body)).digest('hex');
    content[1] = `${canonicalJson(body).slice(0, -1)},"hash":"${newHash}"}`;
    writeLines(0, content);

    const result = await verifyAuditTrail(dir);
    expect(result.issues).toEqual([expect.objectContaining({ kind: 'chain-break', file: files[0], line: 3, seq: 3 })]);
  });

  it('stops collecting issues at maxIssues', async () => {
    for (const [index] of files.entries()) writeLines(index, lines(index).map((line) => line.replace('archiver', 'intruder')));
    const result = await verifyAuditTrail(dir, { maxIssues: 5 });
    expect(result.issues).toHaveLength(5);
    expect(result).toMatchObject({ ok: false, issuesTruncated: true, records: RECORDS });
  });
});
