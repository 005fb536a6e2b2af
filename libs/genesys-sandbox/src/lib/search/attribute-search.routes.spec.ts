import { RunningSandbox } from '../../index';
import { SandboxApiClient, startTestSandbox } from '../../test/sandbox-api-client';

const SEARCH = '/api/v2/conversations/participants/attributes/search';

describe('participant attribute search', () => {
  let sandbox: RunningSandbox;
  let api: SandboxApiClient;

  beforeAll(async () => {
    ({ sandbox, api } = await startTestSandbox({ conversations: 120, attributeSearchPageSize: 10 }));
    await api.login();
  });
  afterAll(() => sandbox.close());

  const customerAttributes = (id: string) => sandbox.world.conversation(id)!.participants[0].attributes;

  it('finds conversations by an EXACT attribute value and pages with a cursor until none is left', async () => {
    const expected = sandbox.truth.conversationIds().filter((id) => customerAttributes(id).language === 'fr-fr');
    expect(expected.length).toBeGreaterThan(10);
    const found: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await api.post(SEARCH, { query: [{ type: 'EXACT', fields: ['language'], value: 'fr-fr' }], cursor });
      expect(res.status).toBe(200);
      expect(res.body.results.length).toBeLessThanOrEqual(10); // the page size (JsonCursorSearchResponse does not say it)
      for (const hit of res.body.results) {
        expect(hit).toEqual({ conversationId: expect.any(String), participantId: expect.any(String), startTime: expect.any(String), attributes: expect.objectContaining({ language: 'fr-fr' }) });
        found.push(hit.conversationId);
      }
      cursor = res.body.cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(expected.length / 10));
    expect(found).toEqual(expected);
  });

  it('combines criteria: AND, NOT, DATE_RANGE and the participant id', async () => {
    const [id] = sandbox.truth.conversationIds().slice(30, 31);
    const conversation = sandbox.truth.conversation(id)!;
    const attributes = customerAttributes(id);
    const byCustomer = await api.post(SEARCH, {
      query: [
        { type: 'EXACT', fields: ['customerId'], value: attributes.customerId },
        { type: 'DATE_RANGE', fields: ['startTime'], startValue: conversation.startTime, endValue: conversation.startTime },
      ],
    });
    expect(byCustomer.body.results.map((r: { conversationId: string }) => r.conversationId)).toEqual([id]);
    expect(byCustomer.body).not.toHaveProperty('cursor');

    const byParticipant = await api.post(SEARCH, {
      query: [{ type: 'EXACT', fields: ['participantId'], value: conversation.participants[0].id }],
      returnFields: ['conversationId'],
    });
    expect(byParticipant.body.results).toEqual([{ conversationId: id }]);

    const notFrench = await api.post(SEARCH, {
      query: [
        { type: 'EXACT', fields: ['journey'], value: attributes.journey },
        { type: 'EXACT', fields: ['language'], value: 'fr-fr', operator: 'NOT' },
      ],
    });
    expect(notFrench.body.results.every((r: { attributes: Record<string, string> }) => r.attributes.language !== 'fr-fr' && r.attributes.journey === attributes.journey)).toBe(true);
  });

  it('rejects an empty query and a foreign cursor', async () => {
    expect((await api.post(SEARCH, { query: [] })).status).toBe(400);
    const res = await api.post(SEARCH, { query: [{ type: 'EXACT', fields: ['language'], value: 'de-de' }], cursor: 'bm90LWEtY3Vyc29y' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('bad.request');
  });
});
