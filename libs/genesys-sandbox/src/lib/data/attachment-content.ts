import { createHash } from 'node:crypto';
import { SeededRandom } from '../random/seeded-random';
import { AttachmentMediaType } from './conversation-record';

export interface AttachmentKind {
  mediaType: AttachmentMediaType;
  mime: string;
  extension: string;
  /** File signature, so tools that sniff content see the declared type. */
  magic: Buffer;
}

export const ATTACHMENT_KINDS: readonly AttachmentKind[] = [
  { mediaType: 'Image', mime: 'image/png', extension: 'png', magic: Buffer.from('89504e470d0a1a0a', 'hex') },
  { mediaType: 'Image', mime: 'image/jpeg', extension: 'jpg', magic: Buffer.from('ffd8ffe0', 'hex') },
  { mediaType: 'File', mime: 'application/pdf', extension: 'pdf', magic: Buffer.from('%PDF-1.7\n') },
  { mediaType: 'Video', mime: 'video/mp4', extension: 'mp4', magic: Buffer.from('0000001866747970', 'hex') },
  { mediaType: 'Audio', mime: 'audio/mpeg', extension: 'mp3', magic: Buffer.from('494433', 'hex') },
];

export function attachmentKindFor(mime: string): AttachmentKind | undefined {
  return ATTACHMENT_KINDS.find((k) => k.mime === mime);
}

/**
 * The bytes of a generated attachment: a file signature followed by seeded noise. Derived
 * from (seed, attachment id, size), so they need not be kept: the download route
 * regenerates them and they always hash to the advertised sha256.
 */
export function generatedAttachmentBytes(seed: number, attachmentId: string, mime: string, size: number): Buffer {
  const body = SeededRandom.derive(seed, 'attachment-bytes', attachmentId).bytes(size);
  const magic = attachmentKindFor(mime)?.magic;
  if (magic) magic.copy(body, 0, 0, Math.min(magic.length, size));
  return body;
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
