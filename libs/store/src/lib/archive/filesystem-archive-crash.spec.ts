import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSystemArchiveSink } from './filesystem-archive-sink';

const WRITER = join(__dirname, 'fixtures', 'archive-writer.fixture.ts');

type Mode = 'free' | 'stall-mid-write' | 'stall-before-rename';

interface RoundResult {
  started: number;
  finished: number;
}

/**
 * Runs the writer (plain node with tsx's require hook, so the pid killed is the writer
 * itself) and SIGKILLs it: in the free mode `delayMs` after it starts its `afterPuts`+1-th
 * put, in the stall modes as soon as it reports the stall.
 */
function runAndKill(root: string, round: number, mode: Mode, afterPuts = 0, delayMs = 0): Promise<RoundResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', require.resolve('tsx/cjs'), WRITER, root, String(round), mode], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const result: RoundResult = { started: 0, finished: 0 };
    let stderr = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('writing')) {
          result.started++;
          if (mode === 'free' && result.started === afterPuts + 1) {
            setTimeout(() => child.kill('SIGKILL'), delayMs);
          }
        } else if (line.startsWith('wrote')) {
          result.finished++;
        } else if (line === 'stalled') {
          child.kill('SIGKILL');
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      signal === 'SIGKILL' ? resolve(result) : reject(new Error(`writer exited with ${code}: ${stderr}`)),
    );
  });
}

function tempFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name.endsWith('.tmp')) found.push(entry.name);
    }
  };
  walk(root);
  return found;
}

describe('filesystem archive sink under kill -9', () => {
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'gcm-archive-crash-'));
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('never leaves a partial file visible: every listed version parses and matches its hash', async () => {
    const rounds: RoundResult[] = [];
    rounds.push(await runAndKill(root, 0, 'stall-mid-write'));
    rounds.push(await runAndKill(root, 1, 'stall-before-rename'));
    // then kills at spread-out moments of a put: while serializing, writing, fsyncing
    for (const [index, delayMs] of [0, 15, 30, 40, 50, 65].entries()) {
      rounds.push(await runAndKill(root, index + 2, 'free', index % 2, delayMs));
    }

    const sink = new FileSystemArchiveSink({ root });
    const leftovers = tempFiles(root);
    let visible = 0;
    for await (const id of sink.conversationIds()) {
      for (const version of await sink.versions(id)) {
        const read = await sink.get(id, version.version);
        expect(read?.contentHash).toBe(version.contentHash);
        visible++;
      }
      expect((await sink.verify(id)).filter((result) => !result.ok)).toEqual([]);
    }

    // every put that returned is visible; no put that never started is
    const started = rounds.reduce((sum, round) => sum + round.started, 0);
    const finished = rounds.reduce((sum, round) => sum + round.finished, 0);
    expect(visible).toBeGreaterThanOrEqual(finished);
    expect(visible).toBeLessThanOrEqual(started);
    // the two stalled writes left their temp files (half written, and complete but not
    // renamed), and neither became visible
    expect(leftovers.length).toBeGreaterThanOrEqual(2);

    expect(await sink.sweepTempFiles(0)).toBe(leftovers.length);
    expect(tempFiles(root)).toEqual([]);
    console.info(
      `kill -9: ${rounds.length} kills, ${started} puts started, ${finished} returned, ` +
        `${visible} versions visible, ${leftovers.length} interrupted writes left temp files`,
    );
  }, 60_000);
});
