/**
 * Sandbox start-up benchmark: how long until a sandbox with N conversations accepts
 * requests, and how much memory it holds then. Each size runs in a fresh child process
 * (this file with --child), so RSS is that of a process holding one sandbox and nothing
 * else. A 1k sandbox measured in the same run is the baseline.
 *
 *   npm run bench -- --only sandbox-startup [--quick]
 *   npx tsx --tsconfig tsconfig.base.json tools/bench/sandbox-startup.bench.ts [--quick]
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = join(__dirname, '../..');
const READY_BUDGET_MS = 2000;
const RSS_BUDGET_MB = 300;
const NOW = '2025-03-01T12:00:00.000Z';

interface ChildResult {
  conversations: number;
  readyMs: number;
  rssMb: number;
  heapUsedMb: number;
  firstQueryMs: number;
  firstConversationMs: number;
  /** Spawn to result, including loading node, tsx and the sources. */
  processMs: number;
}

async function measureInChild(conversations: number): Promise<ChildResult> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--child', String(conversations)], {
    cwd: ROOT,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.base.json') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`benchmark child for ${conversations} conversations exited with ${code}`);
  return { ...(JSON.parse(out.trim().split('\n').pop()!) as Omit<ChildResult, 'processMs'>), processMs: performance.now() - started };
}

/** Runs inside the child: start, measure, make two first requests, report one JSON line. */
async function child(conversations: number): Promise<void> {
  const { ManualClock, startSandbox } = await import('@gcm/genesys-sandbox');
  const t0 = performance.now();
  const sandbox = await startSandbox({ conversations, seed: 42, now: NOW, clock: new ManualClock(NOW) });
  const readyMs = performance.now() - t0;
  const memory = process.memoryUsage();

  const basic = Buffer.from(`${sandbox.clientId}:${sandbox.clientSecret}`).toString('base64');
  const login = await fetch(`${sandbox.apiBaseUrl}/oauth/token`, {
    method: 'POST',
    headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const { access_token } = (await login.json()) as { access_token: string };
  const headers = { Authorization: `Bearer ${access_token}`, 'Content-Type': 'application/json' };
  let t = performance.now();
  const query = await fetch(`${sandbox.apiBaseUrl}/api/v2/analytics/conversations/details/query`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ interval: '2025-01-01T00:00:00Z/2025-03-02T00:00:00Z', paging: { pageSize: 100 } }),
  });
  const { conversations: page } = (await query.json()) as { conversations: Array<{ conversationId: string }> };
  const firstQueryMs = performance.now() - t;
  t = performance.now();
  await (await fetch(`${sandbox.apiBaseUrl}/api/v2/conversations/messages/${page[page.length - 1].conversationId}`, { headers })).text();
  const firstConversationMs = performance.now() - t;
  await sandbox.close();

  const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
  process.stdout.write(
    `${JSON.stringify({ conversations, readyMs, rssMb: mb(memory.rss), heapUsedMb: mb(memory.heapUsed), firstQueryMs, firstConversationMs })}\n`,
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function run({ quick }: { quick: boolean }): Promise<string> {
  const sizes = quick ? [1_000, 100_000] : [1_000, 10_000, 100_000];
  const repeats = quick ? 1 : 3;
  const rows: ChildResult[] = [];
  for (const size of sizes) {
    const samples: ChildResult[] = [];
    for (let r = 0; r < repeats; r++) samples.push(await measureInChild(size));
    const pick = (key: keyof ChildResult) => median(samples.map((s) => s[key]));
    rows.push({
      conversations: size,
      readyMs: pick('readyMs'),
      rssMb: pick('rssMb'),
      heapUsedMb: pick('heapUsedMb'),
      firstQueryMs: pick('firstQueryMs'),
      firstConversationMs: pick('firstConversationMs'),
      processMs: pick('processMs'),
    });
  }
  const base = rows[0];
  const big = rows[rows.length - 1];
  const verdict = big.readyMs < READY_BUDGET_MS && big.rssMb < RSS_BUDGET_MB ? 'PASS' : 'FAIL';
  const fmt = (n: number) => n.toFixed(0);
  return [
    '## Sandbox start-up',
    '',
    `Command: \`npm run bench -- --only sandbox-startup${quick ? ' --quick' : ''}\` ` +
      `(or \`npx tsx --tsconfig tsconfig.base.json tools/bench/sandbox-startup.bench.ts${quick ? ' --quick' : ''}\`); ` +
      `${repeats === 1 ? 'one run' : `median of ${repeats} runs`} per size, each in a fresh Node ${process.version} process.`,
    '',
    '| conversations | ready (ms) | RSS after ready (MB) | heap used (MB) | first details query, 100 rows (ms) | first conversation GET (ms) | spawn → measured (ms) |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.conversations.toLocaleString('en-US')} | ${fmt(r.readyMs)} | ${r.rssMb.toFixed(1)} | ${r.heapUsedMb.toFixed(1)} | ${fmt(r.firstQueryMs)} | ${fmt(r.firstConversationMs)} | ${fmt(r.processMs)} |`,
    ),
    '',
    `${big.conversations.toLocaleString('en-US')} vs ${base.conversations.toLocaleString('en-US')} conversations: ready ×${(big.readyMs / base.readyMs).toFixed(1)}, ` +
      `RSS ×${(big.rssMb / base.rssMb).toFixed(2)} (+${(big.rssMb - base.rssMb).toFixed(1)} MB, ${(((big.rssMb - base.rssMb) * 1024 * 1024) / (big.conversations - base.conversations)).toFixed(0)} bytes per conversation).`,
    `Budget for ${big.conversations.toLocaleString('en-US')}: ready < ${READY_BUDGET_MS} ms and RSS < ${RSS_BUDGET_MB} MB: **${verdict}**.`,
    '',
  ].join('\n');
}

export default { name: 'sandbox-startup', run };

if (require.main === module) {
  const childIndex = process.argv.indexOf('--child');
  if (childIndex >= 0) {
    void child(Number(process.argv[childIndex + 1]));
  } else {
    run({ quick: process.argv.includes('--quick') }).then(
      (markdown) => process.stdout.write(markdown),
      (error) => {
        process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
        process.exit(1);
      },
    );
  }
}
