import { GcmWorld, ndjson, stderrEvents } from './gcm-harness';

interface Row {
  conversationId: string;
  conversationStart: string;
}

/**
 * `gcm search`, the real binary in its own process against the sandbox: NDJSON on stdout,
 * every conversation of the window exactly once, and every way of stopping early — --max,
 * --max-requests, Ctrl-C — resumable without repeats or gaps.
 */
describe('gcm search', () => {
  let world: GcmWorld;

  beforeAll(async () => {
    world = await GcmWorld.start({ conversations: 1500, days: 7 });
  });
  afterAll(() => world.stop());

  let twoDays: { from: string; to: string };
  let week: { from: string; to: string };
  beforeAll(() => {
    twoDays = world.lastDays(2);
    week = world.lastDays(7);
  });
  const expected = (window: { from: string; to: string }) => world.sandbox.truth.conversationIds(window).sort();
  const ids = (rows: Row[]) => rows.map((row) => row.conversationId);

  it('prints one JSON object per line, each conversation of the window exactly once, and exits 0', async () => {
    const result = await world.run(['search', '--from', twoDays.from, '--to', twoDays.to]);

    expect(result.code).toBe(0);
    const rows = ndjson<Row>(result.stdout);
    expect(rows.length).toBeGreaterThan(100);
    expect(new Set(ids(rows)).size).toBe(rows.length);
    expect(ids(rows).sort()).toEqual(expected(twoDays));
    for (const row of rows) expect(Date.parse(row.conversationStart)).toBeGreaterThanOrEqual(Date.parse(twoDays.from));
    expect(result.stderr).toContain(`gcm: ${rows.length.toLocaleString('en-US')} conversations`);
    // no progress display when stderr is not a terminal
    expect(result.stderr).not.toContain('\r');
  });

  it('--max stops with a resume token, and --resume continues after the last result', async () => {
    const first = await world.run(['search', '--from', twoDays.from, '--to', twoDays.to, '--max', '100', '--json']);
    expect(first.code).toBe(0);
    const page = ndjson<Row>(first.stdout);
    expect(page).toHaveLength(100);
    const [more] = stderrEvents(first.stderr);
    expect(more).toMatchObject({ event: 'more', results: 100, resumeToken: expect.any(String) });

    const rest = await world.run(['search', '--from', twoDays.from, '--to', twoDays.to, '--resume', more['resumeToken'] as string, '--json']);
    expect(rest.code).toBe(0);
    const all = [...ids(page), ...ids(ndjson<Row>(rest.stdout))];
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(expected(twoDays));
    expect(stderrEvents(rest.stderr)).toEqual([{ event: 'done', results: all.length - 100 }]);
  });

  it('Ctrl-C stops cleanly with exit 130 and a resume token; resuming delivers exactly the rest', async () => {
    const child = world.spawn(['search', '--from', week.from, '--to', week.to, '--strategy', 'query', '--json']);
    let stderr = '';
    const stopped = new Promise<void>((resolve) =>
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        if (stderr.includes('"event":"stopped"')) resolve();
      }),
    );
    let stdout = '';
    child.stdout.setEncoding('utf8');
    // read the first chunk, then stop reading: gcm blocks on the full pipe (back-pressure)
    // until it is interrupted, so Ctrl-C lands in the middle of the stream
    child.stdout.once('data', (chunk: string) => {
      stdout += chunk;
      child.stdout.pause();
      child.kill('SIGINT');
    });
    await stopped;
    child.stdout.on('data', (chunk: string) => (stdout += chunk));
    child.stdout.resume();
    const [code] = await new Promise<[number | null]>((resolve) => child.on('close', (c) => resolve([c])));

    expect(code).toBe(130);
    const stop = stderrEvents(stderr).find((event) => event['event'] === 'stopped');
    expect(stop).toMatchObject({ reason: 'interrupted', resumeToken: expect.any(String) });
    const before = ids(ndjson<Row>(stdout));
    expect(stop?.['results']).toBe(before.length);
    expect(before.length).toBeLessThan(expected(week).length);

    const rest = await world.run(['search', '--from', week.from, '--to', week.to, '--strategy', 'query', '--resume', stop?.['resumeToken'] as string]);
    expect(rest.code).toBe(0);
    const all = [...before, ...ids(ndjson<Row>(rest.stdout))];
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(expected(week));
  });

  it('--max-requests ends with exit 4 and a resume token that finishes the search', async () => {
    // two whole UTC days: the query strategy reads a window day by day, and a window starting
    // late in a day would spend the tiny budget on a first chunk of a few hours, so what the
    // first run yields would depend on the hour the suite runs
    const today = Math.floor(Date.parse(world.lastDays(0).to) / 86_400_000) * 86_400_000;
    const twoDays = { from: new Date(today - 2 * 86_400_000).toISOString(), to: new Date(today).toISOString() };
    const first = await world.run(['search', '--from', twoDays.from, '--to', twoDays.to, '--strategy', 'query', '--max-requests', '3', '--json']);
    expect(first.code).toBe(4);
    const events = stderrEvents(first.stderr);
    const stop = events.find((event) => event['event'] === 'stopped');
    expect(stop).toMatchObject({ reason: 'request-budget', resumeToken: expect.any(String) });
    expect(events.find((event) => 'error' in event)).toMatchObject({ error: { code: 'REQUEST_BUDGET_EXHAUSTED', exitCode: 4 } });
    const before = ids(ndjson<Row>(first.stdout));
    expect(before.length).toBeGreaterThan(0);
    expect(before.length).toBeLessThan(expected(twoDays).length);

    const rest = await world.run(['search', '--from', twoDays.from, '--to', twoDays.to, '--strategy', 'query', '--resume', stop?.['resumeToken'] as string]);
    expect(rest.code).toBe(0);
    expect([...before, ...ids(ndjson<Row>(rest.stdout))].sort()).toEqual(expected(twoDays));
  });

  it('exits 2 for usage mistakes and 3 for missing or refused credentials, with a JSON error under --json', async () => {
    const window = ['--from', twoDays.from, '--to', twoDays.to];
    const noCredentials = Object.fromEntries(Object.entries(world.env()).filter(([key]) => !key.startsWith('GENESYSCLOUD_OAUTHCLIENT')));
    const [quiet, badTime, reversed, unknownFlag, missingFrom, wrongSecret, missing, foreignToken, garbageToken] = await Promise.all([
      world.run(['search', ...window, '--quiet']),
      world.run(['search', '--from', 'yesterday']),
      world.run(['search', '--from', twoDays.to, '--to', twoDays.from]),
      world.run(['search', ...window, '--colour']),
      world.run(['search', '--json']),
      world.run(['search', ...window, '--json'], { env: world.env({ GENESYSCLOUD_OAUTHCLIENT_SECRET: 'not-the-secret' }) }),
      world.run(['search', ...window, '--json'], { env: noCredentials }),
      world.run(['search', '--from', week.from, '--to', week.to, '--resume', tokenOf(await world.run(['search', ...window, '--max', '1', '--json'])), '--json']),
      world.run(['search', ...window, '--resume', 'not-a-token']),
    ]);

    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(ndjson(quiet.stdout).length).toBe(expected(twoDays).length);

    expect([badTime.code, reversed.code, unknownFlag.code, missingFrom.code]).toEqual([2, 2, 2, 2]);
    expect(badTime.stderr).toContain('gcm: --from "yesterday" is not a time');
    expect(badTime.stderr).toContain('hint: Use now, a span back from now');
    expect(unknownFlag.stderr).toContain("unknown option '--colour'");
    expect(JSON.parse(missingFrom.stderr)).toMatchObject({ error: { code: 'USAGE', exitCode: 2 } });

    expect(wrongSecret.code).toBe(3);
    expect(JSON.parse(wrongSecret.stderr.trim().split('\n').pop() as string)).toMatchObject({ error: { exitCode: 3 } });
    expect(wrongSecret.stderr).not.toContain('not-the-secret');
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stderr)).toMatchObject({ error: { code: 'NO_CREDENTIALS', exitCode: 3 } });

    expect(foreignToken.code).toBe(2);
    expect(JSON.parse(foreignToken.stderr.trim().split('\n').pop() as string)).toMatchObject({ error: { code: 'RESUME_TOKEN_MISMATCH', exitCode: 2 } });
    expect(garbageToken.code).toBe(2);
    for (const result of [badTime, reversed, unknownFlag, missingFrom, wrongSecret, missing, foreignToken, garbageToken]) expect(result.stdout).toBe('');
  });
});

function tokenOf(result: { stderr: string }): string {
  const event = stderrEvents(result.stderr).find((e) => typeof e['resumeToken'] === 'string');
  if (!event) throw new Error(`no resume token in: ${result.stderr}`);
  return event['resumeToken'] as string;
}
