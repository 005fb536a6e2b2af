import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withEnvFile } from './env-file';
import { parseDuration } from './duration';
import { loadSchedulerConfig } from './scheduler-config';
import { SchedulerConfigError } from './scheduler-config.error';

const QUEUE_A = '3f5c2a8e-1b2c-4d5e-8f90-a1b2c3d4e5f6';
const QUEUE_B = '9a1b7c3d-2e4f-4a6b-8c9d-0e1f2a3b4c5d';
const USER_A = 'c0ffee00-1234-4abc-9def-0123456789ab';
const minimal = { GENESYSCLOUD_REGION: 'eu-west-1', GENESYSCLOUD_OAUTHCLIENT_ID: 'client', GENESYSCLOUD_OAUTHCLIENT_SECRET: 's3cret' };

function problemsOf(env: Record<string, string | undefined>, argv: string[] = []): SchedulerConfigError {
  try {
    loadSchedulerConfig(env, argv);
  } catch (error) {
    if (error instanceof SchedulerConfigError) return error;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadSchedulerConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadSchedulerConfig({ ...minimal, GCM_SCHEDULER_REPLICA_ID: 'replica-1' });
    expect(config).toMatchObject({
      genesys: { region: 'eu-west-1', clientId: 'client', clientSecret: 's3cret', requestsPerMinute: 300 },
      databaseUrl: 'sqlite:./var/gcm.sqlite',
      archive: { sink: 'filesystem', directory: './var/archive' },
      auditDirectory: './var/audit',
      http: { host: '0.0.0.0', port: 9464 },
      cron: '*/15 * * * *',
      runAtStart: false,
      replicaId: 'replica-1',
      job: { settleDelayMs: 600_000, initialLookbackMs: 86_400_000, maxWindowMs: 86_400_000, concurrency: 8, leaseMs: 30_000, maxAttempts: 5, match: 'activity' },
      logLevel: 'info',
      shutdownGraceMs: 30_000,
    });
    expect(config.backfill).toBeUndefined();
    expect(config.retention).toBeUndefined();
    expect(config.webhook).toBeUndefined();
    expect(config.secrets).toEqual(['s3cret']);
  });

  it('reads every GCM_SCHEDULER_* setting', () => {
    const config = loadSchedulerConfig({
      GENESYSCLOUD_API_BASE_URL: 'http://127.0.0.1:4010',
      GENESYSCLOUD_OAUTHCLIENT_ID: 'client',
      GENESYSCLOUD_OAUTHCLIENT_SECRET: 's3cret',
      GCM_DATABASE_URL: 'postgres://gcm:pa55@db:5432/gcm',
      GCM_SCHEDULER_PORT: '0',
      GCM_SCHEDULER_CRON: '0 */5 * * * *',
      GCM_SCHEDULER_RUN_AT_START: 'yes',
      GCM_SCHEDULER_SETTLE_DELAY: '90s',
      GCM_SCHEDULER_START_AT: '2026-01-01T00:00:00Z',
      GCM_SCHEDULER_MAX_WINDOW: '6h',
      GCM_SCHEDULER_CONCURRENCY: '4',
      GCM_SCHEDULER_LEASE: '2m',
      GCM_SCHEDULER_MATCH: 'started',
      GCM_SCHEDULER_RETENTION_KEEP_VERSIONS: '3',
      GCM_SCHEDULER_RETENTION_MAX_AGE: '400d',
      GCM_SCHEDULER_WEBHOOK_URL: 'https://hooks.example.com/gcm',
      GCM_SCHEDULER_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      GCM_SCHEDULER_LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      genesys: { apiBaseUrl: 'http://127.0.0.1:4010' },
      http: { port: 0 },
      cron: '0 */5 * * * *',
      runAtStart: true,
      job: { settleDelayMs: 90_000, startAt: Date.parse('2026-01-01T00:00:00Z'), maxWindowMs: 21_600_000, concurrency: 4, leaseMs: 120_000, match: 'started' },
      retention: { cron: '30 3 * * *', policy: { keepVersions: 3, maxAgeMs: 400 * 86_400_000 } },
      webhook: { url: 'https://hooks.example.com/gcm' },
      logLevel: 'debug',
    });
    expect(config.secrets).toEqual(expect.arrayContaining(['s3cret', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'pa55']));
  });

  it('takes the backfill window from --backfill (which wins over the variable)', () => {
    const window = { start: Date.parse('2026-02-01T00:00:00Z'), end: Date.parse('2026-02-02T00:00:00Z') };
    expect(loadSchedulerConfig(minimal, ['--backfill', '2026-02-01T00:00:00Z/2026-02-02T00:00:00Z']).backfill).toEqual(window);
    expect(loadSchedulerConfig({ ...minimal, GCM_SCHEDULER_BACKFILL: 'nonsense' }, ['--backfill=2026-02-01T00:00:00Z/2026-02-02T00:00:00Z']).backfill).toEqual(window);
    expect(problemsOf(minimal, ['--backfill']).problems).toEqual([expect.objectContaining({ variable: '--backfill' })]);
  });

  it('lists every bad variable in one error, one problem each, and never shows a secret', () => {
    const error = problemsOf({
      GENESYSCLOUD_OAUTHCLIENT_SECRET: 'hunter2',
      GCM_SCHEDULER_PORT: '65536',
      GCM_SCHEDULER_SETTLE_DELAY: 'ten minutes',
      GCM_SCHEDULER_CONCURRENCY: '0',
      GCM_SCHEDULER_MATCH: 'ended',
      GCM_SCHEDULER_START_AT: '2026-01-01',
      GCM_DATABASE_URL: 'postgres://gcm:topsecret@/gcm',
      GCM_SCHEDULER_WEBHOOK_URL: 'ftp://hooks.example.com',
    });
    expect(error.problems.map((p) => p.variable).sort()).toEqual([
      'GCM_DATABASE_URL',
      'GCM_SCHEDULER_CONCURRENCY',
      'GCM_SCHEDULER_MATCH',
      'GCM_SCHEDULER_PORT',
      'GCM_SCHEDULER_SETTLE_DELAY',
      'GCM_SCHEDULER_START_AT',
      'GCM_SCHEDULER_WEBHOOK_SECRET',
      'GCM_SCHEDULER_WEBHOOK_URL',
      'GENESYSCLOUD_OAUTHCLIENT_ID',
      'GENESYSCLOUD_REGION',
    ]);
    expect(error.message).toContain('Invalid scheduler configuration: 10 variables need fixing.');
    expect(error.message).toContain('GCM_SCHEDULER_SETTLE_DELAY="ten minutes": must be a duration such as 10m (units ms, s, m, h, d)');
    expect(error.message).toContain('GENESYSCLOUD_REGION: is required unless GENESYSCLOUD_API_BASE_URL is set');
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain('topsecret');
  });

  it('reads a client pool from GENESYSCLOUD_OAUTHCLIENT_ID_2 / _SECRET_2 …, every secret redacted', () => {
    expect(loadSchedulerConfig(minimal).genesys.additionalClients).toEqual([]);
    const config = loadSchedulerConfig({
      ...minimal,
      GENESYSCLOUD_OAUTHCLIENT_ID_2: 'client-2',
      GENESYSCLOUD_OAUTHCLIENT_SECRET_2: 'second-s3cret',
      GENESYSCLOUD_OAUTHCLIENT_ID_3: 'client-3',
      GENESYSCLOUD_OAUTHCLIENT_SECRET_3: 'third-s3cret',
      GCM_SCHEDULER_RATE_LIMIT: '250',
    });
    expect(config.genesys).toMatchObject({
      clientId: 'client',
      requestsPerMinute: 250,
      additionalClients: [
        { clientId: 'client-2', clientSecret: 'second-s3cret', source: 'GENESYSCLOUD_OAUTHCLIENT_ID_2 / GENESYSCLOUD_OAUTHCLIENT_SECRET_2' },
        { clientId: 'client-3', clientSecret: 'third-s3cret', source: 'GENESYSCLOUD_OAUTHCLIENT_ID_3 / GENESYSCLOUD_OAUTHCLIENT_SECRET_3' },
      ],
    });
    expect(config.secrets).toEqual(expect.arrayContaining(['s3cret', 'second-s3cret', 'third-s3cret']));
  });

  it('refuses a numbered client id without its secret (and the reverse), naming the variable, never the secret', () => {
    const error = problemsOf({
      ...minimal,
      GENESYSCLOUD_OAUTHCLIENT_ID_2: 'client-2',
      GENESYSCLOUD_OAUTHCLIENT_SECRET_3: 'lonely-s3cret',
      GENESYSCLOUD_OAUTHCLIENT_ID_4: 'client',
      GENESYSCLOUD_OAUTHCLIENT_SECRET_4: 'dup-s3cret',
    });
    expect(error.problems).toEqual([
      { variable: 'GENESYSCLOUD_OAUTHCLIENT_SECRET_2', problem: 'is required when GENESYSCLOUD_OAUTHCLIENT_ID_2 is set: the secret of client 2 of the pool' },
      { variable: 'GENESYSCLOUD_OAUTHCLIENT_ID_3', problem: 'is required when GENESYSCLOUD_OAUTHCLIENT_SECRET_3 is set: the id of client 3 of the pool' },
      {
        variable: 'GENESYSCLOUD_OAUTHCLIENT_ID_4',
        problem: 'names the same OAuth client as GENESYSCLOUD_OAUTHCLIENT_ID: Genesys counts the rate per client, so each client of the pool must be a different one',
      },
    ]);
    expect(error.message).not.toContain('lonely-s3cret');
    expect(error.message).not.toContain('dup-s3cret');
    // numbered clients without the first: the first's own rule speaks, once
    const noFirst = problemsOf({ GENESYSCLOUD_REGION: 'eu-west-1', GENESYSCLOUD_OAUTHCLIENT_SECRET: 's3cret', GENESYSCLOUD_OAUTHCLIENT_ID_2: 'c2', GENESYSCLOUD_OAUTHCLIENT_SECRET_2: 'x2-s3cret' });
    expect(noFirst.problems.map((p) => p.variable)).toEqual(['GENESYSCLOUD_OAUTHCLIENT_ID']);
  });

  it('reads the CRM sync and QA snapshot settings, with their defaults', () => {
    const defaults = loadSchedulerConfig(minimal);
    expect(defaults.crm).toBeUndefined();
    expect(defaults.qa).toEqual({ cron: '15 0 * * *', name: 'daily' });
    const config = loadSchedulerConfig({
      ...minimal,
      GCM_SCHEDULER_CRM_URL: 'https://user:crmpass@crm.example.com/gcm',
      GCM_SCHEDULER_CRM_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      GCM_SCHEDULER_QA_CRON: '0 2 * * *',
      GCM_SCHEDULER_QA_NAME: 'support-daily',
      GCM_SCHEDULER_QA_QUEUE_IDS: 'queue-a, queue-b',
    });
    expect(config.crm).toEqual({ url: 'https://user:crmpass@crm.example.com/gcm', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', cron: '*/30 * * * * *', timeoutMs: 10_000 });
    expect(config.live).toBeUndefined();
    expect(config.qa).toEqual({ cron: '0 2 * * *', name: 'support-daily', queueIds: ['queue-a', 'queue-b'] });
    expect(config.secrets).toEqual(expect.arrayContaining(['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'crmpass']));
  });

  it('refuses bad CRM and QA settings in one error, without showing the CRM secret', () => {
    const error = problemsOf({
      ...minimal,
      GCM_SCHEDULER_CRM_SECRET: 'not-a-whsec-hunter2',
      GCM_SCHEDULER_CRM_CRON: 'every minute',
      GCM_SCHEDULER_QA_CRON: '99 * * * *',
      GCM_SCHEDULER_QA_NAME: 'daily report!',
      GCM_SCHEDULER_QA_QUEUE_IDS: 'queue-a,,queue b',
    });
    expect(error.problems.map((p) => p.variable).sort()).toEqual([
      'GCM_SCHEDULER_CRM_CRON',
      'GCM_SCHEDULER_CRM_SECRET',
      'GCM_SCHEDULER_CRM_URL',
      'GCM_SCHEDULER_QA_CRON',
      'GCM_SCHEDULER_QA_NAME',
      'GCM_SCHEDULER_QA_QUEUE_IDS',
    ]);
    expect(error.message).toContain('GCM_SCHEDULER_CRM_URL: is required when GCM_SCHEDULER_CRM_SECRET is set');
    expect(error.message).not.toContain('hunter2');
    expect(problemsOf({ ...minimal, GCM_SCHEDULER_CRM_URL: 'ftp://crm.example.com' }).problems).toEqual([
      expect.objectContaining({ variable: 'GCM_SCHEDULER_CRM_URL', problem: 'must be an http(s) URL' }),
    ]);
  });

  it('reads the live feed: queues and users (distinct, lower case), the lease; only with a CRM and never in a backfill', () => {
    const crm = { ...minimal, GCM_SCHEDULER_CRM_URL: 'https://crm.example.com/gcm' };
    const config = loadSchedulerConfig({
      ...crm,
      GCM_SCHEDULER_CRM_TIMEOUT: '2s',
      GCM_SCHEDULER_LIVE_QUEUE_IDS: `${QUEUE_A}, ${QUEUE_B.toUpperCase()},${QUEUE_B}`,
      GCM_SCHEDULER_LIVE_USER_IDS: USER_A,
      GCM_SCHEDULER_LIVE_LEASE: '1m',
    });
    expect(config.crm?.timeoutMs).toBe(2_000);
    expect(config.live).toEqual({ queueIds: [QUEUE_A, QUEUE_B], userIds: [USER_A], leaseMs: 60_000 });
    expect(loadSchedulerConfig({ ...crm, GCM_SCHEDULER_LIVE_USER_IDS: USER_A }).live).toEqual({ queueIds: [], userIds: [USER_A], leaseMs: 30_000 });
    expect(loadSchedulerConfig(crm).live).toBeUndefined();
    expect(loadSchedulerConfig({ ...crm, GCM_SCHEDULER_LIVE_QUEUE_IDS: QUEUE_A }, ['--backfill', '2026-01-01T00:00:00Z/2026-01-02T00:00:00Z']).live).toBeUndefined();
  });

  it('refuses live queues without a CRM, ids that are not UUIDs, a lease under 3 s, and more topics than Genesys allows', () => {
    const error = problemsOf({
      ...minimal,
      GCM_SCHEDULER_LIVE_QUEUE_IDS: `${QUEUE_A},support`,
      GCM_SCHEDULER_LIVE_USER_IDS: USER_A,
      GCM_SCHEDULER_LIVE_LEASE: '1s',
      GCM_SCHEDULER_CRM_TIMEOUT: 'soon',
    });
    expect(error.problems).toEqual([
      expect.objectContaining({ variable: 'GCM_SCHEDULER_CRM_TIMEOUT', problem: 'must be a duration such as 10s (units ms, s, m, h, d)' }),
      expect.objectContaining({ variable: 'GCM_SCHEDULER_LIVE_QUEUE_IDS', problem: 'must be queue ids (UUIDs) separated by commas; "support" is not one' }),
      expect.objectContaining({ variable: 'GCM_SCHEDULER_LIVE_LEASE', problem: 'must be at least 3000 ms' }),
      {
        variable: 'GCM_SCHEDULER_LIVE_QUEUE_IDS, GCM_SCHEDULER_LIVE_USER_IDS',
        problem: 'needs GCM_SCHEDULER_CRM_URL: the live feed writes its events to the CRM outbox',
      },
    ]);

    const ids = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}-0000-4000-8000-${String(i).padStart(12, '0')}`).join(',');
    const many = {
      ...minimal,
      GCM_SCHEDULER_CRM_URL: 'https://crm.example.com/gcm',
      GCM_SCHEDULER_LIVE_QUEUE_IDS: ids(15_000, 'aaaaaaaa'),
      GCM_SCHEDULER_LIVE_USER_IDS: ids(5_001, 'bbbbbbbb'),
    };
    const tooMany = problemsOf(many);
    expect(tooMany.problems).toEqual([
      {
        variable: 'GCM_SCHEDULER_LIVE_QUEUE_IDS, GCM_SCHEDULER_LIVE_USER_IDS',
        problem:
          'name 20,001 queues and users together: at most 20,000 (one notification topic each; Genesys allows 1,000 topics per channel and 20 channels per OAuth client)',
      },
    ]);
    expect(tooMany.message).toContain('at most 20,000');
    expect(loadSchedulerConfig({ ...many, GCM_SCHEDULER_LIVE_USER_IDS: ids(5_000, 'bbbbbbbb') }).live?.userIds).toHaveLength(5_000);
  });

  it('treats an empty variable as unset', () => {
    expect(loadSchedulerConfig({ ...minimal, GCM_SCHEDULER_PORT: '', GCM_SCHEDULER_CRON: '  ' })).toMatchObject({ http: { port: 9464 }, cron: '*/15 * * * *' });
  });

  it('accepts a region by name, SDK spelling or domain, and refuses an unknown one', () => {
    expect(loadSchedulerConfig({ ...minimal, GENESYSCLOUD_REGION: 'mypurecloud.ie' }).genesys.region).toBe('mypurecloud.ie');
    expect(problemsOf({ ...minimal, GENESYSCLOUD_REGION: 'mars-north-1' }).problems).toEqual([
      expect.objectContaining({ variable: 'GENESYSCLOUD_REGION', value: 'mars-north-1' }),
    ]);
  });
});

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['15m', 900_000],
    ['1.5h', 5_400_000],
    ['7d', 604_800_000],
    ['1000', 1_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'ten', '5 minutes', '-1s', '1w'])('%j is not a duration', (text) => expect(parseDuration(text)).toBeUndefined());
});

describe('withEnvFile', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gcm-env-'));
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('adds the .env variables underneath the real environment', async () => {
    await writeFile(join(dir, '.env'), 'GCM_SCHEDULER_PORT=9999\nGCM_SCHEDULER_CRON="*/5 * * * *"\n# a comment\n');
    const { env, loadedFrom } = withEnvFile({ GCM_SCHEDULER_PORT: '1234' }, join(dir, '.env'));
    expect(loadedFrom).toBe(join(dir, '.env'));
    expect(env['GCM_SCHEDULER_PORT']).toBe('1234');
    expect(env['GCM_SCHEDULER_CRON']).toBe('*/5 * * * *');
  });

  it('is fine without a .env, but not without a file it was pointed at', () => {
    expect(withEnvFile({ A: '1' }, join(dir, '.env'))).toEqual({ env: { A: '1' } });
    expect(() => withEnvFile({ GCM_SCHEDULER_ENV_FILE: join(dir, 'missing.env') })).toThrow(`Cannot read the environment file ${join(dir, 'missing.env')}`);
  });
});
