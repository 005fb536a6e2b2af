import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { collect, GCM_BIN, GcmWorld } from './gcm-harness';

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/**
 * What a newcomer tries in the first hour (issue #21): every command either does what it
 * says or fails with the right exit code and a message saying why — an unknown session,
 * a folder that is not an archive, a queue or conversation id that is a path, doubled
 * defaults in help, completion of profiles and directories, and queues by name.
 */
describe('gcm: honest about what it did', () => {
  let world: GcmWorld;

  beforeAll(async () => {
    world = await GcmWorld.start({ conversations: 20, days: 2, agentReplyMs: false });
  });
  afterAll(() => world.stop());

  it('message send --session with an unknown token is an error (exit 2), and no conversation is started', async () => {
    const conversationsBefore = world.sandbox.truth.guestConversationIds().length;
    const sessionsBefore = world.sandbox.webMessaging.sessions().length;
    // not a token at all: refused before a socket is opened
    const nope = await world.run(['message', 'send', '--session', 'nope', '--text', 'hi']);
    expect(nope.code).toBe(2);
    expect(nope.stdout).toBe('');
    expect(nope.stderr).toContain('gcm: --session "nope" is not a guest session token; nothing was sent');
    expect(world.sandbox.webMessaging.sessions()).toHaveLength(sessionsBefore);
    // a token Genesys does not know: it answers with a new session, gcm sends nothing
    const unknown = await world.run(['message', 'send', '--session', 'c0ffee00-1111-4000-8000-000000000000', '--text', 'hi', '--json']);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(JSON.parse(unknown.stderr)).toEqual({
      error: {
        code: 'SESSION_NOT_FOUND',
        exitCode: 2,
        message: '--session names no open guest session (the token is unknown, or its session ended); nothing was sent',
        hint: 'Open one with `gcm session create` and pass the token it prints.',
      },
    });
    expect(world.sandbox.truth.guestConversationIds()).toHaveLength(conversationsBefore);
  });

  it('archive verify --dir on a folder that is not an archive exits 2; an empty folder is an empty archive', async () => {
    const empty = join(world.dir, 'empty-archive');
    await mkdir(empty);
    const aFile = join(world.dir, 'not-a-dir.txt');
    await writeFile(aFile, 'x');
    const [etc, file, emptyArchive] = await Promise.all([
      world.run(['archive', 'verify', '--dir', '/etc', '--no-index']),
      world.run(['archive', 'verify', '--dir', aFile, '--no-index']),
      world.run(['archive', 'verify', '--dir', empty, '--no-index', '--json']),
    ]);
    expect(etc.code).toBe(2);
    expect(etc.stdout).toBe('');
    expect(etc.stderr).toMatch(/^gcm: \/etc is not a gcm archive: it holds .+ and no archive shard directory/m);
    expect(etc.stderr).not.toContain('ok:');
    expect(file.code).toBe(2);
    expect(file.stderr).toContain(`${aFile} is not a directory, so not an archive`);
    expect(emptyArchive.code).toBe(0);
    expect(JSON.parse(emptyArchive.stdout)).toMatchObject({ ok: true, conversations: 0 });
  });

  it('refuses an id that is not a Genesys id locally, with exit 2, before any request', async () => {
    const requestsBefore = world.sandbox.stats.snapshot().requests.total;
    const [history, agent, verify, user] = await Promise.all([
      world.run(['history', '../../etc/passwd']),
      world.run(['message', 'send', '--conversation', '../x', '--text', 'hi']),
      world.run(['archive', 'verify', '--dir', join(world.dir, 'empty-archive'), '--conversation', '../../x', '--no-index']),
      world.run(['events', 'tail', '--user', 'a/b']),
    ]);
    expect([history.code, agent.code, verify.code, user.code]).toEqual([2, 2, 2, 2]);
    expect(history.stderr).toContain('gcm: conversationId "../../etc/passwd" is not a Genesys id');
    expect(history.stderr).toContain('hint: Genesys ids are UUIDs');
    expect(agent.stderr).toContain('gcm: --conversation "../x" is not a Genesys id');
    expect(verify.stderr).toContain('gcm: --conversation "../../x" is not a Genesys id');
    expect(user.stderr).toContain('gcm: --user "a/b" is not a Genesys id');
    expect(world.sandbox.stats.snapshot().requests.total).toBe(requestsBefore);
  });

  it('events tail --queue takes a name or an id; anything else is a usage error (exit 2) naming `gcm queues`', async () => {
    const [path, unknownName] = await Promise.all([
      world.run(['events', 'tail', '--queue', '../../x']),
      world.run(['events', 'tail', '--queue', 'No Such Queue', '--json']),
    ]);
    expect(path.code).toBe(2);
    expect(path.stderr).toContain('gcm: --queue "../../x" is neither a queue id nor the name of a queue');
    expect(path.stderr).toContain('hint: Run `gcm queues` to list the queues (name and id).');
    expect(path.stderr).not.toContain('Unexpected');
    expect(JSON.parse(unknownName.stderr)).toMatchObject({ error: { code: 'USAGE', exitCode: 2 } });

    // by name (any case): gcm says which queue it follows
    const child = world.spawn(['events', 'tail', '--queue', 'orders', '--max', '1']);
    let stderr = '';
    let interrupted = false;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      // one Ctrl-C: a second one would exit at once
      if (interrupted || !stderr.includes('gcm: following')) return;
      interrupted = true;
      child.kill('SIGINT');
    });
    const result = await collect(child);
    expect(stderr).toMatch(/gcm: following queue Orders \(1 topic\)/);
    expect(result.code).toBe(130);
  });

  it('gcm queues lists the routing queues by name and id', async () => {
    const [json, human] = await Promise.all([world.run(['queues', '--json']), world.run(['queues'])]);
    expect(json.code).toBe(0);
    const queues = JSON.parse(json.stdout) as Array<{ id: string; name: string; divisionName?: string }>;
    const catalog = world.sandbox.truth.catalog.queues;
    expect(queues.map((q) => [q.name, q.id]).sort()).toEqual(catalog.map((q) => [q.name, q.id]).sort());
    expect(queues.every((q) => typeof q.divisionName === 'string')).toBe(true);
    expect(human.code).toBe(0);
    expect(human.stdout.split('\n')[0]).toMatch(/^NAME +ID +DIVISION +MEMBERS$/);
    for (const queue of catalog) expect(human.stdout).toMatch(new RegExp(`^${queue.name} +${queue.id} `, 'm'));
  });

  it('help shows each default once', async () => {
    const [search, archiveRun] = await Promise.all([world.run(['search', '--help']), world.run(['archive', 'run', '--help'])]);
    for (const help of [search, archiveRun]) {
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/--to <time> +window end, exclusive \(default: "now"\)\n/);
      expect(help.stdout).not.toContain('(default now)');
    }
  });

  it('completion offers profile names after -p and directories only after --out and --dir', async () => {
    await writeFile(join(world.dir, 'config.json'), JSON.stringify({ profiles: { alpha: { region: 'eu-west-1' }, beta: { region: 'us-east-1' } } }));
    const tree = join(world.dir, 'tree');
    await mkdir(join(tree, 'archives'), { recursive: true });
    await writeFile(join(tree, 'archive-notes.txt'), 'x');
    const script = (await world.run(['completion', 'bash'])).stdout;
    // COMP_WORDS[0] is how the user called gcm: here the real executable's path
    const complete = (words: string[]) =>
      collect(
        spawn('bash', ['-c', `source /dev/stdin <<'GCM'\n${script}\nGCM\nCOMP_WORDS=(${words.map(quote).join(' ')}); COMP_CWORD=${words.length - 1}; _gcm_completion; echo "\${COMPREPLY[*]}"`], {
          cwd: tree,
          env: world.env(),
          stdio: 'pipe',
        }),
      );
    const [profiles, longProfile, out, dir, deployment, format] = await Promise.all([
      complete([GCM_BIN, '-p', '']),
      complete([GCM_BIN, 'search', '--profile', 'a']),
      complete([GCM_BIN, 'archive', 'run', '--out', 'arch']),
      complete([GCM_BIN, 'archive', 'verify', '-d', 'arch']),
      complete([GCM_BIN, 'session', 'create', '-d', 'arch']),
      complete([GCM_BIN, 'history', 'x', '-f', '']),
    ]);
    expect(profiles.stdout.trim()).toBe('alpha beta');
    expect(longProfile.stdout.trim()).toBe('alpha');
    expect(out.stdout.trim()).toBe('archives');
    expect(dir.stdout.trim()).toBe('archives');
    // -d of session create is the deployment id: no file names
    expect(deployment.stdout.trim()).toBe('');
    expect(format.stdout.trim()).toBe('table text markdown json');
    const names = await world.run(['config', 'list', '--names']);
    expect(names.stdout).toBe('alpha\nbeta\n');
  });
});
