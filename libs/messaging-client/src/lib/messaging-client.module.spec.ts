import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ScriptedGenesysServer } from '@gcm/genesys-auth/testing';
import { GenesysTransport } from '@gcm/genesys-auth';
import { GenesysAuthModule } from '@gcm/genesys-auth/nest';
import { GuestSessionFactory } from './guest/guest-session.factory';
import { InMemoryDeliveryMetrics } from './metrics/delivery-metrics';
import { MessagingClientModule } from './messaging-client.module';
import { MessagingClient } from './rest/messaging-client.service';
import { MessageValidator } from './validation/message-validator.service';
import { MessageValidationError } from './validation/message-validation.error';

describe('MessagingClientModule', () => {
  let server: ScriptedGenesysServer;

  beforeEach(async () => {
    server = await ScriptedGenesysServer.start();
  });

  afterEach(() => server.close());

  it('forRootAsync wires the client on the GenesysTransport with the configured content policy and metrics', async () => {
    const metrics = new InMemoryDeliveryMetrics();
    @Module({ providers: [{ provide: InMemoryDeliveryMetrics, useValue: metrics }], exports: [InMemoryDeliveryMetrics] })
    class MetricsModule {}

    const moduleRef = await Test.createTestingModule({
      imports: [
        GenesysAuthModule.forRoot({ apiBaseUrl: server.baseUrl, clientId: server.clientId, clientSecret: server.clientSecret }),
        MessagingClientModule.forRootAsync({
          imports: [MetricsModule],
          inject: [GenesysTransport, InMemoryDeliveryMetrics],
          useFactory: (transport: GenesysTransport, m: InMemoryDeliveryMetrics) => ({
            transport,
            metrics: m,
            contentPolicy: { extraBlockedPatterns: [{ name: 'internal ticket', pattern: /TICKET-\d+/ }] },
          }),
        }),
      ],
    }).compile();

    const client = moduleRef.get(MessagingClient);
    expect(moduleRef.get(MessageValidator)).toBe(client.validator);
    expect(moduleRef.get(GuestSessionFactory)).toBeInstanceOf(GuestSessionFactory);

    server.enqueue({ status: 200, body: { id: 'conv-1', participants: [] } });
    await expect(client.getMessageConversation('conv-1')).resolves.toMatchObject({ id: 'conv-1' });
    await expect(client.sendAgentMessage('conv-1', 'comm', { textBody: 'see TICKET-42' })).rejects.toBeInstanceOf(MessageValidationError);
    expect(server.apiRequests).toHaveLength(1);
    expect(metrics.snapshot()['messageConversation.get']?.sent).toBe(1);
    expect(metrics.snapshot()['agent.send']?.rejected).toBe(1);
    await moduleRef.close();
  });
});
