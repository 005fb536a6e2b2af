import { signOpenMessagingBody } from '@gcm/messaging-client';
import type { TruthConversation } from '@gcm/genesys-sandbox';
import { ArchivesService } from '../app/archives/archives.service';
import { startApiHarness, sandboxConversationIds, WEBHOOK_SECRET, type ApiHarness } from './api-harness';

describe('archives, the Open Messaging webhook and the audit trail (e2e, sandbox + SQLite)', () => {
  let api: ApiHarness;
  let ids: string[];

  beforeAll(async () => {
    api = await startApiHarness({ sandbox: { conversations: 40 } });
    ids = sandboxConversationIds(api.sandbox);
  });
  afterAll(async () => {
    await api?.close();
  });

  const finished = async (runId: string) => {
    await api.app.get(ArchivesService).idle();
    const run = await api.request('GET', `/v1/archives/${runId}`, { key: api.keys.reader });
    expect(run.status).toBe(200);
    return run.json;
  };

  describe('archives', () => {
    it('archives named conversations: a run id at once, the outcome when done, nothing written twice', async () => {
      const chosen = ids.slice(0, 3);
      const started = await api.request('POST', '/v1/archives', { key: api.keys.admin, body: { conversationIds: chosen } });
      expect(started.status).toBe(202);
      expect(started.json).toMatchObject({ runId: expect.stringMatching(/^[0-9a-f-]{36}$/), kind: 'conversations', status: 'running', found: 3 });
      const run = await finished(started.json.runId);
      expect(run).toMatchObject({ status: 'succeeded', archived: 3, unchanged: 0, failed: 0 });
      expect(run.conversations.map((c: { conversationId: string }) => c.conversationId)).toEqual(chosen);

      const again = await api.request('POST', '/v1/archives', { key: api.keys.admin, body: { conversationIds: chosen } });
      expect(await finished(again.json.runId)).toMatchObject({ status: 'succeeded', archived: 0, unchanged: 3 });

      const stored = await api.request('GET', `/v1/archives/conversations/${chosen[0]}`, { key: api.keys.reader });
      expect(stored.status).toBe(200);
      expect(stored.json.versions).toEqual([{ version: 1, contentHash: expect.stringMatching(/^[0-9a-f]{64}$/), location: expect.stringContaining(chosen[0]), archivedAt: expect.any(String) }]);
      expect(stored.json.document).toMatchObject({ schemaVersion: 1, recordType: 'gcm.conversation-archive', conversation: { id: chosen[0] } });
      expect(stored.json.document.contentHash).toBe(run.conversations[0].contentHash);
      const messages = api.sandbox.truth.messages(chosen[0]) ?? [];
      expect(stored.json.document.messages.map((m: { id: string }) => m.id)).toEqual(messages.map((m) => m['id']));
    });

    it('reports a conversation that cannot be archived without failing the others', async () => {
      const started = await api.request('POST', '/v1/archives', { key: api.keys.admin, body: { conversationIds: [ids[5], '00000000-0000-4000-8000-000000000000'] } });
      const run = await finished(started.json.runId);
      expect(run).toMatchObject({ status: 'partial', archived: 1, failed: 1 });
      expect(run.conversations[1]).toMatchObject({ outcome: 'failed', error: expect.stringContaining('NOT_FOUND') });
    });

    it('backfills a window through the archive job: every conversation of the window archived', async () => {
      const start = Date.parse('2026-02-24T00:00:00Z');
      const end = Date.parse('2026-02-26T00:00:00Z');
      const inWindow = api.sandbox.truth.conversationIds({ from: start, to: end });
      const started = await api.request('POST', '/v1/archives', { key: api.keys.admin, body: { window: '2026-02-24T00:00:00Z/2026-02-26T00:00:00Z' } });
      expect(started.status).toBe(202);
      expect(started.json).toMatchObject({ kind: 'window', status: 'running', window: '2026-02-24T00:00:00.000Z/2026-02-26T00:00:00.000Z' });
      const run = await finished(started.json.runId);
      expect(run.status).toBe('succeeded');
      expect(run.found).toBeGreaterThanOrEqual(inWindow.length);
      expect(run.archived + run.unchanged).toBe(run.found);
      for (const id of inWindow) expect((await api.request('GET', `/v1/archives/conversations/${id}`, { key: api.keys.reader })).status).toBe(200);
      // the job's own audit record carries the run id the API returned
      const audit = await api.request('GET', `/v1/audit?action=archive.run.backfill&target=${started.json.runId}`, { key: api.keys.admin });
      expect(audit.json.items).toHaveLength(1);
    });

    it('runs one archive run at a time per instance (409), and refuses malformed requests naming the fields', async () => {
      const first = await api.request('POST', '/v1/archives', { key: api.keys.admin, body: { window: '2026-02-01T00:00:00Z/2026-03-01T00:00:00Z' } });
      const second = await api.request('POST', '/v1/archives', { key: api.keys.admin, body: { conversationIds: [ids[0]] } });
      expect(second.status).toBe(409);
      expect(second.json).toMatchObject({ type: 'urn:gcm:problem:archive-run-in-progress', runId: first.json.runId });
      await finished(first.json.runId);

      const cases: Array<[unknown, string[]]> = [
        [{}, ['conversationIds', 'window']],
        [{ conversationIds: null }, ['conversationIds', 'window']],
        [{ window: '2026-02-01T00:00:00Z/2026-02-02T00:00:00Z', conversationIds: [ids[0]] }, ['conversationIds', 'window']],
        [{ window: 'last week' }, ['window']],
        [{ window: '2026-02-02T00:00:00Z/2026-02-01T00:00:00Z' }, ['window']],
        [{ window: '2099-01-01T00:00:00Z/2099-01-02T00:00:00Z' }, ['window']],
        [{ window: '2026-01-01T00:00:00Z/2026-03-01T00:00:00Z' }, ['window']],
        [{ conversationIds: ['x', ids[0], ids[0]] }, ['conversationIds']],
        [{ conversationIds: [] }, ['conversationIds']],
      ];
      for (const [body, fields] of cases) {
        const response = await api.request('POST', '/v1/archives', { key: api.keys.admin, body });
        expect({ body, status: response.status }).toEqual({ body, status: 400 });
        expect([...response.json.fields].sort()).toEqual(fields);
      }
    }, 30_000); // archives a month of the sandbox's conversations before the field checks

    it('answers 404 for unknown runs and unarchived conversations', async () => {
      expect((await api.request('GET', '/v1/archives/3f6c2a9e-8d1b-4e7a-9c55-0b2d4e6f8a1c', { key: api.keys.reader })).json.type).toBe('urn:gcm:problem:archive-run-not-found');
      const missing = await api.request('GET', `/v1/archives/conversations/${ids[ids.length - 1]}?version=7`, { key: api.keys.reader });
      expect(missing.status).toBe(404);
      expect(missing.json.type).toBe('urn:gcm:problem:archive-not-found');
    });
  });

  describe('POST /v1/webhooks/open-messaging', () => {
    const message = (id: string) => ({
      id,
      channel: { id: 'integration-1', platform: 'Open', type: 'Private', to: { id: 'cust', idType: 'Opaque' }, from: { nickname: 'Agent' }, time: '2026-03-01T11:00:00.000Z', messageId: `p-${id}` },
      type: 'Text',
      text: 'Private reply text',
      originatingEntity: 'Human',
      direction: 'Outbound',
      conversationId: '6184e641-fea5-48a5-acb1-b17f9baf9c2c',
      somethingGenesysAddsLater: { ok: true },
    });
    const post = (body: unknown, signature?: string) => {
      const raw = JSON.stringify(body);
      return api.request('POST', '/v1/webhooks/open-messaging', { rawBody: raw, headers: signature === undefined ? {} : { 'x-hub-signature-256': signature } });
    };

    it('refuses unsigned and wrongly signed deliveries (401) before reading them', async () => {
      const body = message('m-unsigned');
      expect((await post(body)).status).toBe(401);
      expect((await post(body, signOpenMessagingBody(JSON.stringify(body), 'another-secret-entirely'))).json.type).toBe('urn:gcm:problem:webhook-signature');
      const hex = `sha256=${require('node:crypto').createHmac('sha256', WEBHOOK_SECRET).update(JSON.stringify(body)).digest('hex')}`;
      expect((await post(body, hex)).status).toBe(401);
      // a signed invalid body gets its 400, an unsigned one only the 401
      expect((await post({ type: 5 })).status).toBe(401);
      const invalid = await post({ type: 5 }, signOpenMessagingBody(JSON.stringify({ type: 5 }), WEBHOOK_SECRET));
      expect(invalid.status).toBe(400);
      expect([...invalid.json.fields].sort()).toEqual(['id', 'type']);
    });

    it('records each outbound message once, tolerating fields it does not know, without its text', async () => {
      const body = message('m-1');
      const signature = signOpenMessagingBody(JSON.stringify(body), WEBHOOK_SECRET);
      expect((await post(body, signature)).json).toEqual({ recorded: true, messageId: 'm-1' });
      expect((await post(body, signature)).json).toEqual({ recorded: false, messageId: 'm-1', skipped: 'duplicate' });
      const inbound = { ...message('m-2'), direction: 'Inbound' };
      expect((await post(inbound, signOpenMessagingBody(JSON.stringify(inbound), WEBHOOK_SECRET))).json).toEqual({ recorded: false, messageId: 'm-2', skipped: 'not-outbound' });
      const audit = await api.request('GET', '/v1/audit?action=open-messaging.outbound.recorded', { key: api.keys.admin });
      expect(audit.json.items).toContainEqual(
        expect.objectContaining({
          actor: 'open-messaging-webhook',
          target: body.conversationId,
          details: expect.objectContaining({ messageId: 'm-1', integrationId: 'integration-1', originatingEntity: 'Human', hasText: true, status: 200 }),
        }),
      );
      expect(audit.text).not.toContain('Private reply text');
    });

    it('records what the sandbox really sends when an agentless Open Messaging message goes out', async () => {
      const integrationId = api.sandbox.world.catalog.openIntegrations[0].id;
      api.sandbox.openMessaging.setIntegration({ id: integrationId, outboundNotificationWebhookUrl: `${api.baseUrl}/v1/webhooks/open-messaging`, secret: WEBHOOK_SECRET });
      const open = ids.map((id) => api.sandbox.truth.conversation(id) as TruthConversation).find((t) => t.messengerType === 'open' && t.channelId === integrationId) as TruthConversation;
      const sent = await api.request('POST', `/v1/conversations/${open.id}/messages`, { key: api.keys.writer, body: { text: 'Sent from the API', via: 'agentless' } });
      expect(sent.status).toBe(201);
      await api.sandbox.openMessaging.whenIdle();
      const delivery = api.sandbox.openMessaging.deliveries().find((d) => d.messageId === sent.json.messageId);
      expect(delivery).toMatchObject({ state: 'delivered', attempts: [expect.objectContaining({ status: 200 })] });
      const audit = await api.request('GET', `/v1/audit?action=open-messaging.outbound.recorded&target=${sent.json.conversationId}`, { key: api.keys.admin });
      expect(audit.json.items).toEqual([expect.objectContaining({ details: expect.objectContaining({ messageId: sent.json.messageId, integrationId }) })]);
    });
  });

  describe('GET /v1/audit and /v1/audit/verify', () => {
    it('pages through the trail with a cursor, oldest first, filtered', async () => {
      const all: Array<{ seq: number }> = [];
      let cursor: number | undefined;
      do {
        const page = await api.request('GET', `/v1/audit?limit=7${cursor === undefined ? '' : `&after=${cursor}`}`, { key: api.keys.admin });
        expect(page.status).toBe(200);
        expect(page.json.items.length).toBeLessThanOrEqual(7);
        all.push(...page.json.items);
        cursor = page.json.nextCursor;
      } while (cursor !== undefined);
      expect(all.map((r) => r.seq)).toEqual(all.map((_r, i) => i + 1));
      const failures = await api.request('GET', '/v1/audit?outcome=failure&actionPrefix=archive.&limit=500', { key: api.keys.admin });
      expect(failures.json.items.length).toBeGreaterThan(0);
      expect(failures.json.items.every((r: { outcome: string; action: string }) => r.outcome === 'failure' && r.action.startsWith('archive.'))).toBe(true);
      const future = await api.request('GET', '/v1/audit?from=2099-01-01T00:00:00Z', { key: api.keys.admin });
      expect(future.json).toEqual({ items: [] });
      const bad = await api.request('GET', '/v1/audit?limit=9999&outcome=maybe&after=-1', { key: api.keys.admin });
      expect([...bad.json.fields].sort()).toEqual(['after', 'limit', 'outcome']);
    });

    it('verifies the hash chain, and finds a record edited on disk', async () => {
      const ok = await api.request('GET', '/v1/audit/verify', { key: api.keys.admin });
      expect(ok.json).toMatchObject({ ok: true, issues: [], records: expect.any(Number) });
      expect(ok.json.records).toBeGreaterThan(10);

      const { readdirSync, readFileSync, writeFileSync } = await import('node:fs');
      const { join } = await import('node:path');
      const directory = api.config.audit.dir;
      const file = join(directory, readdirSync(directory).filter((name) => name.endsWith('.jsonl'))[0]);
      const lines = readFileSync(file, 'utf8').split('\n');
      lines[2] = lines[2].replace('"outcome":"', '"outcome":"x');
      writeFileSync(file, lines.join('\n'));
      const broken = await api.request('GET', '/v1/audit/verify', { key: api.keys.admin });
      expect(broken.json.ok).toBe(false);
      expect(broken.json.issues[0]).toMatchObject({ kind: 'hash-mismatch', line: 3, seq: 3 });
    });
  });
});
