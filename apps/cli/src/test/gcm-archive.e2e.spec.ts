import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GcmWorld, stderrEvents } from './gcm-harness';

interface Summary {
  status: string;
  found: number;
  archived: number;
  unchanged: number;
  parked: number;
}

async function files(root: string, suffix: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(suffix)).map((e) => join(e.parentPath, e.name));
}

/**
 * `gcm archive run / verify` and `gcm audit verify` as the real binary against the
 * sandbox: an idempotent archive of a window, and verifiers that catch one changed byte.
 */
describe('gcm archive and audit', () => {
  let world: GcmWorld;

  beforeAll(async () => {
    world = await GcmWorld.start({ conversations: 150, days: 7 });
  });
  afterAll(() => world.stop());

  it('archives a window, verifies it, re-runs it without rewriting, and catches a changed byte', async () => {
    // a day that ended yesterday: every conversation in it is over, so a re-run finds nothing new
    const to = new Date(world.now - 86_400_000).toISOString();
    const from = new Date(world.now - 2 * 86_400_000).toISOString();
    const run = ['archive', 'run', '--from', from, '--to', to, '--match', 'started', '--audit-dir', 'var/audit/cli', '--json'];
    const first = await world.run(run);
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout) as Summary;
    const expected = world.sandbox.truth.conversationIds({ from, to });
    const ongoing = expected.filter((id) => world.sandbox.truth.summary(id)?.endTime === undefined).length;
    expect(summary).toMatchObject({ status: 'succeeded', found: expected.length, archived: expected.length, parked: 0 });
    const archived = await files(join(world.dir, 'var/archive'), '.json');
    expect(archived).toHaveLength(expected.length);

    const again = JSON.parse((await world.run(run)).stdout) as Summary;
    expect(again.found).toBe(expected.length);
    expect(again.archived).toBeLessThanOrEqual(ongoing);
    expect(again.unchanged + again.archived).toBe(expected.length);

    const verified = await world.run(['archive', 'verify', '--json']);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, conversations: expected.length, indexChecked: true, problems: [] });

    // one byte of one message text changed on disk
    const victim = archived[0];
    const text = await readFile(victim, 'utf8');
    const at = text.indexOf('"text":"') + 8;
    await writeFile(victim, `${text.slice(0, at)}${text[at] === 'X' ? 'Y' : 'X'}${text.slice(at + 1)}`);
    const tampered = await world.run(['archive', 'verify', '--json']);
    expect(tampered.code).toBe(1);
    const report = JSON.parse(tampered.stdout) as { ok: boolean; problems: Array<{ conversationId: string }> };
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.conversationId)).toEqual([victim.split('/').at(-2)]);

    // the run's audit trail verifies, and one edited record is caught
    const audit = await world.run(['audit', 'verify', '--dir', 'var/audit/cli', '--json']);
    expect(audit.code).toBe(0);
    const trail = JSON.parse(audit.stdout) as { ok: boolean; records: number };
    expect(trail.ok).toBe(true);
    expect(trail.records).toBeGreaterThanOrEqual(expected.length);
    const [trailFile] = await files(join(world.dir, 'var/audit/cli'), '.jsonl');
    const lines = (await readFile(trailFile, 'utf8')).split('\n');
    lines[2] = lines[2].replace('"outcome":"success"', '"outcome":"failure"');
    await writeFile(trailFile, lines.join('\n'));
    const edited = await world.run(['audit', 'verify', '--dir', 'var/audit/cli']);
    expect(edited.code).toBe(1);
    expect(edited.stdout).toMatch(/^FAILED: /);
    expect(edited.stdout).toContain('hash-mismatch');
  });

  it('stops on Ctrl-C with exit 130 and continues the same window on the next run', async () => {
    const to = new Date(world.now - 3 * 86_400_000).toISOString();
    const from = new Date(world.now - 5 * 86_400_000).toISOString();
    const expected = world.sandbox.truth.conversationIds({ from, to });
    const child = world.spawn(['archive', 'run', '--from', from, '--to', to, '--match', 'started', '--out', 'var/other', '--concurrency', '1', '--json']);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      // interrupt as soon as the run has started working
      if (stderr.includes('gcm: archiving') && !child.killed) child.kill('SIGINT');
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));

    expect(code).toBe(130);
    expect(JSON.parse(stdout)).toMatchObject({ status: 'cancelled' });
    const stop = stderrEvents(stderr).find((e) => e['event'] === 'stopped');
    expect(stop).toMatchObject({ reason: 'interrupted', resume: expect.stringContaining(`--from ${from} --to ${to}`) });

    const rest = await world.run(['archive', 'run', '--from', from, '--to', to, '--match', 'started', '--out', 'var/other', '--json']);
    expect(rest.code).toBe(0);
    expect(JSON.parse(rest.stdout)).toMatchObject({ status: 'succeeded', found: expected.length, parked: 0 });
    expect(await files(join(world.dir, 'var/other'), '.json')).toHaveLength(expected.length);
  });

  it('exits 2 for a window the wrong way round, and for a missing archive or trail', async () => {
    const [reversed, noArchive, noTrail, badHead] = await Promise.all([
      world.run(['archive', 'run', '--from', '1d', '--to', '2d']),
      world.run(['archive', 'verify', '--dir', 'nowhere']),
      world.run(['audit', 'verify', '--dir', 'nowhere']),
      world.run(['audit', 'verify', '--expected-head', 'abc']),
    ]);
    expect([reversed.code, noArchive.code, noTrail.code, badHead.code]).toEqual([2, 2, 2, 2]);
    expect(noArchive.stderr).toContain('There is no archive at');
  });
});
