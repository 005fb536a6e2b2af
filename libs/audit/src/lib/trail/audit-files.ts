import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/*
 * A trail is a directory of `<prefix>-<YYYYMMDD>-<first seq, 12 digits>.jsonl` files.
 * The first seq in the name orders the files and tells the verifier which records a
 * file should start with, so a missing file shows up as a gap between names.
 */
export interface TrailFile {
  readonly name: string;
  readonly path: string;
  /** UTC day the file was started, YYYYMMDD */
  readonly day: string;
  readonly firstSeq: number;
}

export function trailFileName(prefix: string, day: string, firstSeq: number): string {
  return `${prefix}-${day}-${String(firstSeq).padStart(12, '0')}.jsonl`;
}

export function utcDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10).replace(/-/g, '');
}

export async function listTrailFiles(directory: string, prefix: string): Promise<TrailFile[]> {
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d{8})-(\\d{12,})\\.jsonl$`);
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files: TrailFile[] = [];
  for (const name of names) {
    const match = pattern.exec(name);
    if (match !== null) {
      files.push({ name, path: join(directory, name), day: match[1], firstSeq: Number(match[2]) });
    }
  }
  return files.sort((a, b) => a.firstSeq - b.firstSeq || a.name.localeCompare(b.name));
}

export interface FileTail {
  readonly size: number;
  /** bytes up to and including the last newline */
  readonly completeBytes: number;
  /** the last complete line, without its newline */
  readonly lastLine?: Buffer;
}

const TAIL_BLOCK = 64 * 1024;

/** Reads backwards from the end only as far as the last complete line. */
export async function readTail(path: string): Promise<FileTail> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    // `buffer` holds the bytes [position, size)
    let buffer = Buffer.alloc(0);
    let position = size;
    let lastNewline = -1;
    while (position > 0) {
      const start = Math.max(0, position - TAIL_BLOCK);
      const block = Buffer.alloc(position - start);
      await handle.read(block, 0, block.length, start);
      buffer = Buffer.concat([block, buffer]);
      position = start;
      if (lastNewline < 0) {
        const found = buffer.lastIndexOf(0x0a);
        if (found < 0) continue;
        lastNewline = position + found;
      }
      const relative = lastNewline - position;
      const previous = relative > 0 ? buffer.lastIndexOf(0x0a, relative - 1) : -1;
      if (previous >= 0 || position === 0) {
        return { size, completeBytes: lastNewline + 1, lastLine: buffer.subarray(previous + 1, relative) };
      }
    }
    return { size, completeBytes: 0 };
  } finally {
    await handle.close();
  }
}

export interface LineBatch {
  /** complete lines without their newlines; valid only until the next batch is requested */
  readonly lines: Buffer[];
  /** the bytes after the file's last newline, in the final batch only (a torn line) */
  readonly unterminated?: Buffer;
}

/**
 * Yields a file's lines in batches, one batch per chunk read: constant memory (one chunk
 * plus the longest line), and one await per chunk rather than per line. The buffers of a
 * batch are reused afterwards: process a batch before asking for the next.
 */
export async function* readLineBatches(path: string, chunkBytes = 1024 * 1024): AsyncGenerator<LineBatch> {
  const handle = await open(path, 'r');
  try {
    const chunk = Buffer.alloc(chunkBytes);
    let carry: Buffer = Buffer.alloc(0);
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunkBytes, null);
      if (bytesRead === 0) break;
      const data = carry.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
      const lines: Buffer[] = [];
      let start = 0;
      for (let newline = data.indexOf(0x0a, start); newline >= 0; newline = data.indexOf(0x0a, start)) {
        lines.push(data.subarray(start, newline));
        start = newline + 1;
      }
      if (lines.length > 0) yield { lines };
      // copied: `chunk` is overwritten by the next read
      carry = Buffer.from(data.subarray(start));
    }
    if (carry.length > 0) yield { lines: [], unterminated: carry };
  } finally {
    await handle.close();
  }
}
