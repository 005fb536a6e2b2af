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
 * State goes to a scratch GCM_STATE_DIR and HOME, so the check is the same on every run.
 *
 * The printed instructions are run as a newcomer would: every URL printed must answer a
 * GET with 2xx (redirects followed, as a browser does), and every command of the "Try:"
 * block must exit 0 when run as printed in a shell, with the `export` lines before it and
 * nothing else of this environment (no GCM_CONFIG: the `local` profile must work as saved).
 * A command that follows live events (`events tail … --max 1`) is started first, and must
 * end on its own once the commands after it made a conversation in its queue.
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
  let exited: Promise<unknown[]>;
  const lines: string[] = [];
  let stderr = '';
  let archivedCount = 0;

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'gcm-start-'));
    // what `npm start` runs (tsx), with only PATH and HOME from this environment: no credentials, no .env values
    const stack = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), 'tools/scripts/start.ts'], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', HOME: stateDir, GCM_STATE_DIR: stateDir, TSX_TSCONFIG_PATH: join(root, 'tsconfig.base.json'), GCM_API_PORT: '0', GCM_SCHEDULER_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = stack;
    stack.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    exited = once(stack, 'exit');
    archivedCount = await new Promise<number>((resolveCount, reject) => {
      createInterface({ input: stack.stdout }).on('line', (line) => {
        lines.push(line);
        const match = /^\[scheduler\] archived (\d+) conversations? \(run succeeded/.exec(line);
        if (match) resolveCount(Number(match[1]));
      });
      void exited.then(() => reject(new Error(`npm start exited early:\n${lines.join('\n')}\n${stderr}`)));
    });
  }, 240_000);

  afterAll(async () => {
    // a failed run must not leave the stack behind: SIGTERM, a bounded wait, then SIGKILL (the apps too)
    if (child && child.exitCode === null && child.signalCode === null) {
      const stopped = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 45_000);
      await stopped;
      clearTimeout(timer);
      // only processes of this run: their environment names this run's state directory
      for (const pid of await stackPids(stateDir)) {
        const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
        if (environ.split('\0').includes(`GCM_STATE_DIR=${stateDir}`)) process.kill(pid, 'SIGKILL');
      }
    }
    await rm(stateDir, { recursive: true, force: true });
  }, 60_000);

  it('prints only URLs that answer a GET, and commands that each succeed as printed', async () => {
    expect(archivedCount).toBeGreaterThan(0);
    const printed = printedInstructions(lines);
    // what a newcomer needs next is there: the review pages, the scheduler, a queue to tail, a profile that works as is
    expect(printed.urls).toEqual(expect.arrayContaining([expect.stringMatching(/\/review$/), expect.stringMatching(/\/readyz$/), expect.stringMatching(/\/__sandbox\/info$/)]));
    expect(printed.commands).toEqual(
      expect.arrayContaining(['npx gcm -p local doctor', 'npx gcm -p local queues', 'npx gcm -p local events tail --queue "General Support" --max 1', 'npx gcm -p local session create --message "Hello"']),
    );
    expect(printed.commands.join('\n')).not.toMatch(/<[a-zA-Z]+>|GCM_CONFIG/);

    const answers = await Promise.all(
      printed.urls.map(async (url) => ({ url, status: (await fetch(url, { signal: AbortSignal.timeout(30_000) })).status })),
    );
    expect(answers.filter((answer) => answer.status < 200 || answer.status > 299)).toEqual([]);

    // a newcomer's shell: PATH and HOME, the printed exports, nothing else
    const shell = (command: string) => runShell(`${printed.exports.join('\n')}\n${command}`, { PATH: process.env['PATH'] ?? '', HOME: stateDir }, 120_000);
    const followers = printed.commands.filter((command) => / events tail /.test(command));
    const tails = followers.map((command) => ({ command, run: shell(command) }));
    await Promise.all(tails.map((tail) => tail.run.stderrIncludes('gcm: following', 60_000)));
    const rest = await Promise.all(printed.commands.filter((command) => !followers.includes(command)).map(async (command) => ({ command, ...(await shell(command).result) })));
    const followed = await Promise.all(tails.map(async (tail) => ({ command: tail.command, ...(await tail.run.result) })));
    const results = [...rest, ...followed];
    expect(results.filter((result) => result.code !== 0).map((result) => `${result.command}: exit ${result.code}\n${result.stderr}`)).toEqual([]);
    expect(results).toHaveLength(printed.commands.length);
    // the local CRM is printed without a URL: it only takes the scheduler's POSTs, and says so to a GET
    expect(printed.urls.some((url) => url.includes('/crm'))).toBe(false);
  }, 240_000);

  it('serves the API with the printed key, keeps secrets where they belong, and stops on Ctrl-C', async () => {
    const stack = child as ChildProcess;
    const api = /^ {2}API +(http:\/\/127\.0\.0\.1:\d+)/m.exec(lines.join('\n'))?.[1];
    const key = /^ {2}API key +(gcm_\S+)/m.exec(lines.join('\n'))?.[1];
    expect(api && key).toBeTruthy();
    const health = await fetch(`${api}/health`);
    expect(health.status).toBe(200);
    const unauthorized = await fetch(`${api}/v1/audit`);
    expect(unauthorized.status).toBe(401);
    const audit = await fetch(`${api}/v1/audit?limit=1`, { headers: { authorization: `Bearer ${key}` } });
    expect(audit.status).toBe(200);
    // the local profile points gcm at this stack's sandbox and archive, with no GCM_CONFIG
    const verify = await runShell(`${process.execPath} ${join(root, 'apps/cli/bin/gcm.js')} -p local archive verify --json`, { PATH: process.env['PATH'] ?? '', HOME: stateDir }, 60_000).result;
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, archiveDir: join(stateDir, 'archive'), indexChecked: true });
    expect((JSON.parse(verify.stdout) as { conversations: number }).conversations).toBeGreaterThanOrEqual(archivedCount);

    // a failing guest request whose path and query carry the guest token
    const deploymentId = /guest deployment ([0-9a-f-]{36})\)/.exec(lines.join('\n'))?.[1];
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
    const configFile = '.config/gcm/config.json';
    const sandboxSecret = (JSON.parse(await readFile(join(stateDir, configFile), 'utf8')) as { profiles: { local: { clientSecret: string } } }).profiles.local.clientSecret;
    expect(sandboxSecret.length).toBeGreaterThan(8);

    stack.kill('SIGINT');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(lines.at(-1)).toBe('gcm: stopped.');
    // the apps shut down gracefully (their logs say so) rather than being killed
    const schedulerLog = await readFile(join(stateDir, 'log/scheduler.log'), 'utf8');
    expect(schedulerLog).toContain('Scheduler stopped');
    // the live feed ran into the local CRM, and closed with the scheduler
    expect(lines.join('\n')).toMatch(/^ {2}CRM \(local\) +receives the live feed/m);
    expect(schedulerLog).toContain('"msg":"Live feed started"');
    expect(schedulerLog).toContain('"msg":"Live feed stopped"');
    expect(await readFile(join(stateDir, 'log/api.log'), 'utf8')).toContain('SIGTERM received; shutting down');

    // ── no token, key or secret where it does not belong ──
    const files = await filesUnder(stateDir);
    expect(files.map((f) => f.path)).toEqual(expect.arrayContaining(['log/api.log', 'log/sandbox.log', 'log/scheduler.log', configFile, 'gcm.sqlite']));
    const holding = (needle: string) => files.filter((f) => f.bytes.includes(needle)).map((f) => f.path);
    expect({ guestToken: holding(guestToken), apiKey: holding(key as string), sandboxSecret: holding(sandboxSecret) }).toEqual({ guestToken: [], apiKey: [], sandboxSecret: [configFile] });
    expect(files.find((f) => f.path === configFile)?.mode).toBe(0o600);
    for (const log of files.filter((f) => f.path.startsWith('log/'))) expect({ path: log.path, mode: log.mode }).toEqual({ path: log.path, mode: 0o600 });
    // the API logged the failing request by its route pattern
    expect(await readFile(join(stateDir, 'log/api.log'), 'utf8')).toContain('"route":"/v1/guest-sessions/:token/messages","status":400');
    const printedLines = [...lines, ...stderr.split('\n')];
    expect(printedLines.filter((line) => line.includes(guestToken) || line.includes(sandboxSecret))).toEqual([]);
    expect(printedLines.filter((line) => line.includes(key as string)).map((line) => line.replace(key as string, '<key>'))).toEqual(['  API key          <key>   (admin; new on every start)', '  export GCM_API_KEY=<key>']);
  }, 240_000);
});

/**
 * What `npm start` printed for the user: the commands of its "Try:" block (comments cut
 * off), the `export` lines among them, and every URL printed anywhere outside a command.
 */
function printedInstructions(lines: readonly string[]): { urls: string[]; exports: string[]; commands: string[] } {
  const start = lines.indexOf('Try:');
  expect(start).toBeGreaterThan(0);
  const block: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('  ')) break;
    block.push(line.trim().replace(/\s+#.*$/, ''));
  }
  const outside = [...lines.slice(0, start), ...lines.slice(start + 1 + block.length)];
  return {
    urls: [...new Set(outside.flatMap((line) => line.match(/https?:\/\/[^\s"'()]+/g) ?? []))],
    exports: block.filter((line) => line.startsWith('export ')),
    commands: block.filter((line) => !line.startsWith('export ')),
  };
}

/**
 * A command in bash, in its own process group, from the repository's directory. `result`
 * settles when it exits, or after `timeoutMs` when the whole group is stopped (SIGTERM,
 * then SIGKILL 5 s later) and the code is null.
 */
function runShell(script: string, env: Record<string, string>, timeoutMs: number) {
  const shell = spawn('bash', ['-c', script], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderrText = '';
  const waiting: Array<{ text: string; done: () => void }> = [];
  shell.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  shell.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderrText += chunk;
    for (const wait of waiting.filter((w) => stderrText.includes(w.text))) wait.done();
  });
  const group = (signal: NodeJS.Signals) => {
    try {
      process.kill(-(shell.pid as number), signal);
    } catch {
      // the group is gone already
    }
  };
  let killTimer: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    group('SIGTERM');
    killTimer = setTimeout(() => group('SIGKILL'), 5_000);
  }, timeoutMs);
  const result = once(shell, 'close').then(([code]) => {
    clearTimeout(timer);
    clearTimeout(killTimer);
    return { code: code as number | null, stdout, stderr: stderrText };
  });
  return {
    result,
    /** Resolves when stderr shows `text`; fails when the command ends first or after `ms`. */
    stderrIncludes(text: string, ms: number): Promise<void> {
      return new Promise<void>((resolveWait, reject) => {
        if (stderrText.includes(text)) return resolveWait();
        const deadline = setTimeout(() => reject(new Error(`no "${text}" on stderr within ${ms / 1000} s:\n${stderrText}`)), ms);
        waiting.push({ text, done: () => (clearTimeout(deadline), resolveWait()) });
        void result.then((r) => (clearTimeout(deadline), reject(new Error(`the command ended (exit ${r.code}) before "${text}":\n${r.stderr}`))));
      });
    },
  };
}

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
