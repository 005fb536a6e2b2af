import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGenesysConnection } from '@gcm/genesys-auth';
import { FakeClock } from '@gcm/genesys-auth/testing';
import { startSandbox, type RunningSandbox } from '@gcm/genesys-sandbox';
import { MessagingClient } from '../rest/messaging-client.service';
import { OPEN_MESSAGING_SIGNATURE_HEADER, verifyOpenMessagingSignature } from './open-messaging-signature';

const NOW = '2026-03-01T12:00:00.000Z';
const SECRET = 'gcm-open-webhook-secret-7f3a';

describe('verifyOpenMessagingSignature on webhooks the sandbox signs', () => {
  let receiver: Server;
  let receiverUrl: string;
  const received: Array<{ headers: IncomingHttpHeaders; raw: Buffer }> = [];
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    receiver = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      received.push({ headers: req.headers, raw: Buffer.concat(chunks) });
      res.writeHead(200).end();
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/genesys`;
  });

  afterAll(async () => {
    await sandbox?.close();
    receiver.closeAllConnections();
    receiver.close();
  });

  it('accepts the signed outbound webhook and rejects it with one byte changed', async () => {
    const clock = new FakeClock(NOW);
    // a new integration id: the sandbox adds it with this webhook and secret
    const integrationId = '6a1f7c2e-0b7d-4c55-9a3e-2f5b8d9e4c10';
    sandbox = await startSandbox({
      seed: 11,
      conversations: 1,
      now: NOW,
      clock: { now: () => clock.now() },
      integrations: [{ id: integrationId, outboundNotificationWebhookUrl: receiverUrl, secret: SECRET }],
    });
    const { transport } = createGenesysConnection({
      apiBaseUrl: sandbox.apiBaseUrl,
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      transport: { clock, sleep: clock.sleep },
    });
    const client = new MessagingClient({ transport, clock });

    await client.sendOpenInboundMessage(integrationId, { channel: { from: { id: 'cust-5', idType: 'Opaque' }, time: NOW }, text: 'Hallo' });
    const outbound = await client.sendAgentlessMessage({
      fromAddress: integrationId,
      toAddress: 'cust-5',
      toAddressMessengerType: 'open',
      textBody: 'Danke, wir melden uns',
      useExistingActiveConversation: true,
    });

    const started = Date.now();
    while (received.length === 0 && Date.now() - started < 5000) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(received).toHaveLength(1);
    const [{ headers, raw }] = received;
    const header = headers[OPEN_MESSAGING_SIGNATURE_HEADER] as string;
    expect(header).toMatch(/^sha256=[A-Za-z0-9+/]+=*$/);
    expect(JSON.parse(raw.toString('utf8'))).toMatchObject({ text: 'Danke, wir melden uns' });
    expect(raw.toString('utf8')).toContain(outbound.id);

    expect(verifyOpenMessagingSignature(raw, header, SECRET)).toBe(true);
    for (const index of [0, Math.floor(raw.length / 2), raw.length - 1]) {
      const tampered = Buffer.from(raw);
      tampered[index] ^= 0x01;
      expect(verifyOpenMessagingSignature(tampered, header, SECRET)).toBe(false);
    }
    expect(verifyOpenMessagingSignature(raw, header, `${SECRET}x`)).toBe(false);
  });
});
