import { createGenesysConnection } from '@gcm/genesys-auth';
import { FakeClock } from '@gcm/genesys-auth/testing';
import { startSandbox, type FaultConfig, type RunningSandbox } from '@gcm/genesys-sandbox';
import { ConversationFilter } from './conversation-filter.builder';
import { ConversationSearch, type ConversationSearchOptions } from './conversation-search.service';
import type { ConversationSummary } from './conversation-summary';
import { DETAILS_JOBS_PATH } from './sources/search-source';

/**
 * Against the sandbox over real HTTP. One FakeClock drives both sides (the sandbox's job
 * progress, token expiry and rate windows; the client's polling and retry waits), so no
 * test ever sleeps for real.
 *
 * The 20,000-conversation runs take longer than CI should spend on one lib, so they sit
 * behind GCM_LONG_TESTS=1; the same checks run with 2,000 conversations every time.
 */
const LONG = process.env['GCM_LONG_TESTS'] === '1';
const CONVERSATIONS = LONG ? 20_000 : 2_000;
const NOW = '2026-03-01T00:00:00.000Z';
const DAY = 86_400_000;
const WINDOW = { start: Date.parse(NOW) - 30 * DAY, end: Date.parse(NOW) };

interface World {
  sandbox: RunningSandbox;
  clock: FakeClock;
  /** A ConversationSearch with its own connection, as a separate process would have. */
  client(options?: Partial<ConversationSearchOptions>): ConversationSearch;
}

async function world(faults?: FaultConfig, seed = 42): Promise<World> {
  const clock = new FakeClock(NOW);
  const sandbox = await startSandbox({ seed, conversations: CONVERSATIONS, days: 30, now: NOW, clock, faults });
  let randomState = 7;
  const random = () => {
    randomState = (randomState * 48271) % 2147483647;
    return randomState / 2147483647;
  };
  return {
    sandbox,
    clock,
    client: (options = {}) => {
      const { transport } = createGenesysConnection({
        apiBaseUrl: sandbox.apiBaseUrl,
        clientId: sandbox.clientId,
        clientSecret: sandbox.clientSecret,
        transport: { clock, sleep: clock.sleep, random },
      });
      return new ConversationSearch({ transport, clock, sleep: clock.sleep, ...options });
    },
  };
}

async function drain(iterable: AsyncIterable<ConversationSummary>): Promise<string[]> {
  const ids: string[] = [];
  for await (const summary of iterable) ids.push(summary.conversationId);
  return ids;
}

function expectExactly(ids: string[], truth: string[]): void {
  expect(ids.length).toBe(new Set(ids).size);
  expect([...ids].sort()).toEqual([...truth].sort());
}

describe(`ConversationSearch against the sandbox (${CONVERSATIONS} conversations over 30 days)`, () => {
  jest.setTimeout(LONG ? 300_000 : 60_000);

  describe('without faults', () => {
    let w: World;
    beforeAll(async () => {
      w = await world();
    });
    afterAll(() => w.sandbox.close());

    it('streams exactly the truth set through details jobs', async () => {
      const truth = w.sandbox.truth.conversationIds({ from: WINDOW.start, to: WINDOW.end });
      expect(truth).toHaveLength(CONVERSATIONS);
      const ids = await drain(w.client().search({ interval: WINDOW }));
      expectExactly(ids, truth);
    });

    it('stops after 7,000 (or a third), resumes in a new ConversationSearch: the union is the truth, without repeats', async () => {
      const truth = w.sandbox.truth.conversationIds({ from: WINDOW.start, to: WINDOW.end });
      const stopAt = LONG ? 7_000 : Math.floor(CONVERSATIONS / 3);
      const first = w.client().search({ interval: WINDOW }, { maxResults: stopAt });
      const part1 = await drain(first);
      expect(part1).toHaveLength(stopAt);
      const token = first.resumeToken();

      const second = w.client().search({ interval: WINDOW }, { resumeFrom: token });
      const part2 = await drain(second);
      expect(second.done).toBe(true);
      expectExactly([...part1, ...part2], truth);
    });

    it('a jobs search ending now, behind the jobs\' data availability, reads the rest with the details query: every conversation, once; resumable in that tail', async () => {
      // conversations of the last minutes: the jobs' data (availability lag 5 min) does not have them yet
      const now = w.clock.now();
      const fresh = Array.from({ length: 6 }, (_, i) =>
        w.sandbox.world.receiveInbound({
          kind: 'open',
          channelId: w.sandbox.truth.catalog.openIntegrations[0].id,
          from: { id: `fresh-${i}`, idType: 'Opaque', firstName: 'F', lastName: `${i}`, nickname: `fresh${i}` },
          time: now - i * 20_000,
          text: 'just now',
          attachments: [],
        }).conversation.id,
      );
      const window = { start: now - 3 * DAY, end: now + 1_000 };
      const truth = w.sandbox.truth.conversationIds({ from: window.start, to: window.end });
      for (const id of fresh) expect(truth).toContain(id);
      const queriesBefore = w.sandbox.stats.count('POST /api/v2/analytics/conversations/details/query');
      const ids = await drain(w.client().search({ interval: window }, { strategy: 'jobs' }));
      expectExactly(ids, truth);
      expect(w.sandbox.stats.count('POST /api/v2/analytics/conversations/details/query')).toBeGreaterThan(queriesBefore);

      // stopped inside the tail (the newest come last), resumed in a new instance
      const first = w.client().search({ interval: window }, { strategy: 'jobs', maxResults: truth.length - 3 });
      const part1 = await drain(first);
      const part2 = await drain(w.client().search({ interval: window }, { strategy: 'jobs', resumeFrom: first.resumeToken() }));
      expect(part2).toHaveLength(3);
      expectExactly([...part1, ...part2], truth);
    });

    it('a short window goes through the details query and matches the truth by start time', async () => {
      const start = WINDOW.start + 10 * DAY + 7 * 3_600_000;
      const end = start + 30 * 3_600_000;
      const truth = w.sandbox.truth.conversationIds({ from: start, to: end });
      expect(truth.length).toBeGreaterThan(0);
      const progress: number[] = [];
      const ids = await drain(
        w.client().search(ConversationFilter.between(start, end).build(), { onProgress: (p) => progress.push(p.estimatedTotal ?? -1) }),
      );
      expectExactly(ids, truth);
      expect(progress[0]).toBeGreaterThanOrEqual(truth.length); // day-wide totalHits: an upper bound
    });

    it('filters by messenger type and queue like the truth does', async () => {
      const truthSummaries = w.sandbox.truth
        .conversationIds({ from: WINDOW.start, to: WINDOW.end })
        .map((id) => w.sandbox.truth.summary(id)!);
      const queueId = truthSummaries[0].queueId;
      const expected = truthSummaries.filter((s) => s.messengerType === 'open' && s.queueId === queueId).map((s) => s.id);
      const criteria = ConversationFilter.between(WINDOW.start, WINDOW.end).mediaType('message').messageTypes('open').queueIds(queueId).build();
      const summaries: ConversationSummary[] = [];
      for await (const summary of w.client().search(criteria)) summaries.push(summary);
      expectExactly(
        summaries.map((s) => s.conversationId),
        expected,
      );
      expect(summaries.every((s) => s.messageTypes.includes('open') && s.queueIds.includes(queueId))).toBe(true);
    });

    it('the attribute search finds the same conversations as the details search', async () => {
      const start = WINDOW.start + 3 * DAY;
      const end = start + DAY;
      const truth = w.sandbox.truth.conversationIds({ from: start, to: end });
      const summaries: ConversationSummary[] = [];
      for await (const summary of w.client().searchAttributes({ interval: { start, end } })) summaries.push(summary);
      expectExactly(
        summaries.map((s) => s.conversationId),
        truth,
      );
      // the sandbox's customer participant and its attributes come through
      expect(summaries.every((s) => s.source === 'attributes' && s.participants?.length === 1)).toBe(true);
      expect(summaries.some((s) => Object.keys(s.participants![0].attributes).length > 0)).toBe(true);
    });

    it('an expired job is resubmitted mid-stream and the stream continues without repeats', async () => {
      const start = WINDOW.start;
      const end = start + 3 * DAY;
      const truth = w.sandbox.truth.conversationIds({ from: start, to: end });
      const search = w.client({ jobs: { resultsPageSize: 25 } });
      const submissions = () => w.sandbox.stats.count(`POST ${DETAILS_JOBS_PATH}`);
      const submittedBefore = submissions();
      const ids: string[] = [];
      let expired = false;
      for await (const summary of search.search({ interval: { start, end } }, { strategy: 'jobs' })) {
        ids.push(summary.conversationId);
        if (ids.length === 30 && !expired) {
          // the sandbox keeps results 24 h: move both clocks past that
          w.clock.set(w.clock.now() + DAY + 60_000);
          expired = true;
        }
      }
      expectExactly(ids, truth);
      expect(submissions() - submittedBefore).toBe(3 + 1); // three daily chunks, one resubmitted
    });

    it('aborting cancels the running job with DELETE', async () => {
      const controller = new AbortController();
      const stream = w.client().search({ interval: WINDOW }, { signal: controller.signal });
      const ids: string[] = [];
      const error = await (async () => {
        for await (const summary of stream) {
          ids.push(summary.conversationId);
          if (ids.length === 5) controller.abort();
        }
      })().catch((e) => e);
      expect(error).toMatchObject({ code: 'ABORTED' });
      const jobId = JSON.parse(Buffer.from(stream.resumeToken(), 'base64url').toString()).at.jobId as string;
      const status = await w.client()['transport'].get<{ state: string }>(`${DETAILS_JOBS_PATH}/${jobId}`);
      expect(status.data.state).toBe('CANCELLED');
    });
  });

  describe('with faults: the flaky profile (resets, truncated bodies, a revoked token, failed jobs) with more 429 and 5xx', () => {
    let w: World;
    // smaller pages mean more requests, so more of them meet a fault
    const options = { jobs: { resultsPageSize: 250 } };
    beforeAll(async () => {
      w = await world({ profile: 'flaky', http429: 0.08, http500: 0.04, http502: 0.03, http503: 0.03, http504: 0.03 });
    });
    afterAll(() => w.sandbox.close());

    it('streams exactly the truth set', async () => {
      const truth = w.sandbox.truth.conversationIds({ from: WINDOW.start, to: WINDOW.end });
      const ids = await drain(w.client(options).search({ interval: WINDOW }));
      expectExactly(ids, truth);
      const { faultsInjected } = w.sandbox.stats.snapshot();
      // the run really went through the weather
      expect(faultsInjected.http429).toBeGreaterThan(0);
      expect(faultsInjected.http500).toBeGreaterThan(0);
      expect(faultsInjected.http502 + faultsInjected.http503 + faultsInjected.http504).toBeGreaterThan(0);
    });

    it('stop, resume in a new instance: still exactly the truth set', async () => {
      const truth = w.sandbox.truth.conversationIds({ from: WINDOW.start, to: WINDOW.end });
      const stopAt = LONG ? 7_000 : Math.floor(CONVERSATIONS / 3);
      const first = w.client(options).search({ interval: WINDOW }, { maxResults: stopAt });
      const part1 = await drain(first);
      const part2 = await drain(w.client(options).search({ interval: WINDOW }, { resumeFrom: first.resumeToken() }));
      expectExactly([...part1, ...part2], truth);
    });
  });
});
