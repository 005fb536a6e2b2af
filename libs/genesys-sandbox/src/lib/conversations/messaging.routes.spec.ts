import { createHash } from 'node:crypto';
import { ConversationChange, ManualClock, RunningSandbox } from '../../index';
import { SandboxApiClient, startTestSandbox } from '../../test/sandbox-api-client';

describe('sending and participant updates', () => {
  let sandbox: RunningSandbox;
  let clock: ManualClock;
  let api: SandboxApiClient;
  const changes: ConversationChange[] = [];

  beforeAll(async () => {
    ({ sandbox, clock, api } = await startTestSandbox());
    sandbox.world.on('conversation.changed', (change) => changes.push(change));
    await api.login();
  });
  afterAll(() => sandbox.close());

  function ongoing(messengerType?: string) {
    const truth = sandbox.truth;
    const id = truth
      .conversationIds()
      .find(
        (cid) =>
          truth.summary(cid)!.endTime === undefined &&
          (messengerType === undefined || truth.summary(cid)!.messengerType === messengerType) &&
          truth.conversation(cid)!.participants.some((p) => p.purpose === 'agent' && p.state === 'connected'),
      );
    if (!id) throw new Error('the test data has no ongoing conversation with an agent');
    const conversation = truth.conversation(id)!;
    return { conversation, agent: conversation.participants.find((p) => p.purpose === 'agent')! };
  }

  it('sends an agent message that shows up in the conversation, the truth and the change events', async () => {
    const { conversation, agent } = ongoing();
    clock.advance(1000);
    const res = await api.post(`/api/v2/conversations/messages/${conversation.id}/communications/${agent.communicationId}/messages`, {
      textBody: 'Your parcel ships today.',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      direction: 'outbound',
      status: 'sent',
      conversationId: conversation.id,
      messengerType: conversation.messengerType,
      timestamp: new Date(clock.now()).toISOString(),
      normalizedMessage: { text: 'Your parcel ships today.', direction: 'Outbound', originatingEntity: 'Human' },
      createdBy: { id: agent.userId },
    });
    const listed = await api.get(`/api/v2/conversations/messages/${conversation.id}`);
    const agentList = listed.body.participants.find((p: { id: string }) => p.id === agent.id).messages;
    expect(agentList[agentList.length - 1].messageId).toBe(res.body.id);
    expect(sandbox.truth.messages(conversation.id)!.map((m) => m.id)).toContain(res.body.id);
    expect(changes).toContainEqual(expect.objectContaining({ conversationId: conversation.id, kind: 'message', messageId: res.body.id }));
  });

  it('limits text to 2,000 characters (765 for SMS) with a 400 ErrorBody', async () => {
    const { conversation, agent } = ongoing();
    const max = conversation.messengerType === 'sms' ? 765 : 2000;
    const path = `/api/v2/conversations/messages/${conversation.id}/communications/${agent.communicationId}/messages`;
    const tooLong = await api.post(path, { textBody: 'é'.repeat(max + 1) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toMatchObject({ code: 'bad.request', status: 400, messageParams: { max: String(max) } });
    expect((await api.post(path, { textBody: 'é'.repeat(max) })).status).toBe(200);
    expect((await api.post(path, {})).status).toBe(400);
  });

  it('uploads media to the uploadUrl and sends it as an attachment with its sha256', async () => {
    const { conversation, agent } = ongoing();
    const base = `/api/v2/conversations/messages/${conversation.id}/communications/${agent.communicationId}/messages`;
    const bytes = Buffer.from('%PDF-1.7\nthe invoice\n');
    const upload = await api.post(`${base}/media/uploads`, { fileName: 'invoice.pdf', contentLengthBytes: bytes.length });
    expect(upload.status).toBe(200);
    expect(upload.body).toEqual({ id: expect.any(String), uploadUrl: expect.stringMatching(/^http:\/\//), uploadHeaders: { 'Content-Type': 'application/pdf' } });
    const notYet = await api.post(base, { textBody: 'see attached', mediaIds: [upload.body.id] });
    expect(notYet.status).toBe(400);
    const put = await fetch(upload.body.uploadUrl, { method: 'PUT', headers: upload.body.uploadHeaders, body: bytes });
    expect(put.status).toBe(200);
    const media = await api.get(`${base}/media/${upload.body.id}`);
    expect(media.body).toMatchObject({ id: upload.body.id, status: 'valid', contentLengthBytes: bytes.length, mediaType: 'application/pdf' });
    const sent = await api.post(base, { textBody: 'see attached', mediaIds: [upload.body.id] });
    expect(sent.status).toBe(200);
    const attachment = sent.body.normalizedMessage.content[0].attachment;
    expect(attachment).toMatchObject({
      id: upload.body.id,
      mediaType: 'File',
      mime: 'application/pdf',
      filename: 'invoice.pdf',
      contentSizeBytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    const download = Buffer.from(await (await fetch(attachment.url)).arrayBuffer());
    expect(download.equals(bytes)).toBe(true);
  });

  it('sends an agentless SMS, creating a conversation, and reuses it when asked to', async () => {
    const { smsNumber } = sandbox.truth.catalog;
    const first = await api.post('/api/v2/conversations/messages/agentless', {
      fromAddress: smsNumber,
      toAddress: '+15555550123',
      toAddressMessengerType: 'sms',
      textBody: 'Your code is 123456',
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      conversationId: expect.any(String),
      fromAddress: smsNumber,
      toAddress: '+15555550123',
      messengerType: 'sms',
      message: { direction: 'outbound', messengerType: 'sms', normalizedMessage: { text: 'Your code is 123456' } },
    });
    const again = await api.post('/api/v2/conversations/messages/agentless', {
      fromAddress: smsNumber,
      toAddress: '+15555550123',
      toAddressMessengerType: 'sms',
      textBody: 'Reminder',
      useExistingActiveConversation: true,
    });
    expect(again.body.conversationId).toBe(first.body.conversationId);
    expect(sandbox.truth.conversationIds()).toContain(first.body.conversationId);
    const wrongFrom = await api.post('/api/v2/conversations/messages/agentless', {
      fromAddress: '+19999999999',
      toAddress: '+15555550123',
      toAddressMessengerType: 'sms',
      textBody: 'x',
    });
    expect(wrongFrom.status).toBe(400);
    const tooLong = await api.post('/api/v2/conversations/messages/agentless', {
      fromAddress: smsNumber,
      toAddress: '+15555550123',
      toAddressMessengerType: 'sms',
      textBody: 'x'.repeat(766),
    });
    expect(tooLong.status).toBe(400);
  });

  it('receives Open Messaging inbound messages and receipts', async () => {
    const integrationId = sandbox.truth.catalog.openIntegrations[0].id;
    const inbound = await api.post(`/api/v2/conversations/messages/${integrationId}/inbound/open/message?prefetchConversationId=true`, {
      channel: { messageId: 'partner-1', from: { id: 'shopper-7', idType: 'Opaque', nickname: 'Shopper' }, time: '2025-03-01T12:00:05.000Z' },
      text: 'Is my order shipped?',
    });
    expect(inbound.status).toBe(200);
    expect(inbound.body).toMatchObject({
      type: 'Text',
      text: 'Is my order shipped?',
      channel: { id: integrationId, platform: 'Open', messageId: 'partner-1', from: { id: 'shopper-7', idType: 'Opaque' } },
      conversationId: expect.any(String),
    });
    expect(inbound.body).not.toHaveProperty('direction'); // OpenMessageNormalizedMessage has none
    const conversationId = inbound.body.conversationId;
    const second = await api.post(`/api/v2/conversations/messages/${integrationId}/inbound/open/message?prefetchConversationId=true`, {
      channel: { messageId: 'partner-2', from: { id: 'shopper-7', idType: 'Opaque' }, time: '2025-03-01T12:00:09.000Z' },
      text: 'Hello?',
    });
    expect(second.body.conversationId).toBe(conversationId);

    const reply = await api.post('/api/v2/conversations/messages/agentless', {
      fromAddress: integrationId,
      toAddress: 'shopper-7',
      toAddressMessengerType: 'open',
      textBody: 'Yes, it left this morning.',
      useExistingActiveConversation: true,
    });
    expect(reply.body.conversationId).toBe(conversationId);
    const receipt = await api.post(`/api/v2/conversations/messages/${integrationId}/inbound/open/receipt`, {
      id: reply.body.id,
      channel: { from: { id: 'shopper-7', idType: 'Opaque' }, time: '2025-03-01T12:01:00.000Z' },
      status: 'Delivered',
      isFinalReceipt: true,
    });
    expect(receipt.status).toBe(200);
    const message = await api.get(`/api/v2/conversations/messages/${conversationId}/messages/${reply.body.id}`);
    expect(message.body.status).toBe('delivery-success');
    expect(message.body.normalizedReceipts).toEqual([
      expect.objectContaining({ type: 'Receipt', status: 'Delivered', isFinalReceipt: true, channel: expect.objectContaining({ time: '2025-03-01T12:01:00.000Z' }) }),
    ]);
    const unknownIntegration = await api.post('/api/v2/conversations/messages/00000000-0000-4000-8000-000000000000/inbound/open/message', {
      channel: { from: { id: 'x', idType: 'Opaque' }, time: '2025-03-01T12:00:05.000Z' },
      text: 'hi',
    });
    expect(unknownIntegration.status).toBe(404);
    const badStatus = await api.post(`/api/v2/conversations/messages/${integrationId}/inbound/open/receipt`, { id: reply.body.id, status: 'Seen' });
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.code).toBe('invalid.value');
  });

  it('PATCHes a participant: disconnect and wrap-up, last writer wins, visible everywhere', async () => {
    const { conversation, agent } = ongoing();
    clock.advance(5000);
    const path = `/api/v2/conversations/messages/${conversation.id}/participants/${agent.id}`;
    const wrapupCode = sandbox.truth.catalog.wrapupCodes[0];
    expect((await api.request('PATCH', path, { body: { wrapup: { code: 'first', notes: 'draft' } } })).status).toBe(202);
    const res = await api.request('PATCH', path, { body: { state: 'disconnected', wrapup: { code: wrapupCode.id, notes: 'done' } } });
    expect(res.status).toBe(202);
    expect(res.text).toBe('');

    const after = await api.get(`/api/v2/conversations/messages/${conversation.id}`);
    const patched = after.body.participants.find((p: { id: string }) => p.id === agent.id);
    expect(patched).toMatchObject({ state: 'disconnected', disconnectType: 'client', wrapup: { code: wrapupCode.id, name: wrapupCode.name, notes: 'done' } });
    const customer = after.body.participants.find((p: { purpose: string }) => p.purpose === 'customer');
    expect(customer).toMatchObject({ state: 'disconnected', disconnectType: 'peer' });
    expect(sandbox.truth.summary(conversation.id)!.endTime).toBe(new Date(clock.now()).toISOString());

    const analytics = await api.get(`/api/v2/analytics/conversations/${conversation.id}/details`);
    const wrapupSegment = analytics.body.participants
      .find((p: { participantId: string }) => p.participantId === agent.id)
      .sessions[0].segments.find((s: { segmentType: string }) => s.segmentType === 'wrapup');
    expect(wrapupSegment.wrapUpCode).toBe(wrapupCode.id);

    const send = await api.post(`/api/v2/conversations/messages/${conversation.id}/communications/${agent.communicationId}/messages`, {
      textBody: 'too late',
    });
    expect(send.status).toBe(400);
    const badState = await api.request('PATCH', path, { body: { state: 'sleeping' } });
    expect(badState.status).toBe(400);
    expect(badState.body.code).toBe('invalid.value');
    expect(changes).toContainEqual(expect.objectContaining({ conversationId: conversation.id, kind: 'participant', participantId: agent.id }));
  });
});
