import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '@gcm/genesys-sandbox';
import { parseApiKeys, hashApiKey } from './auth/api-key';
import { main, type MainContext } from './main-command';

function context(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: MainContext = {
    argv,
    env,
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    onSignal: () => undefined,
  };
  return { ctx, out: () => out.join(''), err: () => err.join('') };
}

describe('the api command line', () => {
  it('refuses to serve with a bad environment: exit 2, every variable named, secrets hidden', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'gcm-api-main-'));
    const envFile = join(directory, '.env');
    writeFileSync(envFile, 'GCM_API_PORT=99999\n');
    const run = context([], { GCM_API_ENV_FILE: envFile, GENESYSCLOUD_OAUTHCLIENT_SECRET: 'hunter2-secret', GCM_API_OPEN_MESSAGING_SECRET: 'short' });
    expect(await main(run.ctx)).toBe(2);
    const message = run.err();
    expect(message).toMatch(/^The API cannot start: \d+ environment variables need fixing:/);
    for (const name of ['GENESYSCLOUD_REGION', 'GENESYSCLOUD_OAUTHCLIENT_ID', 'GCM_API_KEYS', 'GCM_API_PORT', 'GCM_API_OPEN_MESSAGING_SECRET']) expect(message).toContain(`  - ${name}`);
    expect(message).toContain('GCM_API_PORT ("99999")'); // read from the .env file
    expect(message).not.toContain('short');
    expect(message).not.toContain('hunter2');
  });

  it('makes an API key: printed once, with a GCM_API_KEYS entry holding only its hash', async () => {
    const run = context(['new-key', 'crm', 'read+write', '120']);
    expect(await main(run.ctx)).toBe(0);
    const key = /API key .*: (gcm_\S+)/.exec(run.out())?.[1] as string;
    const entry = /GCM_API_KEYS entry .*: (\S+)/.exec(run.out())?.[1] as string;
    expect(entry).not.toContain(key);
    expect(parseApiKeys(entry)).toEqual({ problems: [], keys: [{ id: 'crm', scopes: new Set(['read', 'write']), sha256: hashApiKey(key), requestsPerMinute: 120 }] });
  });

  it('explains itself on unknown commands and bad arguments', async () => {
    const unknown = context(['frobnicate']);
    expect(await main(unknown.ctx)).toBe(2);
    expect(unknown.err()).toContain('Unknown command "frobnicate".');
    const badScope = context(['new-key', 'crm', 'root']);
    expect(await main(badScope.ctx)).toBe(2);
    expect(badScope.err()).toContain('Scopes: read, write, admin, metrics');
  });

  it('serves until SIGTERM, then shuts down and logs "API stopped" as its last line', async () => {
    const sandbox = await startSandbox({ seed: 3, conversations: 2, agentReplyMs: false });
    const directory = mkdtempSync(join(tmpdir(), 'gcm-api-main-'));
    writeFileSync(join(directory, 'none.env'), '');
    const handlers = new Map<string, () => void>();
    const lines: Array<Record<string, unknown>> = [];
    let exited: (code: number) => void = () => undefined;
    const exitCode = new Promise<number>((resolve) => (exited = resolve));
    try {
      const run = context([], {
        GCM_API_ENV_FILE: join(directory, 'none.env'),
        GENESYSCLOUD_API_BASE_URL: sandbox.apiBaseUrl,
        GENESYSCLOUD_OAUTHCLIENT_ID: sandbox.clientId,
        GENESYSCLOUD_OAUTHCLIENT_SECRET: sandbox.clientSecret,
        GCM_DATABASE_URL: `sqlite:${join(directory, 'gcm.sqlite')}`,
        GCM_ARCHIVE_DIR: join(directory, 'archive'),
        GCM_API_AUDIT_DIR: join(directory, 'audit'),
        GCM_API_KEYS: `ops:read:${hashApiKey('gcm_main-command-spec-key')}`,
        GCM_API_HOST: '127.0.0.1',
        GCM_API_PORT: '0',
      });
      const served = await main({
        ...run.ctx,
        onSignal: (signal, handler) => void handlers.set(signal, handler),
        logSink: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
        exit: (code) => exited(code),
      });
      expect(served).toBeUndefined();
      const url = lines.find((line) => line['msg'] === 'listening')?.['url'] as string;
      expect((await fetch(`${url}/health/live`)).status).toBe(200);

      handlers.get('SIGTERM')?.();
      expect(await exitCode).toBe(0);
      expect(lines.map((line) => line['msg']).slice(-2)).toEqual(['SIGTERM received; shutting down', 'API stopped']);
      expect(lines.at(-1)).toMatchObject({ level: 'info', context: 'Main', time: expect.any(String) });
      expect(JSON.stringify(lines)).not.toContain(sandbox.clientSecret);
    } finally {
      await sandbox.close();
    }
  }, 60_000);
});
