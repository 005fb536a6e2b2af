import { brotliDecompressSync, gunzipSync, inflateSync, type ZlibOptions } from 'node:zlib';
import { findUnsafeString } from '@gcm/text-policy';
import { BodyTooLargeError, MalformedBodyError, UnsupportedMediaTypeError } from './request-body.error';

/** What a route's body is read as: JSON (every REST route) or an HTML form (the review pages' sign-in and sign-out). */
export type BodyKind = 'json' | 'form';

export interface BodyLimits {
  /** GCM_API_BODY_LIMIT: the body as sent and once decompressed. */
  readonly maxBytes: number;
  /** GCM_API_BODY_MAX_DEPTH: nesting of objects and arrays, the body itself being level 1. */
  readonly maxDepth: number;
  /** GCM_API_BODY_MAX_KEYS: object properties over every level. */
  readonly maxKeys: number;
}

/** Content codings the API decodes (RFC 9110 §8.4.1); `identity` is no coding at all. */
export const SUPPORTED_CONTENT_ENCODINGS = ['gzip', 'deflate', 'br'] as const;
const ACCEPT_ENCODING = { 'Accept-Encoding': SUPPORTED_CONTENT_ENCODINGS.join(', ') };

/**
 * Property names that mean something to JavaScript objects. Never fields of a DTO, and
 * class-transformer walks into some of them (`constructor`) as if they were known, so the
 * unknown-field check would not see them: they are refused wherever they appear.
 */
const RESERVED_PROPERTIES = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Turns the bytes of a request into the body a route reads, refusing with a problem that
 * names the field and the limit: the Content-Encoding is decoded (bounded by the body
 * limit: no decompression bomb), the Content-Type must be the route's, the bytes must be
 * UTF-8, JSON must parse, nest at most `maxDepth` levels, hold at most `maxKeys`
 * properties, use no reserved property name, and carry no lone surrogate or NUL in any
 * string (`@gcm/text-policy`). Everything is checked iteratively: depth costs no stack.
 */
export function decodeRequestBody(raw: Buffer, headers: { 'content-type'?: string; 'content-encoding'?: string }, kind: BodyKind, limits: BodyLimits): unknown {
  const bytes = decodeContent(raw, headers['content-encoding'], limits.maxBytes);
  const mediaType = parseMediaType(headers['content-type']);
  const expected = kind === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
  const typeOk = kind === 'json' ? mediaType?.type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(mediaType?.type ?? '') : mediaType?.type === expected;
  if (!mediaType || !typeOk) {
    throw new UnsupportedMediaTypeError(
      mediaType ? `This route takes ${expected}, not ${mediaType.type}. Send the body with Content-Type: ${expected}.` : `The body has no Content-Type. Send it with Content-Type: ${expected}.`,
      'Content-Type',
    );
  }
  if (mediaType.charset !== undefined && mediaType.charset !== 'utf-8' && mediaType.charset !== 'utf8') {
    throw new UnsupportedMediaTypeError(`The body must be UTF-8, not charset=${mediaType.charset}.`, 'Content-Type');
  }
  const text = decodeUtf8(bytes);
  if (kind === 'form') return new URLSearchParams(text);

  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new MalformedBodyError('is not valid JSON', `The request body could not be parsed as JSON (${(error as Error).message.slice(0, 120)}). Send a JSON object with Content-Type: application/json.`, 'INVALID_JSON');
  }
  checkStructure(body, limits);
  const unsafe = findUnsafeString(body, '');
  if (unsafe) {
    const field = unsafe.field === '' ? 'body' : unsafe.field;
    throw new MalformedBodyError(unsafe.problem.message, `${field} ${unsafe.problem.message}.`, unsafe.problem.code, field);
  }
  return body;
}

function decodeContent(raw: Buffer, header: string | undefined, maxBytes: number): Buffer {
  const codings = (header ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length === 0) return raw;
  if (codings.length > 2) throw new UnsupportedMediaTypeError('At most two content codings are decoded. Send the body with one (gzip, deflate or br) or none.', 'Content-Encoding', ACCEPT_ENCODING);
  let bytes = raw;
  // codings are listed in the order they were applied: undo them from the last
  for (const coding of [...codings].reverse()) {
    const decode = coding === 'gzip' || coding === 'x-gzip' ? gunzipSync : coding === 'deflate' ? inflateSync : coding === 'br' ? brotliDecompressSync : undefined;
    if (!decode) {
      throw new UnsupportedMediaTypeError(`The content coding "${coding.slice(0, 40)}" is not supported: send the body as gzip, deflate, br or unencoded.`, 'Content-Encoding', ACCEPT_ENCODING);
    }
    try {
      bytes = (decode as (buffer: Buffer, options: ZlibOptions) => Buffer)(bytes, { maxOutputLength: maxBytes });
    } catch (error) {
      if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new BodyTooLargeError(maxBytes, true);
      throw new MalformedBodyError(
        `is not valid ${coding} data`,
        `The body says Content-Encoding: ${coding} but is not valid ${coding} data. Send it compressed as it says, or without Content-Encoding.`,
        'INVALID_CONTENT_ENCODING',
      );
    }
  }
  return bytes;
}

function parseMediaType(header: string | undefined): { type: string; charset?: string } | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const [type, ...parameters] = header.split(';');
  const charset = parameters
    .map((parameter) => parameter.trim().split('='))
    .find(([name]) => name?.trim().toLowerCase() === 'charset')?.[1]
    ?.trim()
    .replace(/^"(.*)"$/, '$1')
    .toLowerCase();
  return { type: (type ?? '').trim().toLowerCase(), ...(charset !== undefined ? { charset } : {}) };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function decodeUtf8(bytes: Buffer): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new MalformedBodyError('is not valid UTF-8', 'The request body is not valid UTF-8: send text as UTF-8 (invalid bytes are refused, not replaced).', 'INVALID_UTF8');
  }
}

function checkStructure(body: unknown, limits: BodyLimits): void {
  let keys = 0;
  const stack: Array<[unknown, number, string]> = [[body, 1, '']];
  while (stack.length > 0) {
    const [value, depth, path] = stack.pop() as [unknown, number, string];
    if (value === null || typeof value !== 'object') continue;
    const field = path === '' ? 'body' : path;
    if (depth > limits.maxDepth) {
      throw new MalformedBodyError(
        `nests deeper than ${limits.maxDepth} levels`,
        `The request body nests objects and arrays deeper than ${limits.maxDepth} levels (GCM_API_BODY_MAX_DEPTH) at ${field}.`,
        'TOO_DEEP',
        field,
      );
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], depth + 1, `${path}[${i}]`]);
      continue;
    }
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      if (RESERVED_PROPERTIES.has(key)) {
        throw new MalformedBodyError('is a reserved property name', `${childPath} is a reserved property name and never a field of this API.`, 'RESERVED_PROPERTY', childPath);
      }
      if (++keys > limits.maxKeys) {
        throw new MalformedBodyError(
          `has more than ${limits.maxKeys} properties`,
          `The request body has more than ${limits.maxKeys} properties in all (GCM_API_BODY_MAX_KEYS).`,
          'TOO_MANY_PROPERTIES',
        );
      }
      stack.push([child, depth + 1, childPath]);
    }
  }
}
