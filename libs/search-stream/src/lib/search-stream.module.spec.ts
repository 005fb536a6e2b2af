import { GenesysTransport } from '@gcm/genesys-auth';
import { GenesysAuthModule } from '@gcm/genesys-auth/nest';
import { ScriptedGenesysServer } from '@gcm/genesys-auth/testing';
import { Test } from '@nestjs/testing';
import { FakeAnalyticsApi } from '../testing';
import { ConversationSearch } from './conversation-search.service';
import { SearchStreamModule } from './search-stream.module';

describe('SearchStreamModule', () => {
  let server: ScriptedGenesysServer;
  beforeEach(async () => {
    server = await ScriptedGenesysServer.start();
  });
  afterEach(() => server.close());

  it('forRootAsync builds ConversationSearch on the GenesysTransport of GenesysAuthModule', async () => {
    server.otherwise((request) =>
      request.path === '/api/v2/analytics/conversations/details/query'
        ? {
            status: 200,
            body: {
              conversations: [{ conversationId: 'c1', conversationStart: '2026-01-01T01:00:00.000Z' }],
              totalHits: 1,
            },
          }
        : { status: 404, body: { code: 'not.found', message: 'no route' } },
    );
    const moduleRef = await Test.createTestingModule({
      imports: [
        GenesysAuthModule.forRoot({ apiBaseUrl: server.baseUrl, clientId: server.clientId, clientSecret: server.clientSecret }),
        SearchStreamModule.forRootAsync({
          inject: [GenesysTransport],
          useFactory: (transport: GenesysTransport) => ({ transport }),
        }),
      ],
    }).compile();
    const search = moduleRef.get(ConversationSearch);
    const found = await search
      .search({ interval: '2026-01-01T00:00:00Z/2026-01-01T12:00:00Z' })
      .toArray({ limit: 10 });
    expect(found.map((c) => c.conversationId)).toEqual(['c1']);
    const request = server.apiRequests.find((r) => r.path === '/api/v2/analytics/conversations/details/query')!;
    expect(JSON.parse(request.body)).toMatchObject({ paging: { pageSize: 100, pageNumber: 1 } });
  });

  it('forRoot takes the options directly', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [SearchStreamModule.forRoot({ transport: new FakeAnalyticsApi([]) })],
    }).compile();
    expect(moduleRef.get(ConversationSearch)).toBeInstanceOf(ConversationSearch);
  });

  it('fails at start-up on a bad option', async () => {
    await expect(
      Test.createTestingModule({
        imports: [SearchStreamModule.forRoot({ transport: new FakeAnalyticsApi([]), queryPageSize: 500 })],
      }).compile(),
    ).rejects.toThrow(/queryPageSize/);
  });
});
