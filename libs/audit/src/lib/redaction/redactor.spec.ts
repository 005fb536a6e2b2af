import { REDACTED, Redactor } from './redactor';

describe('Redactor', () => {
  const redactor = new Redactor({ piiKeys: ['email', 'phoneNumber'], knownSecrets: ['hunter2-the-client-secret'] });

  it('replaces values under secret keys at any depth, whatever their spelling', () => {
    const input = {
      clientId: 'abc',
      clientSecret: 's1',
      client_secret: 's2',
      'Client-Secret': 's3',
      password: 'p',
      access_token: 't',
      headers: { Authorization: 'Bearer xyz', 'x-api-key': 'k', Cookie: 'sid=1' },
      nested: [{ refreshToken: 'r', apiKey: 'k2' }, { ok: 'visible' }],
      integration: { outboundNotificationWebhookSignatureSecretToken: 'w' },
    };
    expect(redactor.redact(input)).toEqual({
      clientId: 'abc',
      clientSecret: REDACTED,
      client_secret: REDACTED,
      'Client-Secret': REDACTED,
      password: REDACTED,
      access_token: REDACTED,
      headers: { Authorization: REDACTED, 'x-api-key': REDACTED, Cookie: REDACTED },
      nested: [{ refreshToken: REDACTED, apiKey: REDACTED }, { ok: 'visible' }],
      integration: { outboundNotificationWebhookSignatureSecretToken: REDACTED },
    });
    // the input is untouched
    expect(input.clientSecret).toBe('s1');
  });

  it('replaces configured PII keys', () => {
    expect(redactor.redact({ guest: { email: 'a@b.c', phone_number: '+1555', displayName: 'Ann' } })).toEqual({
      guest: { email: REDACTED, phone_number: REDACTED, displayName: 'Ann' },
    });
  });

  it.each([
    ['request failed: Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig', 'eyJ'],
    ['header Authorization: Bearer abcdefgh12345678', 'abcdefgh12345678'],
    [`Basic ${Buffer.from('client:topsecret').toString('base64')}`, Buffer.from('client:topsecret').toString('base64')],
    ['POST https://user:pa55word@login.example.com/oauth/token failed', 'pa55word'],
    ['GET /cb?code=1&access_token=tok123456&state=x', 'tok123456'],
    ['grant_type=client_credentials&client_secret=abcdef123', 'abcdef123'],
    ['{"error":"invalid_client","client_secret":"leaked-value","x":1}', 'leaked-value'],
    ['secret is whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw in the config', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    ['login failed for hunter2-the-client-secret', 'hunter2-the-client-secret'],
  ])('scrubs credentials inside strings: %s', (text, secret) => {
    const redacted = redactor.redactString(text);
    expect(redacted).not.toContain(secret);
    expect(redacted).toContain(REDACTED);
  });

  it('leaves ordinary text alone', () => {
    const text = 'Basic information about the Bearer of the conversation 3f2a; token count 12';
    expect(redactor.redactString(text)).toBe(text);
  });

  it('redacts errors, dates, binary data, cycles and non-JSON numbers safely', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic['self'] = cyclic;
    const error = Object.assign(new Error('token=abcdef123456 rejected'), { code: 'E_AUTH' });
    expect(
      redactor.redact({
        error,
        at: new Date(Date.UTC(2024, 0, 2)),
        blob: Buffer.from('abc'),
        cyclic,
        ratio: Number.NaN,
        big: 10n,
        skipped: undefined,
      }),
    ).toEqual({
      error: { name: 'Error', message: `token=${REDACTED} rejected`, code: 'E_AUTH' },
      at: '2024-01-02T00:00:00.000Z',
      blob: '[binary 3 bytes]',
      cyclic: { name: 'loop', self: '[Circular]' },
      ratio: null,
      big: '10',
    });
  });

  it('learns secrets at run time, ignoring values too short to be secrets', () => {
    const local = new Redactor();
    local.addKnownSecret('late-loaded-secret');
    local.addKnownSecret('abc');
    expect(local.redactString('late-loaded-secret abc')).toBe(`${REDACTED} abc`);
  });
});
