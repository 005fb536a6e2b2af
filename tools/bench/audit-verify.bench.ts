/**
 * Verifying a hash-chained audit trail: 1,000,000 records (quick mode: 50,000), written
 * by AuditTrail with size rotation, then checked by verifyAuditTrail. The same-run
 * baseline is the cheapest honest read of the same files: chunked reads, split on
 * newlines, JSON.parse of every line (no hashing, no chain). Memory is sampled during
 * the verification to show it streams: peak heap growth stays flat however large the
 * trail.
 */
import { open, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AuditTrail, verifyAuditTrail, type AuditRecord } from '@gcm/audit';
import type { Benchmark } from './run';

const MB = 1024 * 1024;
const BATCH = 5_000;

/** Plain JSON.parse of every line, read the same streaming way: the baseline. */
async function parseEveryLine(directory: string): Promise<number> {
  let lines = 0;
  const chunk = Buffer.alloc(MB);
  for (const name of (await readdir(directory)).filter((n) => n.endsWith('.jsonl')).sort()) {
    const handle = await open(join(directory, name), 'r');
    try {
      let carry = Buffer.alloc(0);
      for (;;) {
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
        if (bytesRead === 0) break;
        const data = carry.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
        let start = 0;
        for (let newline = data.indexOf(0x0a); newline >= 0; newline = data.indexOf(0x0a, start)) {
          JSON.parse(data.toString('utf8', start, newline));
          lines++;
          start = newline + 1;
        }
        carry = Buffer.from(data.subarray(start));
      }
    } finally {
      await handle.close();
    }
  }
  return lines;
}

/** Runs `work` while sampling heap and RSS every 10 ms. */
async function sampled<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number; heapGrowthMb: number; rssGrowthMb: number }> {
  const before = process.memoryUsage();
  let peakHeap = before.heapUsed;
  let peakRss = before.rss;
  const timer = setInterval(() => {
    const now = process.memoryUsage();
    peakHeap = Math.max(peakHeap, now.heapUsed);
    peakRss = Math.max(peakRss, now.rss);
  }, 10);
  const started = performance.now();
  try {
    const result = await work();
    return {
      result,
      seconds: (performance.now() - started) / 1_000,
      heapGrowthMb: (peakHeap - before.heapUsed) / MB,
      rssGrowthMb: (peakRss - before.rss) / MB,
    };
  } finally {
    clearInterval(timer);
  }
}

const fmt = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

const bench: Benchmark = {
  name: 'audit-verify',
  async run({ quick }) {
    const records = quick ? 50_000 : 1_000_000;
    const directory = await mkdtemp(join(tmpdir(), 'gcm-bench-audit-'));
    try {
      const trail = await AuditTrail.open({ directory, fsync: 'never', rotateBytes: quick ? 4 * MB : 64 * MB, rotateDaily: false });
      const writeStarted = performance.now();
      let head: AuditRecord | undefined;
      for (let start = 1; start <= records; start += BATCH) {
        const batch: Promise<AuditRecord>[] = [];
        for (let n = start; n < start + BATCH && n <= records; n++) {
          batch.push(
            trail.append({
              actor: 'scheduler',
              action: 'conversation.archived',
              target: `3f2a9c1e-7b4d-4e8f-9a0b-${String(n).padStart(12, '0')}`,
              outcome: n % 50 === 0 ? 'failure' : 'success',
              latencyMs: n % 997,
              details: { version: 1 + (n % 3), messages: n % 120, sink: 'filesystem', location: `3f/2a/${n}/v1.json` },
            }),
          );
        }
        head = (await Promise.all(batch)).at(-1);
      }
      await trail.close();
      const writeSeconds = (performance.now() - writeStarted) / 1_000;

      const files = (await readdir(directory)).filter((name) => name.endsWith('.jsonl'));
      let bytes = 0;
      for (const name of files) bytes += (await stat(join(directory, name))).size;
      const megabytes = bytes / MB;

      const baseline = await sampled(() => parseEveryLine(directory));
      const verify = await sampled(() =>
        verifyAuditTrail(directory, { expectedHead: { seq: head?.seq ?? 0, hash: head?.hash ?? '' } }),
      );
      if (!verify.result.ok || verify.result.records !== records || baseline.result !== records) {
        throw new Error(`verification disagreed: ${JSON.stringify({ ...verify.result, issues: verify.result.issues.slice(0, 3) })}`);
      }

      const row = (step: string, seconds: number) =>
        `| ${step} | ${fmt(records)} | ${fmt(megabytes, 1)} | ${fmt(seconds, 2)} | ${fmt(records / seconds)} | ${fmt(megabytes / seconds, 1)} |`;
      return [
        `### Audit trail verification${quick ? ' (quick)' : ''}`,
        '',
        `${fmt(records)} hash-chained records (${fmt(megabytes, 1)} MB in ${files.length} rotated files), ` +
          'verified by `verifyAuditTrail` (every record re-hashed, seq and prevHash chain checked, head anchored).',
        '',
        '| step | records | MB | seconds | records/s | MB/s |',
        '|---|---:|---:|---:|---:|---:|',
        row('write: `AuditTrail.append` (fsync never)', writeSeconds),
        row('baseline: read + `JSON.parse` every line', baseline.seconds),
        row('`verifyAuditTrail`', verify.seconds),
        '',
        `Verify throughput vs the JSON.parse baseline (same run, same files): **${fmt(baseline.seconds / verify.seconds, 2)}×**.`,
        `Memory while verifying: peak heap +${fmt(verify.heapGrowthMb, 1)} MB, peak RSS +${fmt(verify.rssGrowthMb, 1)} MB ` +
          `for a ${fmt(megabytes, 1)} MB trail (streams; baseline: heap +${fmt(baseline.heapGrowthMb, 1)} MB).`,
      ].join('\n');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  },
};

export default bench;
