import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { canonicalJson, contentHash, sha256Hex } from '../canonical-json';
import { Clock, systemClock } from '../clock';
import { storageFaultOf } from '../faults/store-fault';
import { StoreError, StoreErrorCode } from '../store.error';
import type {
  ArchivedDocument,
  ArchivedVersion,
  ArchivePutResult,
  ArchiveSink,
  ArchiveVerification,
} from './archive-sink';
import { assertConversationId } from './conversation-id';

export interface FileSystemArchiveSinkOptions {
  /** the archive root (apps default to ./var/archive) */
  readonly root: string;
  readonly clock?: Clock;
  /** temp files older than this are removed when their directory is written again (default 1 h) */
  readonly staleTempFileMs?: number;
}

export const ARCHIVE_FORMAT = 'gcm.archive.v1';

const VERSION_FILE = /^v(\d+)-([0-9a-f]{12})\.json$/;
const TEMP_FILE = /^\..*\.tmp$/;
/** enough bytes to hold the envelope's leading fields (see `envelopeJson`) */
const HEAD_BYTES = 512;
const HEAD = /^\{"archivedAt":(\d+),"contentHash":"([0-9a-f]{64})","conversationId":"([0-9a-f-]{36})","document":/;
const SHARD = /^[0-9a-f]{2}$/;

interface VersionFile {
  readonly version: number;
  readonly hashPrefix: string;
  readonly name: string;
}

/**
 * One JSON file per conversation version at
 * `<root>/<id[0..2]>/<id[2..4]>/<id>/v<N>-<hash12>.json`.
 *
 * A file becomes visible only complete: it is written to a dot-named temp file in the
 * same directory, fsynced, renamed into place (atomic on POSIX) and the directory is
 * fsynced so the rename survives a power cut. A crash leaves at most a temp file, which
 * readers never list and later writes of the same conversation clean up.
 *
 * The file holds the canonical JSON of an envelope whose first fields (keys sort that
 * way) are archivedAt, contentHash and conversationId, so listing reads only a few
 * hundred bytes per version.
 */
export class FileSystemArchiveSink implements ArchiveSink {
  readonly kind = 'filesystem' as const;
  readonly root: string;
  private readonly clock: Clock;
  private readonly staleTempFileMs: number;
  /** puts of one conversation in this process run one after another (see put) */
  private readonly writing = new Map<string, Promise<unknown>>();

  constructor(options: FileSystemArchiveSinkOptions) {
    this.root = resolve(options.root);
    this.clock = options.clock ?? systemClock;
    this.staleTempFileMs = options.staleTempFileMs ?? 60 * 60_000;
  }

  /**
   * Writes the next version unless this content is archived already. Versions are
   * numbered from the directory listing, so two writers of one conversation must not
   * overlap: within a process puts of a conversation are queued; across processes the
   * work-item lease on the conversation provides the exclusion.
   */
  async put(conversationId: string, document: unknown): Promise<ArchivePutResult> {
    const id = assertConversationId(conversationId);
    const previous = this.writing.get(id) ?? Promise.resolve();
    // a full disk, a read-only mount, no permission: said about the archive directory, so
    // callers can stop at the first one (every later write would fail the same way)
    const next = previous
      .catch(() => undefined)
      .then(() => this.write(id, document))
      .catch((error: unknown) => {
        throw storageFaultOf(error, `the archive directory ${this.root}`) ?? error;
      });
    this.writing.set(id, next);
    const forget = () => {
      if (this.writing.get(id) === next) this.writing.delete(id);
    };
    next.then(forget, forget);
    return next;
  }

  private async write(id: string, document: unknown): Promise<ArchivePutResult> {
    const documentJson = canonicalJson(document);
    const hash = sha256Hex(documentJson);
    const dir = this.directoryOf(id);

    const firstCreated = await mkdir(dir, { recursive: true });
    const { files, temps } = await this.listDirectory(dir);
    await this.removeStale(dir, temps, this.staleTempFileMs);

    for (const file of files) {
      if (file.hashPrefix !== hash.slice(0, 12)) continue;
      const existing = await this.readHead(id, file);
      if (existing.contentHash === hash) return { ...existing, created: false };
    }

    const version = (files.at(-1)?.version ?? 0) + 1;
    const name = `v${version}-${hash.slice(0, 12)}.json`;
    const archivedAt = this.clock.now();
    const body = envelopeJson(archivedAt, hash, id, documentJson, version);
    const temp = join(dir, `.${name}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);

    const handle = await open(temp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o644);
    let handleOpen = true;
    try {
      await handle.writeFile(body, 'utf8');
      await handle.sync();
      handleOpen = false;
      await handle.close();
      await rename(temp, join(dir, name));
    } catch (error) {
      // no partial file: a write cut by a full disk leaves nothing behind
      if (handleOpen) await handle.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await syncDirectory(dir);
    if (firstCreated !== undefined) {
      // new shard directories: their entries in the parents must be durable too
      for (let parent = dirname(dir); ; parent = dirname(parent)) {
        await syncDirectory(parent);
        if (parent === dirname(firstCreated) || parent === dirname(parent)) break;
      }
    }
    return {
      conversationId: id,
      version,
      contentHash: hash,
      location: this.locationOf(id, name),
      archivedAt,
      created: true,
    };
  }

  async get<Document = unknown>(
    conversationId: string,
    version?: number,
  ): Promise<ArchivedDocument<Document> | undefined> {
    const id = assertConversationId(conversationId);
    const file = await this.findFile(id, version);
    if (file === undefined) return undefined;
    const { envelope, actualHash } = await this.readFull(id, file);
    if (envelope.contentHash !== actualHash) {
      throw new StoreError(
        StoreErrorCode.ArchiveCorrupted,
        `Archive ${this.locationOf(id, file.name)} is corrupted: its document hashes to ${actualHash}, ` +
          `not the recorded ${envelope.contentHash}. Restore it from a backup or archive the conversation again.`,
      );
    }
    return {
      conversationId: id,
      version: file.version,
      contentHash: envelope.contentHash,
      location: this.locationOf(id, file.name),
      archivedAt: envelope.archivedAt,
      document: envelope.document as Document,
    };
  }

  async versions(conversationId: string): Promise<ArchivedVersion[]> {
    const id = assertConversationId(conversationId);
    const { files } = await this.listDirectory(this.directoryOf(id));
    return Promise.all(files.map((file) => this.readHead(id, file)));
  }

  async verify(conversationId: string, version?: number): Promise<ArchiveVerification[]> {
    const id = assertConversationId(conversationId);
    const { files } = await this.listDirectory(this.directoryOf(id));
    const selected = version === undefined ? files : files.filter((file) => file.version === version);
    const results: ArchiveVerification[] = [];
    for (const file of selected) {
      const location = this.locationOf(id, file.name);
      const base = { conversationId: id, version: file.version, location };
      if (files.some((other) => other !== file && other.version === file.version)) {
        results.push({ ...base, ok: false, problem: `another file also claims version ${file.version}: two writers overlapped` });
        continue;
      }
      try {
        const { envelope, actualHash } = await this.readFull(id, file);
        const problem =
          envelope.contentHash !== actualHash
            ? 'the document does not match its recorded hash'
            : !actualHash.startsWith(file.hashPrefix)
              ? 'the file name does not match the document hash'
              : envelope.version !== file.version || envelope.conversationId !== id
                ? 'the envelope names another conversation or version than its path'
                : undefined;
        results.push({ ...base, ok: problem === undefined, expectedHash: envelope.contentHash, actualHash, problem });
      } catch (error) {
        results.push({ ...base, ok: false, problem: (error as Error).message });
      }
    }
    return results;
  }

  async *conversationIds(): AsyncIterable<string> {
    for (const first of await listDirectories(this.root, SHARD)) {
      for (const second of await listDirectories(join(this.root, first), SHARD)) {
        const ids = await listDirectories(join(this.root, first, second), /^[0-9a-f-]{36}$/);
        for (const id of ids) {
          if (id.startsWith(first + second)) yield id;
        }
      }
    }
  }

  /** Removes temp files a crashed writer left anywhere under the root. */
  async sweepTempFiles(olderThanMs = this.staleTempFileMs): Promise<number> {
    let removed = 0;
    for await (const id of this.conversationIds()) {
      const dir = this.directoryOf(id);
      const { temps } = await this.listDirectory(dir);
      removed += await this.removeStale(dir, temps, olderThanMs);
    }
    return removed;
  }

  /** Absolute path of a location this sink returned. */
  pathOf(location: string): string {
    const path = resolve(this.root, location);
    if (!path.startsWith(this.root + sep)) {
      throw new StoreError(StoreErrorCode.NotFound, `Location ${location} is outside the archive root.`);
    }
    return path;
  }

  private directoryOf(id: string): string {
    return join(this.root, id.slice(0, 2), id.slice(2, 4), id);
  }

  private locationOf(id: string, name: string): string {
    return relative(this.root, join(this.directoryOf(id), name)).split(sep).join('/');
  }

  private async findFile(id: string, version: number | undefined): Promise<VersionFile | undefined> {
    const { files } = await this.listDirectory(this.directoryOf(id));
    return version === undefined ? files.at(-1) : files.find((file) => file.version === version);
  }

  private async listDirectory(dir: string): Promise<{ files: VersionFile[]; temps: string[] }> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { files: [], temps: [] };
      throw error;
    }
    const files: VersionFile[] = [];
    const temps: string[] = [];
    for (const name of names) {
      const match = VERSION_FILE.exec(name);
      if (match !== null) files.push({ version: Number(match[1]), hashPrefix: match[2], name });
      else if (TEMP_FILE.test(name)) temps.push(name);
    }
    files.sort((a, b) => a.version - b.version || a.name.localeCompare(b.name));
    return { files, temps };
  }

  private async removeStale(dir: string, temps: readonly string[], olderThanMs: number): Promise<number> {
    let removed = 0;
    const cutoff = this.clock.now() - olderThanMs;
    for (const name of temps) {
      const path = join(dir, name);
      try {
        if ((await stat(path)).mtimeMs <= cutoff) {
          await unlink(path);
          removed++;
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    return removed;
  }

  private async readHead(id: string, file: VersionFile): Promise<ArchivedVersion> {
    const path = join(this.directoryOf(id), file.name);
    const handle = await open(path, 'r');
    let head: string;
    try {
      const buffer = Buffer.alloc(HEAD_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
      head = buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
    const match = HEAD.exec(head);
    if (match === null || match[3] !== id) {
      throw new StoreError(
        StoreErrorCode.ArchiveCorrupted,
        `Archive ${this.locationOf(id, file.name)} does not start with a ${ARCHIVE_FORMAT} envelope for ${id}.`,
      );
    }
    return {
      conversationId: id,
      version: file.version,
      contentHash: match[2],
      location: this.locationOf(id, file.name),
      archivedAt: Number(match[1]),
    };
  }

  private async readFull(
    id: string,
    file: VersionFile,
  ): Promise<{ envelope: ArchiveEnvelope; actualHash: string }> {
    const text = await readFile(join(this.directoryOf(id), file.name), 'utf8');
    let envelope: ArchiveEnvelope;
    try {
      envelope = JSON.parse(text) as ArchiveEnvelope;
    } catch (error) {
      throw new StoreError(
        StoreErrorCode.ArchiveCorrupted,
        `Archive ${this.locationOf(id, file.name)} is not valid JSON: ${(error as Error).message}.`,
        { cause: error },
      );
    }
    return { envelope, actualHash: contentHash(envelope.document) };
  }
}

interface ArchiveEnvelope {
  archivedAt: number;
  contentHash: string;
  conversationId: string;
  document: unknown;
  format: string;
  version: number;
}

/**
 * canonicalJson of the envelope, assembled around the already-canonical document so a
 * large document is serialized once. Keys appear in sorted order, as canonicalJson
 * would write them.
 */
function envelopeJson(archivedAt: number, hash: string, id: string, documentJson: string, version: number): string {
  return (
    `{"archivedAt":${archivedAt},"contentHash":"${hash}","conversationId":"${id}",` +
    `"document":${documentJson},"format":"${ARCHIVE_FORMAT}","version":${version}}`
  );
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function listDirectories(dir: string, pattern: RegExp): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((entry) => entry.isDirectory() && pattern.test(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
