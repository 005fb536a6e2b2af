import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ScriptedGenesysServer } from '../testing';
import { GENESYS_CONNECTION, GenesysAuthModule } from './genesys-auth.module';
import type { GenesysConnection } from './genesys-client';
import { GenesysTransport } from './transport';
import { whoAmI } from './who-am-i';

@Injectable()
class Settings {
  constructor(readonly apiBaseUrl: string) {}
}

describe('GenesysAuthModule', () => {
  let server: ScriptedGenesysServer;
  beforeEach(async () => {
    server = await ScriptedGenesysServer.start();
    server.enqueue({ status: 200, body: { organization: { id: 'org-1' } } });
  });
  afterEach(() => server.close());

  it('forRoot provides a working transport', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [GenesysAuthModule.forRoot({ apiBaseUrl: server.baseUrl, clientId: server.clientId, clientSecret: server.clientSecret })],
    }).compile();
    const transport = moduleRef.get(GenesysTransport);
    await expect(whoAmI(transport)).resolves.toEqual({ organization: { id: 'org-1' } });
    expect(moduleRef.get<GenesysConnection>(GENESYS_CONNECTION).environment.loginBaseUrl).toBe(server.baseUrl);
  });

  it('forRootAsync builds options from injected config', async () => {
    @Module({ providers: [{ provide: Settings, useFactory: () => new Settings(server.baseUrl) }], exports: [Settings] })
    class SettingsModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [
        GenesysAuthModule.forRootAsync({
          imports: [SettingsModule],
          inject: [Settings],
          useFactory: (settings: Settings) => ({
            apiBaseUrl: settings.apiBaseUrl,
            clientId: server.clientId,
            clientSecret: server.clientSecret,
          }),
        }),
      ],
    }).compile();
    await expect(whoAmI(moduleRef.get(GenesysTransport))).resolves.toEqual({ organization: { id: 'org-1' } });
  });

  it('fails at start-up on an unknown region', async () => {
    await expect(
      Test.createTestingModule({
        imports: [GenesysAuthModule.forRoot({ region: 'moon-1', clientId: 'a', clientSecret: 'b' })],
      }).compile(),
    ).rejects.toThrow(/Unknown Genesys Cloud region "moon-1"/);
  });
});
