import { ManualClock, startSandbox, type RunningSandbox } from '@gcm/genesys-sandbox';
import { sandboxConversationIds, SANDBOX_NOW, startApiHarness, type ApiHarness } from './api-harness';

/**
 * A client that hangs up while the API waits on Genesys: the work is cancelled, and the
 * request is logged once — the access line, status 499, at info — not as an error with a
 * 5xx it never answered. The sandbox runs on a manual clock, so its latency holds the
 * Genesys call exactly until the test lets it go.
 */
describe('a request the client aborted (e2e)', () => {
  let sandbox: RunningSandbox;
  let clock: ManualClock;
  let api: ApiHarness;

  beforeAll(async () => {
    clock = new ManualClock(SANDBOX_NOW);
    sandbox = await startSandbox({ seed: 7, conversations: 20, days: 14, now: SANDBOX_NOW, clock, jobDelayMs: 0, agentReplyMs: false });
    api = await startApiHarness({ reuseSandbox: sandbox });
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await sandbox?.close();
  });

  async function until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  it('is logged once, as 499 at info, and never as a 503 error', async () => {
    const conversationId = sandboxConversationIds(sandbox)[0];
    // a first read gets the API its token, so the held call below is the timeline's own
    expect((await api.request('GET', `/v1/conversations/${conversationId}/timeline`, { key: api.keys.reader })).status).toBe(200);

    sandbox.setFaults({ latencyMs: 60_000 });
    const heldBefore = sandbox.stats.snapshot().faultsInjected.latency;
    const requestId = 'hang-up-0001';
    const client = new AbortController();
    const answer = fetch(`${api.baseUrl}/v1/conversations/${conversationId}/timeline`, {
      headers: { authorization: `Bearer ${api.keys.reader}`, 'x-request-id': requestId },
      signal: client.signal,
    }).catch((error: Error) => error);
    await until(() => sandbox.stats.snapshot().faultsInjected.latency > heldBefore, 'the Genesys call to be held by the sandbox');
    client.abort();
    expect(await answer).toMatchObject({ name: 'AbortError' });

    const lines = () => api.logs.filter((line) => line['requestId'] === requestId);
    await until(() => lines().some((line) => line['msg'] === 'request'), 'the access log line');
    // the held Genesys call ends; the API's side of it was cancelled when the client left
    sandbox.setFaults({});
    clock.advance(60_000);
    for (let i = 0; i < 200; i++) await new Promise<void>((resolve) => setImmediate(resolve));

    expect(lines()).toEqual([expect.objectContaining({ level: 'info', msg: 'request', status: 499, route: '/v1/conversations/:id/timeline' })]);
    expect(api.logs.filter((line) => line['level'] === 'error')).toEqual([]);
  }, 60_000);
});
