import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { RunningSandbox } from '@gcm/genesys-sandbox';
import { ContractChecker, checkRecordingDir, formatReport } from './sandbox-contract/contract-check';
import { loadSdkContract } from './sandbox-contract/sdk-models';

/**
 * The contract check in `npm test`: a short sandbox scenario (REST, a notification channel, a
 * guest session) recorded and checked against the official SDK's models, so an invented or
 * flattened field fails here, not only in CI's check over the whole suite's recording.
 */
const NOW = '2026-03-01T09:00:00.000Z';
const sdk = loadSdkContract();

describe('the sandbox against the SDK models (purecloud-platform-client-v2)', () => {
  jest.setTimeout(30_000);
  let dir: string;
  let sandbox: RunningSandbox;
  let token: string;
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gcm-contract-'));
    // loaded lazily, as the benchmarks do: the tools project imports the sandbox only where it runs one
    const { ManualClock, startSandbox } = await import('@gcm/genesys-sandbox');
    sandbox = await startSandbox({ seed: 11, conversations: 40, days: 3, now: NOW, clock: new ManualClock(NOW), jobDelayMs: 0, agentReplyMs: false, recordDir: dir });
    const login = await fetch(`${sandbox.apiBaseUrl}/oauth/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${sandbox.clientId}:${sandbox.clientSecret}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    token = ((await login.json()) as { access_token: string }).access_token;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.terminate();
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function api<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${sandbox.apiBaseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  function open(url: string): Promise<{ socket: WebSocket; frames: Array<Record<string, unknown>> }> {
    const socket = new WebSocket(url);
    sockets.push(socket);
    const frames: Array<Record<string, unknown>> = [];
    socket.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>));
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve({ socket, frames }));
      socket.once('error', reject);
    });
  }

  async function until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('records REST bodies, notification frames and guest frames that match the models', async () => {
    const catalog = sandbox.truth.catalog;
    await api('GET', '/api/v2/tokens/me');
    const interval = '2026-02-27T00:00:00.000Z/2026-03-01T10:00:00.000Z';
    await api('POST', '/api/v2/analytics/conversations/details/query', { interval, paging: { pageSize: 25, pageNumber: 1 } });
    const { jobId } = await api<{ jobId: string }>('POST', '/api/v2/analytics/conversations/details/jobs', { interval });
    await api('GET', `/api/v2/analytics/conversations/details/jobs/${jobId}`);
    await api('GET', `/api/v2/analytics/conversations/details/jobs/${jobId}/results?pageSize=10`);
    await api('GET', '/api/v2/analytics/conversations/details/jobs/availability');
    const conversationId = sandbox.truth.conversationIds()[0];
    const conversation = await api<{ participants: Array<{ messages?: Array<{ messageId: string }> }> }>('GET', `/api/v2/conversations/messages/${conversationId}`);
    const ids = conversation.participants.flatMap((p) => (p.messages ?? []).map((m) => m.messageId));
    await api('POST', `/api/v2/conversations/messages/${conversationId}/messages/bulk`, ids.slice(0, 20));
    await api('GET', `/api/v2/conversations/messages/not-a-conversation`); // an ErrorBody

    // a notification channel on every queue, both topic families
    const channel = await api<{ id: string; connectUri: string }>('POST', '/api/v2/notifications/channels');
    const topics = catalog.queues.flatMap((q) => [{ id: `v2.routing.queues.${q.id}.conversations.messages` }, { id: `v2.routing.queues.${q.id}.conversations` }]);
    await api('PUT', `/api/v2/notifications/channels/${channel.id}/subscriptions`, topics);
    const notifications = await open(channel.connectUri);

    // a guest: session, a message with custom attributes, the history
    const guest = await open(`${sandbox.webMessagingUrl}?deploymentId=${sandbox.deploymentId}`);
    const guestToken = 'contract-guest-token';
    guest.socket.send(JSON.stringify({ action: 'configureSession', token: guestToken, deploymentId: sandbox.deploymentId }));
    await until(() => guest.frames.some((f) => f['class'] === 'SessionResponse'), 'the session');
    guest.socket.send(
      JSON.stringify({ action: 'onMessage', token: guestToken, message: { type: 'Text', text: 'hello', channel: { metadata: { customAttributes: { plan: 'gold' } } } } }),
    );
    await until(() => guest.frames.some((f) => f['class'] === 'StructuredMessage'), 'the echo');
    guest.socket.send(JSON.stringify({ action: 'getJwt', token: guestToken }));
    await until(() => guest.frames.some((f) => f['class'] === 'JwtResponse'), 'the guest JWT');
    const jwt = (guest.frames.find((f) => f['class'] === 'JwtResponse')!['body'] as { jwt: string }).jwt;
    await fetch(`${sandbox.apiBaseUrl}/api/v2/webmessaging/messages?pageSize=25&pageNumber=1`, { headers: { Authorization: `bearer ${jwt}` } });
    await until(() => notifications.frames.filter((f) => String(f['topicName']).startsWith('v2.routing.queues.')).length >= 2, 'the queue topic frames');

    await sandbox.close(); // flushes the recording
    const checker = new ContractChecker(sdk);
    expect(checkRecordingDir(dir, checker)).toBe(1);
    const report = checker.result();
    expect({ violations: report.violations, summary: report.violations.length > 0 ? formatReport(report) : '' }).toEqual({ violations: [], summary: '' });
    expect([...report.covered.keys()]).toEqual(
      expect.arrayContaining([
        'GET /api/v2/tokens/me',
        'POST /api/v2/analytics/conversations/details/query',
        'GET /api/v2/analytics/conversations/details/jobs/:jobId/results',
        'GET /api/v2/conversations/messages/:conversationId',
        'POST /api/v2/conversations/messages/:conversationId/messages/bulk',
        'GET /api/v2/conversations/messages/:conversationId (error)',
        'GET /api/v2/webmessaging/messages',
        'notification v2.routing.queues.{id}.conversations.messages',
        'notification v2.routing.queues.{id}.conversations',
      ]),
    );
    expect([...report.noModel]).toEqual(expect.arrayContaining(['guest response:SessionResponse', 'guest message:StructuredMessage']));
    expect(report.fieldsChecked).toBeGreaterThan(500);
  });

  it('fails a flattened or invented field, a wrong type and a missing required field', () => {
    const checker = new ContractChecker(sdk);
    // the .messages topics' participants as the sandbox rendered them before: flat queueId/userId
    checker.check({
      kind: 'notification',
      topic: 'v2.routing.queues.q1.conversations.messages',
      body: { topicName: 'v2.routing.queues.q1.conversations.messages', eventBody: { id: 'c1', participants: [{ id: 'p1', queueId: 'q1', held: 'no', messages: [{ message: { id: 'm1', selfUri: '/x' } }] }] } },
    });
    checker.check({ kind: 'rest', route: 'POST /api/v2/conversations/messages/:conversationId/messages/bulk', status: 200, body: { entities: [{ id: 'm1', status: 'sent' }] } });
    const problems = checker.result().violations.map((v) => `${v.path} ${v.problem}`);
    expect(problems).toEqual([
      'eventBody.participants[0].queueId is not a field of QueueConversationMessageEventTopicMessageMediaParticipant',
      'eventBody.participants[0].held is a string, the model says boolean',
      'eventBody.participants[0].messages[0].message.selfUri is not a field of QueueConversationMessageEventTopicUriReference',
      'entities[0].timestamp is missing; MessageData.timestamp is required',
    ]);
  });
});
