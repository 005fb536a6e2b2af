import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { collect, GCM_BIN, GcmWorld, ndjson } from './gcm-harness';

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/**
 * What gcm looks like to a person at a terminal: the progress display (driven through a
 * real pseudo-terminal with util-linux `script`), help with examples, and completion.
 */
describe('gcm at a terminal', () => {
  let world: GcmWorld;

  beforeAll(async () => {
    world = await GcmWorld.start({ conversations: 600, days: 7 });
  });
  afterAll(() => world.stop());

  it('draws progress on stderr when it is a terminal, while stdout (a file) gets pure NDJSON', async () => {
    const { from, to } = world.lastDays(7);
    const command = [process.execPath, GCM_BIN, 'search', '--from', from, '--to', to, '--strategy', 'query'].map(quote).join(' ');
    // `script` runs the command on a pseudo-terminal: stderr is a TTY, stdout goes to the file
    const child = spawn('script', ['-qfec', `${command} > results.ndjson`, '/dev/null'], { cwd: world.dir, env: world.env(), stdio: 'pipe' });
    const terminal = await collect(child);

    expect(terminal.code).toBe(0);
    const frames = terminal.stdout.split('\r\x1b[2K').filter((frame) => frame.startsWith('search '));
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.some((frame) => /^search [|/\\-] [\d,]+ {2}analytics query, chunk \d+\/\d+/.test(frame) || /^search \[[#-]+\]/.test(frame))).toBe(true);
    const expected = world.sandbox.truth.conversationIds({ from, to }).length;
    expect(terminal.stdout).toContain(`gcm: ${expected} conversations`);

    const file = await readFile(join(world.dir, 'results.ndjson'), 'utf8');
    expect(file).not.toContain('\r');
    expect(file).not.toContain('\x1b');
    expect(ndjson(file)).toHaveLength(expected);
  });

  it('ends quietly with 0 when the reader of its pipe has had enough (| head)', async () => {
    const { from, to } = world.lastDays(7);
    const command = [process.execPath, GCM_BIN, 'search', '--from', from, '--to', to, '--strategy', 'query'].map(quote).join(' ');
    const piped = await collect(spawn('bash', ['-c', `set -o pipefail; ${command} | head -1`], { cwd: world.dir, env: world.env(), stdio: 'pipe' }));
    expect(piped.code).toBe(0);
    expect(ndjson(piped.stdout)).toHaveLength(1);
    expect(piped.stderr).not.toContain('EPIPE');
  });

  it('prints help with examples, the version, and exits 2 with the help when no command is given', async () => {
    const [help, searchHelp, version, bare, unknown] = await Promise.all([
      world.run(['--help']),
      world.run(['search', '--help']),
      world.run(['--version']),
      world.run([]),
      world.run(['serch']),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: gcm [options] [command]');
    expect(help.stdout).toMatch(/Exit codes: 0 ok, 1 failure, 2 usage, 3 authentication\/permission, 4 rate limit/);
    for (const command of ['doctor', 'session', 'message', 'history', 'search', 'archive', 'audit', 'events', 'sandbox', 'completion']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    expect(searchHelp.code).toBe(0);
    expect(searchHelp.stdout).toContain('Examples:\n  $ gcm search --from 24h | jq -r .conversationId');
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('Usage: gcm');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('(Did you mean search?)');
  });

  it('generates bash and zsh completion from the command tree', async () => {
    const [bash, zsh, wrong] = await Promise.all([world.run(['completion', 'bash']), world.run(['completion', 'zsh']), world.run(['completion', 'fish'])]);
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain('complete -o default -F _gcm_completion gcm');
    expect(zsh.stdout.startsWith('#compdef gcm\nautoload -U +X bashcompinit && bashcompinit\n')).toBe(true);
    expect(wrong.code).toBe(2);

    // the script really completes: subcommands, flags and a flag's choices
    const complete = (words: string[]) =>
      collect(
        spawn('bash', ['-c', `source /dev/stdin <<'GCM'\n${bash.stdout}\nGCM\nCOMP_WORDS=(${words.map(quote).join(' ')}); COMP_CWORD=${words.length - 1}; _gcm_completion; echo "\${COMPREPLY[*]}"`], { stdio: 'pipe' }),
      );
    const [sub, flags, choices] = await Promise.all([complete(['gcm', 'arch']), complete(['gcm', 'archive', 'run', '--ma']), complete(['gcm', 'history', 'x', '--format', ''])]);
    expect(sub.stdout.trim()).toBe('archive');
    expect(flags.stdout.trim().split(' ').sort()).toEqual(['--match', '--max-requests']);
    expect(choices.stdout.trim()).toBe('table text markdown json');
  });
});
