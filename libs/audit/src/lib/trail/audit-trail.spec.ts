import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { FakeClock } from '@gcm/store/testing';
import { AuditErrorCode } from '../audit.error';
import { AuditMetrics } from '../metrics/audit-metrics';
import { Redactor } from '../redaction/redactor';
import { AuditEntry, GENESIS_HASH } from './audit-record';
import { AuditTrail, AuditTrailOptions } from './audit-trail';

const entry = (n: number, details: Record<string, unknown> = {}): AuditEntry => ({
  actor: 'scheduler',
  action: 'conversation.archived',
  target: `conversation-${n}`,
  outcome: 'success',
  latencyMs: n,
  details: { n, ...details },
});

const readRecords = (dir: string): Record<string, unknown>[] =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .flatMap((name) =>
      readFileSync(join(dir, name), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    );

describe('AuditTrail', () => {
  let dir: string;
  const clock = new FakeClock(Date.UTC(2024, 2, 10, 12));
  const open = (options: Partial<AuditTrailOptions> = {}) =>
    AuditTrail.open({ directory: dir, clock, fsync: 'never', ...options });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gcm-audit-'));
    clock.set(Date.UTC(2024, 2, 10, 12));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends JSONL records chained by hash, in call order', async () => {
    const trail = await open({ fsync: 'always' });
    const records = await Promise.all([1, 2, 3].map((n) => trail.append(entry(n))));
    await trail.close();

    expect(records.map((record) => record.seq)).toEqual([1, 2, 3]);
    expect(records[0].prevHash).toBe(GENESIS_HASH);
    expect(records[1].prevHash).toBe(records[0].hash);
    expect(records[2].prevHash).toBe(records[1].hash);
    expect(readRecords(dir)).toEqual(records);
    expect(records[0]).toEqual({
      seq: 1,
      ts: '2024-03-10T12:00:00.000Z',
      actor: 'scheduler',
      action: 'conversation.archived',
      target: 'conversation-1',
      outcome: 'success',
      latencyMs: 1,
      details: { n: 1 },
      prevHash: GENESIS_HASH,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(readdirSync(dir)).toEqual(['audit-20240310-000000000001.jsonl']);
  });

  it('never writes a secret passed in details, target or actor', async () => {
    const trail = await open({ redactor: new Redactor({ piiKeys: ['email'], knownSecrets: ['my-oauth-client-secret'] }) });
    await trail.append({
      actor: 'client my-oauth-client-secret',
      action: 'token.refreshed',
      target: 'https://svc:pw-in-url-123@api.example.com/x?access_token=tok-in-query-456',
      outcome: 'failure',
      details: {
        clientSecret: 'my-oauth-client-secret',
        request: { headers: { authorization: 'Bearer bearer-token-789xyz' } },
        response: 'upstream said {"access_token":"tok-in-body-000"} and Authorization: Bearer bearer-token-789xyz',
        guest: { email: 'guest@example.com' },
        webhookSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      },
    });
    await trail.close();

    const text = readdirSync(dir)
      .map((name) => readFileSync(join(dir, name), 'utf8'))
      .join('');
    for (const secret of [
      'my-oauth-client-secret',
      'pw-in-url-123',
      'tok-in-query-456',
      'bearer-token-789xyz',
      'tok-in-body-000',
      'guest@example.com',
      'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[REDACTED]');
    expect((await (await open()).verify()).ok).toBe(true);
  });

  it('rotates by size, the first record of each new file carrying the previous hash', async () => {
    const trail = await open({ rotateBytes: 1_000 });
    const records = [];
    for (let n = 1; n <= 12; n++) records.push(await trail.append(entry(n, { padding: 'x'.repeat(150) })));
    await trail.close();

    const files = readdirSync(dir).sort();
    expect(files.length).toBeGreaterThan(2);
    for (const name of files) expect(statSync(join(dir, name)).size).toBeLessThanOrEqual(1_000);
    const second = readFileSync(join(dir, files[1]), 'utf8').split('\n')[0];
    const firstOfSecond = JSON.parse(second) as { seq: number; prevHash: string };
    expect(files[1]).toBe(`audit-20240310-${String(firstOfSecond.seq).padStart(12, '0')}.jsonl`);
    expect(firstOfSecond.prevHash).toBe(records[firstOfSecond.seq - 2].hash);
    expect(await trail.verify()).toMatchObject({ ok: true, records: 12, files: files.length });
  });

  it('rotates when the UTC day changes', async () => {
    const trail = await open();
    await trail.append(entry(1));
    clock.set(Date.UTC(2024, 2, 10, 23, 59, 59));
    await trail.append(entry(2));
    clock.set(Date.UTC(2024, 2, 11, 0, 0, 1));
    await trail.append(entry(3));
    await trail.close();

    expect(readdirSync(dir).sort()).toEqual(['audit-20240310-000000000001.jsonl', 'audit-20240311-000000000003.jsonl']);
    expect((await trail.verify()).ok).toBe(true);
  });

  it('resumes the chain after a restart, in the same file', async () => {
    const first = await open();
    await first.append(entry(1));
    const last = await first.append(entry(2));
    await first.close();

    const second = await open();
    expect(second.head).toEqual({ seq: 2, hash: last.hash });
    const next = await second.append(entry(3));
    await second.close();

    expect(next).toMatchObject({ seq: 3, prevHash: last.hash });
    expect(readdirSync(dir)).toHaveLength(1);
    expect(await second.verify()).toMatchObject({ ok: true, records: 3 });
  });

  it('resumes from a long last line (longer than one tail block)', async () => {
    const first = await open();
    const big = await first.append(entry(1, { blob: 'y'.repeat(200_000) }));
    await first.close();
    const second = await open();
    expect(second.head).toEqual({ seq: 1, hash: big.hash });
    await second.close();
  });

  it('repairs a torn last line left by a crash, and records that it did', async () => {
    const first = await open();
    const acknowledged = await first.append(entry(1));
    await first.close();
    const [file] = readdirSync(dir);
    appendFileSync(join(dir, file), '{"action":"conversation.archived","actor":"sched');

    const second = await open();
    const next = await second.append(entry(2));
    await second.close();

    const records = readRecords(dir);
    expect(records.map((record) => record['action'])).toEqual([
      'conversation.archived',
      'audit.trail.recovered',
      'conversation.archived',
    ]);
    expect(records[1]).toMatchObject({
      seq: 2,
      prevHash: acknowledged.hash,
      target: file,
      details: expect.objectContaining({ discardedBytes: 48 }),
    });
    expect(next.seq).toBe(3);
    expect((await second.verify()).ok).toBe(true);
  });

  it('refuses to append after close, and writes values JSON cannot hold the way JSON.stringify would', async () => {
    const trail = await open();
    await trail.append(entry(1));
    await expect(trail.append({ ...entry(2), details: { bad: () => 1, n: Number.POSITIVE_INFINITY } })).resolves.toMatchObject({
      seq: 2,
      details: { n: null },
    });
    await trail.close();
    await expect(trail.append(entry(3))).rejects.toMatchObject({ code: AuditErrorCode.Closed });
    expect((await trail.verify()).ok).toBe(true);
  });

  it('stops after a failed write instead of chaining onto a record that is not on disk', async () => {
    const trail = await open({ rotateBytes: 400 });
    await trail.append(entry(1));
    // the next rotation target cannot be created: a directory occupies its name
    mkdirSync(join(dir, 'audit-20240310-000000000002.jsonl'));
    await expect(trail.append(entry(2, { padding: 'z'.repeat(400) }))).rejects.toMatchObject({
      code: AuditErrorCode.WriteFailed,
    });
    await expect(trail.append(entry(3))).rejects.toMatchObject({ code: AuditErrorCode.WriteFailed });
    await trail.close();
  });

  it('syncs on flush in interval mode and on close in every mode', async () => {
    const trail = await open({ fsync: 'interval', fsyncIntervalMs: 60_000 });
    await trail.append(entry(1));
    await trail.flush();
    await trail.append(entry(2));
    await trail.close();
    expect(readRecords(dir)).toHaveLength(2);
  });

  it('reports append latency and counts on the registry it is given', async () => {
    const registry = new Registry();
    const trail = await open({ metrics: new AuditMetrics(registry) });
    await trail.append(entry(1));
    await trail.append({ ...entry(2), outcome: 'failure' });
    await trail.close();

    const metrics = await registry.getMetricsAsJSON();
    const records = metrics.find((metric) => metric.name === 'gcm_audit_records_total');
    expect(records?.values).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ labels: { outcome: 'success' }, value: 1 }),
        expect.objectContaining({ labels: { outcome: 'failure' }, value: 1 }),
      ]),
    );
    const text = await registry.metrics();
    expect(text).toContain('gcm_audit_append_seconds_count{outcome="success"} 1');
    expect(text).toContain('gcm_audit_append_seconds_count{outcome="failure"} 1');
  });

  it('starts a fresh chain when the only file holds no record', async () => {
    writeFileSync(join(dir, 'audit-20240310-000000000001.jsonl'), '');
    const trail = await open();
    expect(trail.head).toEqual({ seq: 0, hash: GENESIS_HASH });
    await trail.append(entry(1));
    await trail.close();
    expect((await trail.verify()).ok).toBe(true);
  });
});
