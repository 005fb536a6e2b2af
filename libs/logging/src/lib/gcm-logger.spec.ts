import { Redactor } from '@gcm/audit';
import { GcmLogger } from './gcm-logger';

describe('GcmLogger', () => {
  const lines: string[] = [];
  const logger = new GcmLogger({ level: 'info', redactor: new Redactor({ knownSecrets: ['s3cret-value'] }), sink: { write: (line) => lines.push(line) } });
  const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeEach(() => lines.splice(0));

  it('writes pino JSON: one object per line with time, level, message, context and fields', () => {
    logger.emit('info', 'Archive run started', { kind: 'scheduled' }, 'ArchiveRunner');
    expect(lines).toHaveLength(1);
    expect(lines[0].endsWith('}\n')).toBe(true);
    expect(lines[0].indexOf('\n')).toBe(lines[0].length - 1);
    expect(parsed()[0]).toEqual({ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), level: 'info', msg: 'Archive run started', context: 'ArchiveRunner', kind: 'scheduled' });
  });

  it('drops lines below its level', () => {
    logger.emit('debug', 'noise');
    logger.debug('more noise', 'Nest');
    logger.warn('kept', 'Nest');
    expect(parsed().map((line) => line['msg'])).toEqual(['kept']);
  });

  it('tags every line written inside a scope with its run id', async () => {
    const scope: { runId?: string } = {};
    await logger.scope.run(scope, async () => {
      logger.emit('info', 'before the id is known');
      scope.runId = 'run-1';
      await Promise.resolve();
      logger.forLibrary('ArchiveJob').info?.('inside', { queue: 'q' });
    });
    logger.emit('info', 'outside');
    expect(parsed().map((line) => [line['msg'], line['runId']])).toEqual([
      ['before the id is known', undefined],
      ['inside', 'run-1'],
      ['outside', undefined],
    ]);
  });

  it('masks a bearer token inside a logged string and the client secret, in the message and in fields', () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJnY20ifQ.c2lnbmF0dXJl';
    logger.write('error', `Genesys answered 401 to "Authorization: Bearer ${token}" (client secret s3cret-value)`, {
      detail: `request headers: authorization=Bearer opaque-token-1234567890; secret s3cret-value`,
    });
    logger.forLibrary('GenesysTransport').warn?.(`retrying with Bearer opaque-token-1234567890`, {});
    logger.error(`Nest saw Bearer opaque-token-1234567890`, undefined, 'ExceptionsHandler');
    const text = lines.join('');
    for (const secret of [token, 'opaque-token-1234567890', 's3cret-value']) expect(text).not.toContain(secret);
    expect(parsed()[0]['msg']).toContain('Bearer [REDACTED]');
    expect(lines).toHaveLength(3);
  });

  it('adds scope fields under the line\'s own fields: a field passed in wins', async () => {
    await logger.scope.run({ runId: 'scope-run' }, async () => {
      logger.emit('info', 'own', { runId: 'explicit' });
      logger.emit('info', 'scoped');
    });
    expect(parsed().map((line) => line['runId'])).toEqual(['explicit', 'scope-run']);
  });

  it('redacts secret-like fields, bearer tokens and the configured secrets', () => {
    logger.emit('warn', 'login failed with s3cret-value', { headers: { authorization: 'Bearer abc.def.ghi' }, clientSecret: 'x', nested: { password: 'p' } });
    const text = lines.join('');
    expect(text).not.toContain('s3cret-value');
    expect(text).not.toContain('abc.def.ghi');
    expect(parsed()[0]).toMatchObject({ clientSecret: '[REDACTED]', nested: { password: '[REDACTED]' } });
  });

  it('reads Nest\'s logger calls: the last string is the context, an error\'s stack comes first', () => {
    logger.error('Boom', 'Error: Boom\n    at x', 'ExceptionHandler');
    logger.log({ custom: 'object' }, 'Nest');
    expect(parsed()).toEqual([
      expect.objectContaining({ level: 'error', msg: 'Boom', context: 'ExceptionHandler', stack: 'Error: Boom\n    at x' }),
      expect.objectContaining({ level: 'info', msg: '{"custom":"object"}', context: 'Nest' }),
    ]);
  });
});
