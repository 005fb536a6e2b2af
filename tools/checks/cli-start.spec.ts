import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
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
 *
 * Then the secrets check: a guest session is opened and a failing guest request sent (its
 * token in the path and the query), and after the stack stops every file under the state
 * directory and the whole console output are searched for the guest token, the API key
 * and the sandbox's client secret. The key may appear only where start-up prints it; the
 * secret only in the owner-only (0600) gcm config file.
 */
describe('npm start (the local stack)', () => {
  let stateDir: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'gcm-start-'));
  });
  afterAll(async () => {
    // a failed run must not leave the stack behind: SIGTERM, a bounded wait, then SIGKILL (the apps too)
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 45_000);
      await exited;
      clearTimeout(timer);
      // only processes of this run: their environment names this run's state directory
      for (const pid of await stackPids(stateDir)) {
        const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
        if (environ.split('\0').includes(`GCM_STATE_DIR=${stateDir}`)) process.kill(pid, 'SIGKILL');
      }
    }
    await rm(stateDir, { recursive: true, force: true });
  }, 60_000);

  it('archives at start-up within two minutes, serves the API with the printed key, and stops on Ctrl-C', async () => {
    // what `npm start` runs (tsx), with only PATH and HOME from this environment: no credentials, no .env values
    const stack = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), 'tools/scripts/start.ts'], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', HOME: stateDir, GCM_STATE_DIR: stateDir, TSX_TSCONFIG_PATH: join(root, 'tsconfig.base.json'), GCM_API_PORT: '0', GCM_SCHEDULER_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = stack;
    const lines: string[] = [];
    let stderr = '';
    stack.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = once(stack, 'exit');
    const archived = new Promise<number>((resolveCount, reject) => {
      createInterface({ input: stack.stdout }).on('line', (line) => {
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

    // a failing guest request whose path and query carry the guest token
    const deploymentId = /\(guest deployment ([0-9a-f-]{36})\)/.exec(lines.join('\n'))?.[1];
    const opened = await fetch(`${api}/v1/guest-sessions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ deploymentId }) });
    expect(opened.status).toBe(201);
    const guestToken = ((await opened.json()) as { token: string }).token;
    const failing = await fetch(`${api}/v1/guest-sessions/${guestToken}/messages?token=${guestToken}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: '{"text":"a\\u0000b"}',
    });
    expect(failing.status).toBe(400);
    expect((await fetch(`${api}/v1/guest-sessions/${guestToken}/messages`, { headers: { authorization: `Bearer ${guestToken}` } })).status).toBe(401);
    const sandboxSecret = (JSON.parse(await readFile(join(stateDir, 'gcm-config.json'), 'utf8')) as { profiles: { local: { clientSecret: string } } }).profiles.local.clientSecret;
    expect(sandboxSecret.length).toBeGreaterThan(8);

    stack.kill('SIGINT');
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

    // ── no token, key or secret where it does not belong ──
    const files = await filesUnder(stateDir);
    expect(files.map((f) => f.path)).toEqual(expect.arrayContaining(['log/api.log', 'log/sandbox.log', 'log/scheduler.log', 'gcm-config.json', 'gcm.sqlite']));
    const holding = (needle: string) => files.filter((f) => f.bytes.includes(needle)).map((f) => f.path);
    expect({ guestToken: holding(guestToken), apiKey: holding(key as string), sandboxSecret: holding(sandboxSecret) }).toEqual({ guestToken: [], apiKey: [], sandboxSecret: ['gcm-config.json'] });
    expect(files.find((f) => f.path === 'gcm-config.json')?.mode).toBe(0o600);
    for (const log of files.filter((f) => f.path.startsWith('log/'))) expect({ path: log.path, mode: log.mode }).toEqual({ path: log.path, mode: 0o600 });
    // the API logged the failing request by its route pattern
    expect(await readFile(join(stateDir, 'log/api.log'), 'utf8')).toContain('"route":"/v1/guest-sessions/:token/messages","status":400');
    const printed = [...lines, ...stderr.split('\n')];
    expect(printed.filter((line) => line.includes(guestToken) || line.includes(sandboxSecret))).toEqual([]);
    expect(printed.filter((line) => line.includes(key as string)).map((line) => line.replace(key as string, '<key>'))).toEqual(['  API key          <key>   (admin; new on every start)', '  export GCM_API_KEY=<key>']);
  }, 240_000);
});

/** Every file under `root` (recursively), with its bytes and permission bits. */
async function filesUnder(root: string, relative = ''): Promise<Array<{ path: string; bytes: Buffer; mode: number }>> {
  const out: Array<{ path: string; bytes: Buffer; mode: number }> = [];
  for (const entry of await readdir(join(root, relative), { withFileTypes: true })) {
    const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await filesUnder(root, path)));
    else if (entry.isFile()) out.push({ path, bytes: await readFile(join(root, path)), mode: (await stat(join(root, path))).mode & 0o777 });
  }
  return out;
}

/** The pids `npm start` wrote at the head of each process log (`--- <time> npm start (pid N)`). */
async function stackPids(stateDir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of ['sandbox', 'api', 'scheduler']) {
    const text = await readFile(join(stateDir, 'log', `${name}.log`), 'utf8').catch(() => '');
    for (const match of text.matchAll(/npm start \(pid (\d+)\)/g)) pids.push(Number(match[1]));
  }
  return pids;
}
