import { GenesysTransport } from '@gcm/genesys-auth';
import { GenesysAuthModule } from '@gcm/genesys-auth/nest';
import { FakeClock, ScriptedGenesysServer } from '@gcm/genesys-auth/testing';
import { MessagingClient } from '@gcm/messaging-client';
import { MessagingClientModule } from '@gcm/messaging-client/nest';
import { Test } from '@nestjs/testing';
import { conversationFixture, InMemoryHistorySource } from '../testing';
import { sampleConversationInput } from '../test/sample-conversation';
import { HistorySync } from './history-sync.service';
import { HistoryTimelineModule } from './history-timeline.module';

describe('HistoryTimelineModule', () => {
  it('forRootAsync builds HistorySync on the MessagingClient of MessagingClientModule (real HTTP)', async () => {
    const server = await ScriptedGenesysServer.start();
    try {
      const fixture = conversationFixture(sampleConversationInput());
      server.otherwise((request) => {
        if (request.method === 'GET' && request.path === '/api/v2/conversations/messages/conv-1') return { status: 200, body: fixture.messageConversation };
        if (request.method === 'GET' && request.path === '/api/v2/conversations/conv-1') return { status: 200, body: fixture.conversation };
        if (request.method === 'POST' && request.path === '/api/v2/conversations/messages/conv-1/messages/bulk') {
          const ids = JSON.parse(request.body) as string[];
          return { status: 200, body: { entities: fixture.messages.filter((m) => ids.includes(m.id)) } };
        }
        return { status: 404, body: { code: 'not.found', message: 'The requested resource was not found.' } };
      });
      const moduleRef = await Test.createTestingModule({
        imports: [
          GenesysAuthModule.forRoot({ apiBaseUrl: server.baseUrl, clientId: server.clientId, clientSecret: server.clientSecret }),
          MessagingClientModule.forRootAsync({ isGlobal: true, inject: [GenesysTransport], useFactory: (transport: GenesysTransport) => ({ transport }) }),
          HistoryTimelineModule.forRootAsync({
            inject: [MessagingClient],
            useFactory: (source: MessagingClient) => ({ source, defaults: { integrity: { gapThresholdMs: null } } }),
          }),
        ],
      }).compile();
      const timeline = await moduleRef.get(HistorySync).sync('conv-1');
      expect(timeline.messages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
      expect(timeline.integrity.checks.gapThresholdMs).toBeNull();
    } finally {
      await server.close();
    }
  });

  it('forRoot takes the options directly', async () => {
    const source = new InMemoryHistorySource([conversationFixture(sampleConversationInput())]);
    const moduleRef = await Test.createTestingModule({ imports: [HistoryTimelineModule.forRoot({ source, clock: new FakeClock() })] }).compile();
    expect((await moduleRef.get(HistorySync).sync('conv-1')).messages).toHaveLength(5);
  });

  it('fails at start-up on a bad default', async () => {
    await expect(
      Test.createTestingModule({
        imports: [HistoryTimelineModule.forRoot({ source: new InMemoryHistorySource(), defaults: { integrity: { gapThresholdMs: -5 } } })],
      }).compile(),
    ).rejects.toThrow(/gapThresholdMs/);
  });
});
