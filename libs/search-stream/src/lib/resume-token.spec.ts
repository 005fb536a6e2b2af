import { decodeResumeToken, encodeResumeToken, searchFingerprint, type ResumeState } from './resume-token';
import { ResumeTokenError, SearchStreamErrorCode } from './search-stream.error';

const state: ResumeState = {
  v: 1,
  kind: 'gcm.search-stream',
  fp: 'abc',
  src: 'jobs',
  window: ['2026-01-01T00:00:00.000Z', '2026-01-31T00:00:00.000Z'],
  chunk: 3,
  chunks: 30,
  span: ['2026-01-04T00:00:00.000Z', '2026-01-05T00:00:00.000Z'],
  at: { kind: 'job', jobId: 'j1', cursor: 'c9', expiresAt: 1 },
  offset: 17,
  own: { yielded: 4, last: 9, atLast: ['x'], ordered: true, recent: ['w', 'x'] },
  results: 1234,
};

function errorOf(token: string): ResumeTokenError {
  try {
    decodeResumeToken(token);
  } catch (error) {
    return error as ResumeTokenError;
  }
  throw new Error('expected an error');
}

describe('resume tokens', () => {
  it('are base64url JSON with a version, and round-trip', () => {
    const token = encodeResumeToken(state);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')).v).toBe(1);
    expect(decodeResumeToken(token)).toEqual(state);
    // a job chunk's position past the job's data availability: the details query's page of the tail
    const inTail: ResumeState = { ...state, at: { kind: 'tail', jobId: 'j1', from: Date.parse('2026-01-04T12:00:00Z'), page: 2 } };
    expect(decodeResumeToken(encodeResumeToken(inTail))).toEqual(inTail);
  });

  it('refuse malformed text with a clear message', () => {
    expect(errorOf('')).toBeInstanceOf(ResumeTokenError);
    expect(errorOf('not a token!').message).toMatch(/not a search-stream token/);
    expect(errorOf(encodeResumeToken(state).slice(0, 40)).message).toMatch(/damaged/);
    expect(errorOf('').code).toBe(SearchStreamErrorCode.InvalidResumeToken);
  });

  it('refuse tokens of other producers and other versions', () => {
    const foreign = Buffer.from(JSON.stringify({ nextPage: 'abc' })).toString('base64url');
    expect(errorOf(foreign).message).toMatch(/not issued by @gcm\/search-stream/);
    const future = encodeResumeToken({ ...state, v: 2 as never });
    expect(errorOf(future).message).toMatch(/has version 2; this version of @gcm\/search-stream reads version 1/);
  });

  it('refuse tokens with damaged fields, naming them', () => {
    expect(errorOf(encodeResumeToken({ ...state, chunk: -1, offset: 1.5 })).message).toMatch(/bad chunk, offset/);
    expect(errorOf(encodeResumeToken({ ...state, at: { kind: 'job', jobId: '' } })).message).toMatch(/bad at/);
    expect(errorOf(encodeResumeToken({ ...state, at: { kind: 'tail', jobId: 'j1', from: 1, page: 0 } })).message).toMatch(/bad at/);
    expect(errorOf(encodeResumeToken({ ...state, at: { kind: 'job', jobId: 'j1', availableUntil: 'soon' as unknown as number } })).message).toMatch(/bad at/);
  });

  it('fingerprints ignore key order', () => {
    expect(searchFingerprint({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(searchFingerprint({ b: [1, { d: 3, c: 2 }], a: 1 }));
    expect(searchFingerprint({ a: 1 })).not.toBe(searchFingerprint({ a: 2 }));
  });
});
