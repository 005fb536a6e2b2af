import { createGenesysConnection, type GenesysTransport } from '@gcm/genesys-auth';
import { FakeClock } from '@gcm/genesys-auth/testing';
import { startSandbox, type RunningSandbox } from '@gcm/genesys-sandbox';
import { InMemoryDeliveryMetrics } from '../metrics/delivery-metrics';
import { conversationMessageIds, messageAttachments, messageText } from '../models/message-normalizer';
import { MessageValidationError } from '../validation/message-validation.error';
import { MessagingClient } from './messaging-client.service';

const BULK_ROUTE = 'POST /api/v2/conversations/messages/:conversationId/messages/bulk';
const NOW = '2026-03-01T12:00:00.000Z';

function connect(sandbox: RunningSandbox, clock: FakeClock): { client: MessagingClient; transport: GenesysTransport; metrics: InMemoryDeliveryMetrics } {
  const { transport } = createGenesysConnection({
    apiBaseUrl: sandbox.apiBaseUrl,
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    transport: { clock, sleep: clock.sleep },
  });
  const metrics = new InMemoryDeliveryMetrics();
  return { client: new MessagingClient({ transport, metrics, clock }), transport, metrics };
}

describe('MessagingClient against the sandbox', () => {
  describe('a conversation with 2,500 messages', () => {
    let sandbox: RunningSandbox;
    let clock: FakeClock;

    beforeAll(async () => {
      clock = new FakeClock(NOW);
      // seed 1, conversation 0: none of the planted anomalies (duplicates, repeats)
      sandbox = await startSandbox({ seed: 1, conversations: 1, now: NOW, clock, messagesPerConversation: { min: 2500, max: 2500 } });
    });

    afterAll(() => sandbox.close());

    it('getMessagesBulk makes exactly 3 bulk requests and returns the 2,500 messages in order', async () => {
      const { client } = connect(sandbox, clock);
      const [conversationId] = sandbox.truth.conversationIds();
      const conversation = await client.getMessageConversation(conversationId);
      const ids = conversationMessageIds(conversation);
      expect(ids).toHaveLength(2500);

      sandbox.stats.reset();
      const { messages, missingIds } = await client.getMessagesBulk(conversationId, ids);

      expect(sandbox.stats.count(BULK_ROUTE)).toBe(3);
      expect(sandbox.stats.count(BULK_ROUTE, 200)).toBe(3);
      expect(sandbox.stats.snapshot().requests.total).toBe(3);
      expect(missingIds).toEqual([]);
      expect(messages).toHaveLength(2500);
      expect(messages.map((m) => m.id)).toEqual(ids);
      const times = messages.map((m) => Date.parse(m.timestamp));
      expect(times.every((t, i) => i === 0 || t >= times[i - 1])).toBe(true);
      const truth = sandbox.truth.messages(conversationId) as Array<{ id: string }>;
      expect(new Set(messages.map((m) => m.id))).toEqual(new Set(truth.map((m) => m.id)));
      expect(messages.every((m) => typeof messageText(m) === 'string' || messageAttachments(m).length > 0)).toBe(true);
    });

    it('reports ids the sandbox does not know as missing, keeping the order of the rest', async () => {
      const { client } = connect(sandbox, clock);
      const [conversationId] = sandbox.truth.conversationIds();
      const ids = conversationMessageIds(await client.getMessageConversation(conversationId)).slice(0, 3);
      const result = await client.getMessagesBulk(conversationId, [ids[0], 'f'.repeat(32), ids[1], ids[2]]);
      expect(result.messages.map((m) => m.id)).toEqual(ids);
      expect(result.missingIds).toEqual(['f'.repeat(32)]);
    });
  });

  describe('sending, uploads, participants and open messaging', () => {
    let sandbox: RunningSandbox;
    let clock: FakeClock;

    beforeEach(async () => {
      clock = new FakeClock(NOW);
      sandbox = await startSandbox({ seed: 5, conversations: 60, now: NOW, clock, messagesPerConversation: { min: 2, max: 6 } });
    });

    afterEach(() => sandbox.close());

    /** A generated conversation still going on at `now`, with its connected agent. */
    function ongoing() {
      for (const id of sandbox.truth.conversationIds()) {
        const conversation = sandbox.truth.conversation(id);
        const agent = conversation?.participants.find((p) => p.purpose === 'agent' && p.state === 'connected');
        if (conversation && agent && conversation.messengerType !== 'sms') return { conversation, agent };
      }
      throw new Error('the sandbox has no ongoing conversation with a connected agent');
    }

    it('sends an agent text and reads it back', async () => {
      const { client, metrics } = connect(sandbox, clock);
      const { conversation, agent } = ongoing();
      const sent = await client.sendAgentMessage(conversation.id, agent.communicationId, { textBody: 'Votre commande est partie 📦' }, { messengerType: conversation.messengerType });
      const read = await client.getMessage(conversation.id, sent.id);
      expect(messageText(read)).toBe('Votre commande est partie 📦');
      expect(read.direction).toBe('outbound');
      expect(metrics.snapshot()['agent.send']).toMatchObject({ sent: 1, failed: 0 });
    });

    it('uploads media (reserve, PUT, send mediaIds) and reads the attachment back', async () => {
      const { client } = connect(sandbox, clock);
      const { conversation, agent } = ongoing();
      const bytes = Buffer.from('%PDF-1.4\n% gcm test\n');
      const sent = await client.sendAgentAttachment(conversation.id, agent.communicationId, { fileName: 'invoice.pdf', mimeType: 'application/pdf', bytes });
      const [attachment] = messageAttachments(await client.getMessage(conversation.id, sent.id));
      expect(attachment).toMatchObject({ filename: 'invoice.pdf', contentSizeBytes: bytes.length });
      const downloaded = Buffer.from(await (await fetch(attachment.url as string)).arrayBuffer());
      expect(downloaded.equals(bytes)).toBe(true);
    });

    it('refuses invalid messages with zero requests reaching the sandbox', async () => {
      const { client, transport } = connect(sandbox, clock);
      const { conversation, agent } = ongoing();
      sandbox.stats.reset();
      const attempts = [
        client.sendAgentMessage(conversation.id, agent.communicationId, { textBody: 'x'.repeat(2001) }),
        client.uploadAgentMedia(conversation.id, agent.communicationId, { fileName: 'tool.exe', mimeType: 'application/octet-stream', bytes: new Uint8Array(4) }, { rules: { blockedExtensions: ['.exe'] } }),
        client.sendOpenInboundMessage(sandbox.truth.catalog.openIntegrations[0].id, {
          channel: { from: { id: 'c-1', idType: 'Twitter' as never }, time: NOW },
          text: 'x'.repeat(2001),
        }),
      ];
      for (const attempt of attempts) await expect(attempt).rejects.toBeInstanceOf(MessageValidationError);
      expect(sandbox.stats.snapshot().requests.total).toBe(0);
      expect(transport.requestCount).toBe(0);
    });

    it('PATCHes a participant and returns the conversation as re-read', async () => {
      const { client } = connect(sandbox, clock);
      const { conversation, agent } = ongoing();
      const wrapupCode = sandbox.truth.catalog.wrapupCodes[0].id;
      const after = await client.updateParticipant(conversation.id, agent.id, { state: 'disconnected', wrapup: { code: wrapupCode } });
      const participant = after.participants.find((p) => p.id === agent.id);
      expect(participant?.state).toBe('disconnected');
      expect(participant?.wrapup?.code).toBe(wrapupCode);
    });

    it('sends an open inbound message and a receipt for an agentless outbound one', async () => {
      const { client } = connect(sandbox, clock);
      const integrationId = sandbox.truth.catalog.openIntegrations[0].id;
      const inbound = await client.sendOpenInboundMessage(
        integrationId,
        { channel: { from: { id: 'cust-77', idType: 'Opaque', nickname: 'Ada' }, time: NOW, messageId: 'partner-msg-1' }, text: 'Bonjour' },
        { prefetchConversationId: true },
      );
      expect(inbound.conversationId).toEqual(expect.any(String));
      const { messages } = await client.getConversationMessages(inbound.conversationId as string);
      expect(messages.map(messageText)).toContain('Bonjour');

      const outbound = await client.sendAgentlessMessage({
        fromAddress: integrationId,
        toAddress: 'cust-77',
        toAddressMessengerType: 'open',
        textBody: 'Merci, nous revenons vers vous',
        useExistingActiveConversation: true,
      });
      expect(outbound.conversationId).toBe(inbound.conversationId);
      const receipt = await client.sendOpenReceipt(integrationId, { id: outbound.id, status: 'Delivered', isFinalReceipt: true, channel: { time: NOW } });
      expect(receipt.status).toBe('Delivered');
      const read = await client.getMessage(outbound.conversationId, outbound.id);
      expect(read.normalizedReceipts?.map((r) => r.status)).toContain('Delivered');
    });
  });
});
