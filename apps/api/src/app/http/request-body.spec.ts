import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { ApiError } from '../problem/api.error';
import { decodeRequestBody } from './request-body';

const LIMITS = { maxBytes: 4_096, maxDepth: 4, maxKeys: 5 };
const json = { 'content-type': 'application/json' };

function refusal(run: () => unknown): { status: number; slug: string; field?: string; code?: string } {
  try {
    run();
  } catch (error) {
    const e = error as ApiError;
    return { status: e.status, slug: e.slug, field: e.errors?.[0]?.field, code: e.errors?.[0]?.code };
  }
  throw new Error('not refused');
}

describe('decodeRequestBody', () => {
  it('parses UTF-8 JSON, +json types and a UTF-8 charset', () => {
    expect(decodeRequestBody(Buffer.from('{"a":[1,{"b":"é😀"}]}'), json, 'json', LIMITS)).toEqual({ a: [1, { b: 'é😀' }] });
    expect(decodeRequestBody(Buffer.from('{}'), { 'content-type': 'application/merge-patch+json; charset="UTF-8"' }, 'json', LIMITS)).toEqual({});
    expect(decodeRequestBody(Buffer.from('apiKey=x%20y'), { 'content-type': 'application/x-www-form-urlencoded' }, 'form', LIMITS)).toEqual(new URLSearchParams({ apiKey: 'x y' }));
  });

  it('decodes gzip, deflate and br, and two codings in the order they were applied', () => {
    const body = Buffer.from('{"ok":true}');
    for (const [coding, bytes] of [['gzip', gzipSync(body)], ['deflate', deflateSync(body)], ['br', brotliCompressSync(body)], ['identity', body]] as const) {
      expect(decodeRequestBody(bytes, { ...json, 'content-encoding': coding }, 'json', LIMITS)).toEqual({ ok: true });
    }
    expect(decodeRequestBody(brotliCompressSync(gzipSync(body)), { ...json, 'content-encoding': 'gzip, br' }, 'json', LIMITS)).toEqual({ ok: true });
  });

  it('refuses broken, unknown and too many codings, and bombs', () => {
    expect(refusal(() => decodeRequestBody(Buffer.from('{}'), { ...json, 'content-encoding': 'deflate' }, 'json', LIMITS))).toEqual({ status: 400, slug: 'malformed-body', field: 'body', code: 'INVALID_CONTENT_ENCODING' });
    expect(refusal(() => decodeRequestBody(Buffer.from('{}'), { ...json, 'content-encoding': 'zstd' }, 'json', LIMITS))).toMatchObject({ status: 415, field: 'Content-Encoding' });
    expect(refusal(() => decodeRequestBody(Buffer.from('{}'), { ...json, 'content-encoding': 'gzip, gzip, gzip' }, 'json', LIMITS))).toMatchObject({ status: 415 });
    expect(refusal(() => decodeRequestBody(gzipSync(Buffer.alloc(5_000, 32)), { ...json, 'content-encoding': 'gzip' }, 'json', LIMITS))).toMatchObject({ status: 413, slug: 'body-too-large' });
  });

  it('refuses other content types and charsets with 415 naming Content-Type', () => {
    for (const type of [undefined, 'text/plain', 'application/jsonx', 'application/json; charset=iso-8859-1']) {
      expect(refusal(() => decodeRequestBody(Buffer.from('{}'), { 'content-type': type }, 'json', LIMITS))).toMatchObject({ status: 415, field: 'Content-Type' });
    }
    expect(refusal(() => decodeRequestBody(Buffer.from('{}'), json, 'form', LIMITS))).toMatchObject({ status: 415 });
  });

  it('refuses bytes that are not UTF-8 and text that is not JSON', () => {
    expect(refusal(() => decodeRequestBody(Buffer.from([0x22, 0xc0, 0xaf, 0x22]), json, 'json', LIMITS))).toMatchObject({ status: 400, code: 'INVALID_UTF8' });
    expect(refusal(() => decodeRequestBody(Buffer.from('{"a":'), json, 'json', LIMITS))).toMatchObject({ status: 400, code: 'INVALID_JSON' });
  });

  it('allows exactly maxDepth levels and maxKeys properties, refusing one more, naming where', () => {
    expect(decodeRequestBody(Buffer.from('{"a":{"b":[[1]]}}'), json, 'json', LIMITS)).toEqual({ a: { b: [[1]] } });
    expect(refusal(() => decodeRequestBody(Buffer.from('{"a":{"b":[[[1]]]}}'), json, 'json', LIMITS))).toEqual({ status: 400, slug: 'malformed-body', field: 'a.b[0][0]', code: 'TOO_DEEP' });
    expect(decodeRequestBody(Buffer.from('{"a":1,"b":2,"c":{"d":3,"e":4}}'), json, 'json', LIMITS)).toBeDefined();
    expect(refusal(() => decodeRequestBody(Buffer.from('{"a":1,"b":2,"c":{"d":3,"e":4,"f":5}}'), json, 'json', LIMITS))).toMatchObject({ field: 'body', code: 'TOO_MANY_PROPERTIES' });
  });

  it('refuses reserved property names and lone surrogates or NUL anywhere, naming the field', () => {
    expect(refusal(() => decodeRequestBody(Buffer.from('{"a":{"__proto__":{}}}'), json, 'json', LIMITS))).toMatchObject({ field: 'a.__proto__', code: 'RESERVED_PROPERTY' });
    expect(refusal(() => decodeRequestBody(Buffer.from('[{"constructor":1}]'), json, 'json', LIMITS))).toMatchObject({ field: '[0].constructor', code: 'RESERVED_PROPERTY' });
    expect(refusal(() => decodeRequestBody(Buffer.from('{"a":["ok","\\ud800"]}'), json, 'json', LIMITS))).toMatchObject({ field: 'a[1]', code: 'LONE_SURROGATE' });
    expect(refusal(() => decodeRequestBody(Buffer.from('"\\u0000"'), json, 'json', LIMITS))).toMatchObject({ field: 'body', code: 'NUL' });
  });
});
