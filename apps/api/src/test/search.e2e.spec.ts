import { request as httpRequest, type IncomingMessage } from 'node:http';
import { startApiHarness, SANDBOX_NOW, type ApiHarness } from './api-harness';

const DAY = 86_400_000;
const END = Date.parse(SANDBOX_NOW);
const START = END - 30 * DAY;
const WINDOW = `from=${new Date(START).toISOString()}&to=${new Date(END).toISOString()}`;

interface Line {
  type: 'conversation' | 'checkpoint' | 'end' | 'error';
  conversation?: { conversationId: string; conversationStart: string };
  results?: number;
  complete?: boolean;
  resumeToken?: string;
  problem?: Record<string, unknown>;
}

function parseLines(text: string): Line[] {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Line);
}

describe('GET /v1/conversations/search (e2e, NDJSON)', () => {
  let api: ApiHarness;
  let truth: string[];

  beforeAll(async () => {
    api = await startApiHarness({ sandbox: { conversations: 12_000, days: 30, messagesPerConversation: { min: 1, max: 3 } } });
    truth = api.sandbox.truth.conversationIds({ from: START, to: END });
  }, 60_000);
  afterAll(async () => {
    await api?.close();
  });

  it('streams 10,000 results as NDJSON, with checkpoints, then resumes exactly where it stopped', async () => {
    expect(truth.length).toBeGreaterThan(10_000);
    const first = await api.request('GET', `/v1/conversations/search?${WINDOW}&strategy=jobs&limit=10000&checkpointEvery=2500`, { key: api.keys.reader });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const lines = parseLines(first.text);
    const results = lines.filter((l) => l.type === 'conversation').map((l) => l.conversation?.conversationId as string);
    expect(results).toHaveLength(10_000);
    expect(new Set(results).size).toBe(10_000);
    expect(lines.filter((l) => l.type === 'checkpoint').map((l) => l.results)).toEqual([2_500, 5_000, 7_500, 10_000]);
    const end = lines.at(-1) as Line;
    expect(end).toMatchObject({ type: 'end', results: 10_000, complete: false, resumeToken: expect.any(String) });

    const rest = await api.request('GET', `/v1/conversations/search?${WINDOW}&strategy=jobs&resumeToken=${encodeURIComponent(end.resumeToken as string)}`, { key: api.keys.reader });
    const restLines = parseLines(rest.text);
    const more = restLines.filter((l) => l.type === 'conversation').map((l) => l.conversation?.conversationId as string);
    expect(restLines.at(-1)).toMatchObject({ type: 'end', results: truth.length - 10_000, complete: true });
    // together: every conversation of the window exactly once
    expect([...results, ...more].sort()).toEqual([...truth].sort());
  }, 60_000);

  it('resumes from a checkpoint line after the reader went away', async () => {
    const week = `from=${new Date(END - 7 * DAY).toISOString()}&to=${new Date(END).toISOString()}`;
    const expected = api.sandbox.truth.conversationIds({ from: END - 7 * DAY, to: END });
    const partial = await readUntil(api, `/v1/conversations/search?${week}&strategy=query&checkpointEvery=300`, (line) => line.type === 'checkpoint' && line.results === 600);
    const seen = partial.filter((l) => l.type === 'conversation').slice(0, 600).map((l) => l.conversation?.conversationId);
    const checkpoint = partial.find((l) => l.type === 'checkpoint' && l.results === 600) as Line;
    const resumed = await api.request('GET', `/v1/conversations/search?${week}&strategy=query&checkpointEvery=0&resumeToken=${encodeURIComponent(checkpoint.resumeToken as string)}`, {
      key: api.keys.reader,
    });
    const rest = parseLines(resumed.text).filter((l) => l.type === 'conversation').map((l) => l.conversation?.conversationId);
    expect(seen.length + rest.length).toBe(expected.length);
    expect([...seen, ...rest].sort()).toEqual([...expected].sort());
  }, 60_000);

  it('applies the filters, and matches the sandbox truth', async () => {
    const queueId = api.sandbox.world.catalog.queues[0].id;
    const from = new Date(END - 2 * DAY).toISOString();
    const to = new Date(END).toISOString();
    const response = await api.request('GET', `/v1/conversations/search?from=${from}&to=${to}&queueIds=${queueId}&messageTypes=webmessaging,sms`, { key: api.keys.reader });
    const ids = parseLines(response.text)
      .filter((l) => l.type === 'conversation')
      .map((l) => l.conversation?.conversationId as string);
    const expected = api.sandbox.truth
      .conversationIds({ from: END - 2 * DAY, to: END })
      .filter((id) => {
        const summary = api.sandbox.truth.summary(id);
        return summary?.queueId === queueId && (summary.messengerType === 'webmessaging' || summary.messengerType === 'sms');
      });
    expect(ids.sort()).toEqual(expected.sort());
    expect(expected.length).toBeGreaterThan(0);
  });

  it('refuses bad criteria and foreign resume tokens with 400 naming the field, before any stream starts', async () => {
    const cases: Array<[string, string[]]> = [
      ['from=yesterday&to=2026-03-01T00:00:00Z', ['from']],
      ['to=2026-03-01T00:00:00Z', ['from']],
      ['from=2026-03-01T00:00:00&to=2026-03-02T00:00:00Z', ['from']],
      ['from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z', ['interval.end']],
      [`${WINDOW}&mediaType=fax&limit=0&direction=sideways`, ['direction', 'limit', 'mediaType']],
      [`${WINDOW}&queueIds=not-a-uuid`, ['queueIds']],
      [`${WINDOW}&resumeToken=forged`, ['resumeToken']],
      [`${WINDOW}&match=activity&strategy=query`, ['match']],
      ['from=2025-01-01T00:00:00Z&to=2026-03-01T00:00:00Z', ['to']],
    ];
    for (const [query, fields] of cases) {
      const response = await api.request('GET', `/v1/conversations/search?${query}`, { key: api.keys.reader });
      expect({ query, status: response.status }).toEqual({ query, status: 400 });
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect([...response.json.fields].sort()).toEqual(fields);
    }
    const other = await api.request('GET', `/v1/conversations/search?${WINDOW}&strategy=query&limit=1`, { key: api.keys.reader });
    const token = parseLines(other.text).at(-1)?.resumeToken as string;
    const mismatch = await api.request('GET', `/v1/conversations/search?${WINDOW}&strategy=query&mediaType=message&resumeToken=${encodeURIComponent(token)}`, { key: api.keys.reader });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json.errors[0]).toMatchObject({ field: 'resumeToken', code: 'RESUME_TOKEN_MISMATCH' });
  });

  it('stops searching when the reader disconnects', async () => {
    const jobsBefore = api.sandbox.stats.snapshot().requests.total;

    await readUntil(api, `/v1/conversations/search?${WINDOW}&strategy=jobs&checkpointEvery=0`, (_line, count) => count >= 500);
    const settle = async () => {
      let last = -1;
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const now = api.sandbox.stats.snapshot().requests.total;
        if (now === last) return now;
        last = now;
      }
    };
    const afterAbort = await settle();
    // a full read of the window takes one job per day and dozens of result pages; the aborted one stopped early
    expect(afterAbort - jobsBefore).toBeLessThan(30);
  });
});

/** Reads NDJSON lines until `stop` says so, then destroys the connection (a client going away). */
function readUntil(api: ApiHarness, path: string, stop: (line: Line, conversations: number) => boolean): Promise<Line[]> {
  return new Promise((resolve, reject) => {
    const lines: Line[] = [];
    let buffer = '';
    let conversations = 0;
    const req = httpRequest(`${api.baseUrl}${path}`, { headers: { authorization: `Bearer ${api.keys.reader}` } }, (response: IncomingMessage) => {
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = JSON.parse(buffer.slice(0, newline)) as Line;
          buffer = buffer.slice(newline + 1);
          lines.push(line);
          if (line.type === 'conversation') conversations++;
          if (stop(line, conversations)) {
            req.destroy();
            resolve(lines);
            return;
          }
        }
      });
      response.on('end', () => resolve(lines));
    });
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    req.end();
  });
}
