import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const root = resolve(__dirname, '../..');

/**
 * `npm start` on a machine with no Genesys credentials: the sandbox, the API and the
 * scheduler come up as their own processes, the scheduler's start-up run reports
 * `archived N conversations`, the API answers, the scheduler's live feed runs into the
 * local CRM, and Ctrl-C stops everything with exit 0.
 * State goes to a scratch GCM_STATE_DIR, so the check is the same on every run.
 */
describe('npm start (the local stack)', () => {
  let stateDir: string;

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'gcm-start-'));
  });
  afterAll(() => rm(stateDir, { recursive: true, force: true }));

  it('archives at start-up within two minutes, serves the API with the printed key, and stops on Ctrl-C', async () => {
    // what `npm start` runs (tsx), with only PATH and HOME from this environment: no credentials, no .env values
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), 'tools/scripts/start.ts'], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', HOME: stateDir, GCM_STATE_DIR: stateDir, TSX_TSCONFIG_PATH: join(root, 'tsconfig.base.json'), GCM_API_PORT: '0', GCM_SCHEDULER_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = once(child, 'exit');
    const archived = new Promise<number>((resolveCount, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(line);
        const match = /^\[scheduler\] archived (\d+) conversations? \(run succeeded/.exec(line);
        if (match) resolveCount(Number(match[1]));
      });
      void exited.then(() => reject(new Error(`npm start exited early:\n${lines.join('\n')}\n${stderr}`)));
    });

    expect(await archived).toBeGreaterThan(0);
    const api = /^ {2}API +(http:\/\/127\.0\.0\.1:\d+)/m.exec(lines.join('\n'))?.[1];
    const key = /^ {2}API key +(gcm_\S+)/m.exec(lines.join('\n'))?.[1];
    expect(api && key).toBeTruthy();
    const health = await fetch(`${api}/health`);
    expect(health.status).toBe(200);
    const unauthorized = await fetch(`${api}/v1/audit`);
    expect(unauthorized.status).toBe(401);
    const audit = await fetch(`${api}/v1/audit?limit=1`, { headers: { authorization: `Bearer ${key}` } });
    expect(audit.status).toBe(200);
    // the printed gcm examples work: the local profile points gcm at this stack's sandbox and archive
    const gcm = spawn(process.execPath, [join(root, 'apps/cli/bin/gcm.js'), '-p', 'local', 'archive', 'verify', '--json'], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', HOME: stateDir, GCM_CONFIG: join(stateDir, 'gcm-config.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let verified = '';
    gcm.stdout.setEncoding('utf8').on('data', (chunk: string) => (verified += chunk));
    const [gcmCode] = (await once(gcm, 'close')) as [number | null];
    expect(gcmCode).toBe(0);
    expect(JSON.parse(verified)).toMatchObject({ ok: true, archiveDir: join(stateDir, 'archive'), indexChecked: true, conversations: await archived });

    child.kill('SIGINT');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(lines.at(-1)).toBe('gcm: stopped.');
    // the apps shut down gracefully (their logs say so) rather than being killed
    const schedulerLog = await readFile(join(stateDir, 'log/scheduler.log'), 'utf8');
    expect(schedulerLog).toContain('Scheduler stopped');
    // the live feed ran into the local CRM printed with the URLs, and closed with the scheduler
    expect(lines.join('\n')).toMatch(/^ {2}CRM \(local\) +http:\/\/127\.0\.0\.1:\d+\/crm\/records/m);
    expect(schedulerLog).toContain('"msg":"Live feed started"');
    expect(schedulerLog).toContain('"msg":"Live feed stopped"');
    expect(await readFile(join(stateDir, 'log/api.log'), 'utf8')).toContain('SIGTERM received; shutting down');
  }, 180_000);
});
