import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openDatabase } from '@gcm/store';
import { collect, GcmWorld, routeCount, runBounded, type GcmResult } from './gcm-harness';

const JOBS_ROUTE = 'POST /api/v2/analytics/conversations/details/jobs';
const BULK_ROUTE = 'POST /api/v2/conversations/messages/:conversationId/messages/bulk';

async function archivedFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile() && e.name.endsWith('.json')).map((e) => join(e.parentPath, e.name));
}



/**
 * kill -9 in the middle of `gcm archive run --from 8d`, then the identical command: it
 * resumes the window the first run resolved (not a new "8 days before now"), says so,
 * searches it once, and leaves no open work item and no job run `running`.
 */
describe('gcm archive run after kill -9', () => {
  let world: GcmWorld;

  beforeAll(async () => {
    world = await GcmWorld.start({ conversations: 250, days: 10 });
  });
  afterAll(() => world?.stop());

  it('the identical relative command resumes the same window, searches no day twice, and leaves nothing open', async () => {
    const command = ['archive', 'run', '--from', '8d', '--match', 'started', '--concurrency', '1', '--json', '--verbose'];
    const child = world.spawn(command);
    child.stdin.end();
    const first = collect(child);
    // kill -9 once the run has archived a few dozen conversations (bounded: the spec fails, gcm is killed either way)
    const deadline = Date.now() + 60_000;
    while (routeCount(world, BULK_ROUTE) < 25 && child.exitCode === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(child.exitCode).toBeNull();
    child.kill('SIGKILL');
    const killed: GcmResult = await first;
    expect(killed.code).toBeNull();
    const window = /gcm: archiving (\S+) … (\S+) into/.exec(killed.stderr);
    expect(window).not.toBeNull();
    const [, from, to] = window as RegExpExecArray;
    const doneBefore = (await archivedFiles(join(world.dir, 'var/archive'))).length;
    expect(doneBefore).toBeGreaterThan(0);
    const searchesBefore = routeCount(world, JOBS_ROUTE);
    expect(searchesBefore).toBeGreaterThan(0);

    // a second later "8d" means another instant: the stored window must win
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const rest = await runBounded(world, command, 150_000);

    expect(rest.code).toBe(0);
    expect(rest.stderr).toContain(`gcm: resuming window ${from} … ${to} (the same command started it): `);
    expect(rest.stderr).toContain('took the archive job over from gcm-cli@');
    const summary = JSON.parse(rest.stdout) as { status: string; found: number; archived: number; windows: Array<{ start: string; end: string; resumed: boolean }> };
    expect(summary.windows).toEqual([expect.objectContaining({ start: from, end: to, resumed: true })]);
    const expected = world.sandbox.truth.conversationIds({ from, to });
    expect(summary).toMatchObject({ status: 'succeeded', found: expected.length });
    const files = await archivedFiles(join(world.dir, 'var/archive'));
    expect(files).toHaveLength(expected.length);
    expect(new Set(files.map((file) => file.split('/').at(-2))).size).toBe(expected.length);
    const searchesOfBoth = routeCount(world, JOBS_ROUTE);

    const store = await openDatabase(`sqlite:${join(world.dir, 'var/gcm.sqlite')}`, { migrate: false });
    try {
      expect(await store.workItems.openQueues('archive:')).toEqual([]);
      expect(await store.jobRuns.running(['archive', 'archive:backfill'])).toEqual([]);
      const runs = await store.jobRuns.list('archive:backfill', 10);
      expect(runs.map((run) => run.status).sort()).toEqual(['abandoned', 'succeeded']);
    } finally {
      await store.close();
    }

    // the search continued from its saved position: one analytics job per UTC day of the window
    // (the search reads a day per job) over the killed run and its resumption together, but for
    // the day whose job the killed run had submitted and not yet read: that one is submitted again
    const dayMs = 86_400_000;
    const days = Math.floor((Date.parse(to) - 1) / dayMs) - Math.floor(Date.parse(from) / dayMs) + 1;
    expect(searchesOfBoth).toBeGreaterThanOrEqual(days);
    expect(searchesOfBoth).toBeLessThanOrEqual(days + 1);
  }, 240_000);
});
