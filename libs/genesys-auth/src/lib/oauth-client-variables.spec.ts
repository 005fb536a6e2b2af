import { readOAuthClientVariables } from './oauth-client-variables';

describe('readOAuthClientVariables', () => {
  const base = { GENESYSCLOUD_OAUTHCLIENT_ID: 'client-1', GENESYSCLOUD_OAUTHCLIENT_SECRET: 'secret-1-value' };

  it('reads numbered clients in number order, gaps allowed, naming where each came from', () => {
    const result = readOAuthClientVariables({
      ...base,
      GENESYSCLOUD_OAUTHCLIENT_ID_3: 'client-3',
      GENESYSCLOUD_OAUTHCLIENT_SECRET_3: 'secret-3-value',
      GENESYSCLOUD_OAUTHCLIENT_ID_10: ' client-10 ',
      GENESYSCLOUD_OAUTHCLIENT_SECRET_10: 'secret-10-value',
      GENESYSCLOUD_OAUTHCLIENT_ID_2: 'client-2',
      GENESYSCLOUD_OAUTHCLIENT_SECRET_2: 'secret-2-value',
      GENESYSCLOUD_OAUTHCLIENT_ID_4: '  ', // blank: unset
      OTHER: 'x',
    });
    expect(result.problems).toEqual([]);
    expect(result.additionalClients).toEqual([
      { clientId: 'client-2', clientSecret: 'secret-2-value', source: 'GENESYSCLOUD_OAUTHCLIENT_ID_2 / GENESYSCLOUD_OAUTHCLIENT_SECRET_2' },
      { clientId: 'client-3', clientSecret: 'secret-3-value', source: 'GENESYSCLOUD_OAUTHCLIENT_ID_3 / GENESYSCLOUD_OAUTHCLIENT_SECRET_3' },
      { clientId: 'client-10', clientSecret: 'secret-10-value', source: 'GENESYSCLOUD_OAUTHCLIENT_ID_10 / GENESYSCLOUD_OAUTHCLIENT_SECRET_10' },
    ]);
    expect(readOAuthClientVariables(base)).toEqual({ additionalClients: [], variables: [], problems: [] });
  });

  it.each([
    [{ GENESYSCLOUD_OAUTHCLIENT_ID_2: 'client-2' }, 'GENESYSCLOUD_OAUTHCLIENT_SECRET_2', 'is required when GENESYSCLOUD_OAUTHCLIENT_ID_2 is set: the secret of client 2 of the pool'],
    [{ GENESYSCLOUD_OAUTHCLIENT_SECRET_5: 'secret-5-value' }, 'GENESYSCLOUD_OAUTHCLIENT_ID_5', 'is required when GENESYSCLOUD_OAUTHCLIENT_SECRET_5 is set: the id of client 5 of the pool'],
    [{ GENESYSCLOUD_OAUTHCLIENT_ID_1: 'x' }, 'GENESYSCLOUD_OAUTHCLIENT_ID_1', 'is not read: the first client is GENESYSCLOUD_OAUTHCLIENT_ID; more clients are numbered from _2'],
    [{ GENESYSCLOUD_OAUTHCLIENT_ID_65: 'x' }, 'GENESYSCLOUD_OAUTHCLIENT_ID_65', 'is not a client of the pool: more clients are numbered _2 to _64 (e.g. GENESYSCLOUD_OAUTHCLIENT_ID_2 with GENESYSCLOUD_OAUTHCLIENT_SECRET_2)'],
    [{ GENESYSCLOUD_OAUTHCLIENT_SECRET_02: 'x' }, 'GENESYSCLOUD_OAUTHCLIENT_SECRET_02', 'is not a client of the pool: more clients are numbered _2 to _64 (e.g. GENESYSCLOUD_OAUTHCLIENT_ID_2 with GENESYSCLOUD_OAUTHCLIENT_SECRET_2)'],
    [{ GENESYSCLOUD_OAUTHCLIENT_ID_PROD: 'x' }, 'GENESYSCLOUD_OAUTHCLIENT_ID_PROD', 'is not a client of the pool: more clients are numbered _2 to _64 (e.g. GENESYSCLOUD_OAUTHCLIENT_ID_2 with GENESYSCLOUD_OAUTHCLIENT_SECRET_2)'],
    [
      { GENESYSCLOUD_OAUTHCLIENT_ID_2: 'client-1', GENESYSCLOUD_OAUTHCLIENT_SECRET_2: 'secret-2-value' },
      'GENESYSCLOUD_OAUTHCLIENT_ID_2',
      'names the same OAuth client as GENESYSCLOUD_OAUTHCLIENT_ID: Genesys counts the rate per client, so each client of the pool must be a different one',
    ],
  ])('%j: a problem naming %s', (variables, variable, problem) => {
    const result = readOAuthClientVariables({ ...base, ...variables });
    expect(result.problems).toEqual([{ variable, problem }]);
    expect(result.additionalClients).toEqual([]);
    // a problem never repeats a value
    for (const value of Object.values(variables)) expect(JSON.stringify(result.problems)).not.toContain(`${value}"`);
  });

  it('needs the first client when numbered ones are set', () => {
    const result = readOAuthClientVariables({ GENESYSCLOUD_OAUTHCLIENT_ID_2: 'client-2', GENESYSCLOUD_OAUTHCLIENT_SECRET_2: 'secret-2-value' });
    expect(result.problems).toEqual([
      { variable: 'GENESYSCLOUD_OAUTHCLIENT_ID', problem: "is required when numbered clients (GENESYSCLOUD_OAUTHCLIENT_ID_2 …) are set: it is the pool's first client" },
    ]);
  });
});
