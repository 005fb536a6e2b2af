import { GenesysConfigError } from './errors';
import { GENESYS_REGIONS, resolveGenesysEnvironment } from './regions';

describe('resolveGenesysEnvironment', () => {
  it('knows all 18 regions of the official SDK', () => {
    expect(Object.keys(GENESYS_REGIONS)).toHaveLength(18);
    expect(GENESYS_REGIONS['eusc-de-east-1']).toBe('edee1.eusc-pure.cloud');
  });

  it.each(Object.entries(GENESYS_REGIONS))('maps %s to api/login hosts on %s', (region, domain) => {
    expect(resolveGenesysEnvironment({ region })).toEqual({
      region,
      domain,
      apiBaseUrl: `https://api.${domain}`,
      loginBaseUrl: `https://login.${domain}`,
    });
  });

  it('accepts a domain, an SDK-style key and a host with scheme', () => {
    expect(resolveGenesysEnvironment({ region: 'mypurecloud.ie' }).region).toBe('eu-west-1');
    expect(resolveGenesysEnvironment({ region: 'ap_southeast_2' }).apiBaseUrl).toBe('https://api.mypurecloud.com.au');
    expect(resolveGenesysEnvironment({ region: 'https://api.usw2.pure.cloud/' }).region).toBe('us-west-2');
  });

  it('uses the API override for login when only that is given (the sandbox)', () => {
    expect(resolveGenesysEnvironment({ apiBaseUrl: 'http://127.0.0.1:4010/' })).toEqual({
      region: undefined,
      domain: undefined,
      apiBaseUrl: 'http://127.0.0.1:4010',
      loginBaseUrl: 'http://127.0.0.1:4010',
    });
  });

  it('keeps the region login host when only the API goes through a proxy', () => {
    const env = resolveGenesysEnvironment({ region: 'eu-west-1', apiBaseUrl: 'https://proxy.example/genesys' });
    expect(env.apiBaseUrl).toBe('https://proxy.example/genesys');
    expect(env.loginBaseUrl).toBe('https://login.mypurecloud.ie');
  });

  it('rejects an unknown region with the list of valid names', () => {
    expect(() => resolveGenesysEnvironment({ region: 'mars-north-1' })).toThrow(GenesysConfigError);
    try {
      resolveGenesysEnvironment({ region: 'mars-north-1' });
    } catch (error) {
      expect((error as GenesysConfigError).field).toBe('region');
      expect((error as Error).message).toContain('mars-north-1');
      for (const name of Object.keys(GENESYS_REGIONS)) expect((error as Error).message).toContain(name);
    }
  });

  it('rejects a missing region and malformed or credential-bearing URLs', () => {
    expect(() => resolveGenesysEnvironment({})).toThrow(/No Genesys Cloud region/);
    expect(() => resolveGenesysEnvironment({ apiBaseUrl: 'not a url' })).toThrow(/apiBaseUrl must be an absolute/);
    expect(() => resolveGenesysEnvironment({ apiBaseUrl: 'ftp://x' })).toThrow(/http or https/);
    expect(() => resolveGenesysEnvironment({ apiBaseUrl: 'https://u:p@x' })).toThrow(/credentials/);
  });
});
