import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock, planTestDatabases, TestDatabase } from '../../testing';
import { canonicalJson, contentHash } from '../canonical-json';
import { StoreErrorCode } from '../store.error';
import type { ArchiveSink } from './archive-sink';
import { DatabaseArchiveSink } from './database-archive-sink';
import { FileSystemArchiveSink } from './filesystem-archive-sink';

const plan = planTestDatabases(process.env);
if (plan.skipped !== undefined) console.warn(plan.skipped);

const ID = '3f2a9c1e-7b4d-4e8f-9a0b-2c3d4e5f6a7b';
const OTHER = '3f2a0000-0000-4000-8000-000000000000';
const transcript = (messages: string[]) => ({
  conversationId: ID,
  messages: messages.map((text, index) => ({ id: `m${index}`, text, timestamp: 1_700_000_000_000 + index })),
});

interface SinkFixture {
  sink: ArchiveSink;
  dispose(): Promise<void>;
}

const fixtures: [string, (clock: FakeClock) => Promise<SinkFixture>][] = [
  [
    'filesystem',
    async (clock) => {
      const root = mkdtempSync(join(tmpdir(), 'gcm-archive-'));
      return {
        sink: new FileSystemArchiveSink({ root, clock }),
        dispose: async () => rmSync(root, { recursive: true, force: true }),
      };
    },
  ],
  ...plan.engines.map((engine): [string, (clock: FakeClock) => Promise<SinkFixture>] => [
    `database (${engine})`,
    async (clock) => {
      const database = await TestDatabase.create(engine, plan, { clock });
      return { sink: new DatabaseArchiveSink(database.store), dispose: () => database.dispose() };
    },
  ]),
];

describe.each(fixtures)('%s archive sink', (_name, create) => {
  const clock = new FakeClock(Date.UTC(2024, 5, 1));
  let fixture: SinkFixture;
  let sink: ArchiveSink;

  beforeAll(async () => {
    fixture = await create(clock);
    sink = fixture.sink;
  });

  afterAll(async () => {
    await fixture?.dispose();
  });

  it('stores a new version only when the content changes', async () => {
    const first = await sink.put(ID, transcript(['hello']));
    clock.advance(1_000);
    // same content, other key order: same canonical JSON, so no new version
    const same = await sink.put(ID, { messages: transcript(['hello']).messages, conversationId: ID });
    const second = await sink.put(ID, transcript(['hello', 'how can I help?']));

    expect(first).toMatchObject({ conversationId: ID, version: 1, created: true, archivedAt: clock.now() - 1_000 });
    expect(first.contentHash).toBe(contentHash(transcript(['hello'])));
    expect(same).toEqual({ ...first, created: false });
    expect(second).toMatchObject({ version: 2, created: true });
    expect((await sink.versions(ID)).map((v) => [v.version, v.contentHash])).toEqual([
      [1, first.contentHash],
      [2, second.contentHash],
    ]);
  });

  it('reads back the latest or a given version, and verifies every version', async () => {
    expect(await sink.get(ID)).toMatchObject({ version: 2, document: transcript(['hello', 'how can I help?']) });
    expect(await sink.get(ID, 1)).toMatchObject({ version: 1, document: transcript(['hello']) });
    expect(await sink.get(ID, 3)).toBeUndefined();
    expect(await sink.get(OTHER)).toBeUndefined();
    expect(await sink.versions(OTHER)).toEqual([]);

    const verified = await sink.verify(ID);
    expect(verified.map((result) => [result.version, result.ok])).toEqual([
      [1, true],
      [2, true],
    ]);
    expect(verified[0].actualHash).toBe(verified[0].expectedHash);
  });

  it('keeps documents that JSON round-trips faithfully, unicode and numbers included', async () => {
    const document = { text: 'Grüße 👋 "quoted" \\ back', big: 12345678901234, small: 0.1, neg: -1e-7, nested: [[], {}] };
    const put = await sink.put(OTHER, document);
    expect((await sink.get(OTHER))?.document).toEqual(document);
    expect(put.contentHash).toBe(contentHash(document));
    expect((await sink.verify(OTHER))[0].ok).toBe(true);
  });

  it('lists archived conversation ids in order', async () => {
    const ids: string[] = [];
    for await (const id of sink.conversationIds()) ids.push(id);
    expect(ids).toEqual([OTHER, ID].sort());
  });

  it.each(['../../etc/passwd', 'abc', '', '3f2a9c1e-7b4d-4e8f-9a0b-2c3d4e5f6a7b/../x', '/tmp/3f2a9c1e'])(
    'rejects the conversation id %j',
    async (bad) => {
      await expect(sink.put(bad, {})).rejects.toMatchObject({
        code: StoreErrorCode.InvalidConversationId,
        message: expect.stringContaining('UUID'),
      });
      await expect(sink.get(bad)).rejects.toMatchObject({ code: StoreErrorCode.InvalidConversationId });
    },
  );

  it('refuses values JSON cannot represent', async () => {
    await expect(sink.put(ID, { n: Number.NaN })).rejects.toMatchObject({ code: StoreErrorCode.InvalidDocument });
  });
});

describe('filesystem archive sink on disk', () => {
  let root: string;
  let sink: FileSystemArchiveSink;
  const clock = new FakeClock(Date.UTC(2024, 5, 1));

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'gcm-archive-'));
    sink = new FileSystemArchiveSink({ root, clock });
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes one canonical JSON file per version under a sharded path', async () => {
    const put = await sink.put(ID.toUpperCase(), transcript(['hi']));
    const expectedName = `v1-${put.contentHash.slice(0, 12)}.json`;

    expect(put.conversationId).toBe(ID);
    expect(put.location).toBe(`3f/2a/${ID}/${expectedName}`);
    expect(readdirSync(join(root, '3f', '2a', ID))).toEqual([expectedName]);
    const text = readFileSync(sink.pathOf(put.location), 'utf8');
    expect(canonicalJson(JSON.parse(text))).toBe(text);
    expect(JSON.parse(text)).toEqual({
      archivedAt: clock.now(),
      contentHash: put.contentHash,
      conversationId: ID,
      document: transcript(['hi']),
      format: 'gcm.archive.v1',
      version: 1,
    });
  });

  it('finds a changed byte: verify reports it and get refuses to return it', async () => {
    const put = await sink.put(ID, transcript(['the original text']));
    const path = sink.pathOf(put.location);
    writeFileSync(path, readFileSync(path, 'utf8').replace('original', 'tampered'));

    expect(await sink.verify(ID)).toEqual([
      expect.objectContaining({
        ok: false,
        expectedHash: put.contentHash,
        problem: 'the document does not match its recorded hash',
      }),
    ]);
    await expect(sink.get(ID)).rejects.toMatchObject({ code: StoreErrorCode.ArchiveCorrupted });
  });

  it('ignores temp files when reading and removes stale ones', async () => {
    await sink.put(ID, transcript(['a']));
    const dir = join(root, '3f', '2a', ID);
    writeFileSync(join(dir, '.v2-000000000000.json.123-abcd.tmp'), '{"archivedAt":1,"conte');

    expect((await sink.versions(ID)).map((v) => v.version)).toEqual([1]);
    expect((await sink.verify(ID)).every((result) => result.ok)).toBe(true);
    expect((await sink.get(ID))?.version).toBe(1);

    expect(await sink.sweepTempFiles(60 * 60_000)).toBe(0);
    clock.set(Date.now() + 60 * 60_000);
    expect(await sink.sweepTempFiles()).toBe(1);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('numbers concurrent puts of one conversation one after another', async () => {
    const results = await Promise.all([
      sink.put(ID, transcript(['a'])),
      sink.put(ID, transcript(['a', 'b'])),
      sink.put(ID, transcript(['a'])),
    ]);
    expect(results.map((result) => [result.version, result.created])).toEqual([
      [1, true],
      [2, true],
      [1, false],
    ]);
    expect((await sink.verify(ID)).every((result) => result.ok)).toBe(true);
  });

  it('flags two files claiming the same version (writers in two processes overlapped)', async () => {
    const put = await sink.put(ID, transcript(['a']));
    const path = sink.pathOf(put.location);
    copyFileSync(path, path.replace(/v1-[0-9a-f]{12}/, 'v1-000000000000'));
    expect((await sink.verify(ID)).map((result) => [result.ok, result.problem])).toEqual([
      [false, 'another file also claims version 1: two writers overlapped'],
      [false, 'another file also claims version 1: two writers overlapped'],
    ]);
  });

  it('refuses a location outside the root', () => {
    expect(() => sink.pathOf('../../etc/passwd')).toThrow(/outside the archive root/);
  });
});
