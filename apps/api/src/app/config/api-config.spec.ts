import { hashApiKey } from '../auth/api-key';
import { loadApiConfig } from './api-config';
import { ApiConfigError } from './api-config.error';

const KEY_HASH = hashApiKey('gcm_test');
const valid = {
  GENESYSCLOUD_REGION: 'eu-west-1',
  GENESYSCLOUD_OAUTHCLIENT_ID: 'client',
  GENESYSCLOUD_OAUTHCLIENT_SECRET: 'super-secret-value',
  GCM_API_KEYS: `crm:read+write:${KEY_HASH}`,
};

function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    loadApiConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiConfigError);
    return (error as ApiConfigError).problems;
  }
  throw new Error('the configuration was accepted');
}

describe('loadApiConfig', () => {
  it('builds a typed config with the documented defaults', () => {
    const config = loadApiConfig(valid);
    expect(config.http).toMatchObject({ host: '127.0.0.1', port: 3000, bodyLimitBytes: 1024 * 1024, trustProxy: false, docs: true, shutdownGraceMs: 10_000 });
    expect(config.http.corsOrigins).toBeUndefined();
    expect(config.auth.keys).toEqual([{ id: 'crm', scopes: new Set(['read', 'write']), sha256: KEY_HASH }]);
    expect(config.auth).toMatchObject({ requestsPerMinute: 600, anonymousRequestsPerMinute: 600 });
    expect(config.database.url).toBe('sqlite:./var/gcm.sqlite');
    expect(config.genesys).toMatchObject({ region: 'eu-west-1', clientId: 'client', requestsPerMinute: 300, maxConcurrency: 8 });
    expect(config.agentlessFrom).toBeUndefined();
    expect(config.openMessaging.secret).toBeUndefined();
    expect(config.events).toEqual({ queueIds: [], heartbeatMs: 15_000 });
  });

  it('reads every GCM_API_* variable', () => {
    const config = loadApiConfig({
      ...valid,
      GCM_API_HOST: '0.0.0.0',
      GCM_API_PORT: '8080',
      GCM_API_BODY_LIMIT: '2mb',
      GCM_API_CORS_ORIGINS: 'https://a.example, https://b.example:8443',
      GCM_API_TRUST_PROXY: 'true',
      GCM_API_DOCS: 'off',
      GCM_API_SHUTDOWN_GRACE: '30s',
      GCM_API_RATE_LIMIT: '120',
      GCM_API_ANONYMOUS_RATE_LIMIT: '30',
      GCM_API_AGENTLESS_FROM: 'sms=+13175550100,open=abc-integration',
      GCM_API_OPEN_MESSAGING_SECRET: 'a-long-enough-secret',
      GCM_API_GUEST_IDLE_TIMEOUT: '5m',
      GCM_API_GUEST_MAX_SESSIONS: '20',
      GCM_API_DEPLOYMENT_IDS: 'dep-1,dep-2',
      GCM_API_ARCHIVE_SINK: 'database',
      GCM_API_LOG_LEVEL: 'warn',
      GCM_API_SEARCH_MAX_WINDOW: '90d',
      GCM_API_ARCHIVE_MAX_WINDOW: '7d',
      GCM_API_EVENTS_QUEUE_IDS: 'q-1, q-2',
      GCM_API_EVENTS_HEARTBEAT: '30s',
    });
    expect(config.events).toEqual({ queueIds: ['q-1', 'q-2'], heartbeatMs: 30_000 });
    expect(config.http).toMatchObject({ host: '0.0.0.0', port: 8080, bodyLimitBytes: 2 * 1024 * 1024, trustProxy: true, docs: false, shutdownGraceMs: 30_000 });
    expect(config.http.corsOrigins).toEqual(['https://a.example', 'https://b.example:8443']);
    expect(config.auth).toMatchObject({ requestsPerMinute: 120, anonymousRequestsPerMinute: 30 });
    expect(config.agentlessFrom).toEqual({ sms: '+13175550100', open: 'abc-integration' });
    expect(config.guest).toMatchObject({ idleTimeoutMs: 300_000, maxSessions: 20, deploymentIds: ['dep-1', 'dep-2'] });
    expect(config.archive).toMatchObject({ sink: 'database', maxWindowMs: 7 * 86_400_000 });
    expect(config.search.maxWindowMs).toBe(90 * 86_400_000);
    expect(config.logLevel).toBe('warn');
  });

  it('lists every bad variable in one error, naming each, and never shows a secret', () => {
    const problems = problemsOf({
      GENESYSCLOUD_REGION: 'moon-1',
      GENESYSCLOUD_OAUTHCLIENT_SECRET: '',
      GCM_API_PORT: 'eighty',
      GCM_API_KEYS: 'crm:read:not-a-hash,ops:root:' + KEY_HASH,
      GCM_API_BODY_LIMIT: '5gb',
      GCM_API_CORS_ORIGINS: 'https://ok.example,not an origin',
      GCM_API_OPEN_MESSAGING_SECRET: 'short-secret',
      GCM_DATABASE_URL: 'mysql://db',
    });
    const named = problems.map((p) => p.split(' ')[0]);
    expect(named.sort()).toEqual(
      [
        'GCM_API_BODY_LIMIT',
        'GCM_API_CORS_ORIGINS',
        'GCM_API_KEYS',
        'GCM_API_OPEN_MESSAGING_SECRET',
        'GCM_API_PORT',
        'GCM_DATABASE_URL',
        'GENESYSCLOUD_OAUTHCLIENT_ID',
        'GENESYSCLOUD_OAUTHCLIENT_SECRET',
        'GENESYSCLOUD_REGION',
      ].sort(),
    );
    const text = problems.join('\n');
    expect(text).toContain('GCM_API_PORT ("eighty") must be a port number from 0 to 65535');
    expect(text).toContain('entry 1 (crm) needs the key\'s SHA-256 as 64 hex digits');
    expect(text).toContain('entry 2 (ops) has unknown scopes');
    expect(text).toContain('GCM_API_OPEN_MESSAGING_SECRET (value hidden)');
    expect(text).not.toContain('short-secret');
  });

  it('bounds the SSE heartbeat interval', () => {
    expect(problemsOf({ ...valid, GCM_API_EVENTS_HEARTBEAT: '100ms' }).join()).toContain('GCM_API_EVENTS_HEARTBEAT ("100ms") must be from 1000 ms to 300000 ms');
    expect(problemsOf({ ...valid, GCM_API_EVENTS_HEARTBEAT: 'often' }).join()).toContain('GCM_API_EVENTS_HEARTBEAT ("often") must be a duration such as 15s');
  });

  it('refuses to start without API keys: nothing could be called', () => {
    expect(problemsOf({ ...valid, GCM_API_KEYS: undefined }).join()).toMatch(/^GCM_API_KEYS is required: every request is refused without an API key/);
  });

  it('needs a region unless an API base URL overrides the hosts', () => {
    const { GENESYSCLOUD_REGION: _region, ...withoutRegion } = valid;
    expect(problemsOf(withoutRegion).join()).toContain('GENESYSCLOUD_REGION is required unless GENESYSCLOUD_API_BASE_URL is set');
    expect(loadApiConfig({ ...withoutRegion, GENESYSCLOUD_API_BASE_URL: 'http://127.0.0.1:4010' }).genesys.apiBaseUrl).toBe('http://127.0.0.1:4010');
  });

  it('formats the whole message for the operator', () => {
    let message = '';
    try {
      loadApiConfig({ ...valid, GCM_API_PORT: '70000', GCM_API_LOG_LEVEL: 'loud' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      'The API cannot start: 2 environment variables need fixing:\n' +
        '  - GCM_API_PORT ("70000") must be a port number from 0 to 65535\n' +
        '  - GCM_API_LOG_LEVEL ("loud") must be debug, info, warn or error',
    );
  });
});
