import { AuditErrorCode } from '../audit.error';
import {
  generateWebhookSecret,
  signWebhook,
  verifyWebhook,
  webhookHeaders,
  webhookSigningKey,
  WebhookVerificationErrorCode,
} from './webhook-signature';

describe('Standard Webhooks signatures', () => {
  const secret = generateWebhookSecret();
  const now = Date.UTC(2024, 6, 1, 12);
  const timestamp = Math.floor(now / 1_000);
  const body = '{"data":{"conversationId":"3f2a9c1e-7b4d-4e8f-9a0b-2c3d4e5f6a7b"},"type":"conversation.archived"}';
  const headers = webhookHeaders(secret, 'msg_1', timestamp, body);

  it('matches the published Standard Webhooks test vector', () => {
    expect(
      signWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}'),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('accepts a valid delivery and returns its id to deduplicate on', () => {
    expect(verifyWebhook(secret, headers, body, { now })).toEqual({ id: 'msg_1', timestamp });
    expect(verifyWebhook(secret, headers, Buffer.from(body), { now: new Date(now + 299_000) })).toEqual({
      id: 'msg_1',
      timestamp,
    });
  });

  it('reads fetch Headers and Node header objects alike', () => {
    expect(verifyWebhook(secret, new Headers({ ...headers }), body, { now }).id).toBe('msg_1');
    const upper = { 'Webhook-Id': headers['webhook-id'], 'WEBHOOK-TIMESTAMP': headers['webhook-timestamp'], 'webhook-signature': [headers['webhook-signature']] };
    expect(verifyWebhook(secret, upper, body, { now }).id).toBe('msg_1');
  });

  it.each([
    ['a changed body', secret, headers, body.replace('archived', 'deleted')],
    ['another secret', generateWebhookSecret(), headers, body],
    ['a changed id', secret, { ...headers, 'webhook-id': 'msg_2' }, body],
    ['a changed timestamp', secret, { ...headers, 'webhook-timestamp': String(timestamp + 1) }, body],
  ])('rejects %s', (_case, key, given, payload) => {
    expect(() => verifyWebhook(key, given, payload, { now })).toThrow(
      expect.objectContaining({ code: WebhookVerificationErrorCode.NoMatchingSignature }),
    );
  });

  it('rejects a timestamp older than 5 minutes, or as far in the future', () => {
    expect(() => verifyWebhook(secret, headers, body, { now: now + 301_000 })).toThrow(
      expect.objectContaining({ code: WebhookVerificationErrorCode.TimestampTooOld }),
    );
    expect(() => verifyWebhook(secret, headers, body, { now: now - 301_000 })).toThrow(
      expect.objectContaining({ code: WebhookVerificationErrorCode.TimestampTooNew }),
    );
    expect(verifyWebhook(secret, headers, body, { now: now + 3_600_000, toleranceSeconds: 7_200 }).id).toBe('msg_1');
  });

  it('accepts any matching signature among several (secret rotation) and ignores other versions', () => {
    const old = generateWebhookSecret();
    const rotated = webhookHeaders([old, secret], 'msg_1', timestamp, body);
    expect(rotated['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verifyWebhook(secret, rotated, body, { now }).id).toBe('msg_1');
    expect(verifyWebhook(old, rotated, body, { now }).id).toBe('msg_1');

    const mixed = { ...headers, 'webhook-signature': `v1a,${'A'.repeat(44)} v1,Zm9v ${headers['webhook-signature']}` };
    expect(verifyWebhook(secret, mixed, body, { now }).id).toBe('msg_1');
  });

  it('rejects missing headers and malformed timestamps', () => {
    expect(() => verifyWebhook(secret, { 'webhook-id': 'x' }, body, { now })).toThrow(
      expect.objectContaining({ code: WebhookVerificationErrorCode.MissingHeaders }),
    );
    expect(() => verifyWebhook(secret, { ...headers, 'webhook-timestamp': '12.5' }, body, { now })).toThrow(
      expect.objectContaining({ code: WebhookVerificationErrorCode.InvalidTimestamp }),
    );
  });

  it.each(['plain-password-value', 'whsec_', 'whsec_c2hvcnQ=', 'whsec_not base64!'])(
    'refuses the malformed secret %j without echoing it',
    (bad) => {
      let error: unknown;
      try {
        webhookSigningKey(bad);
      } catch (caught) {
        error = caught;
      }
      expect(error).toMatchObject({ code: AuditErrorCode.InvalidWebhookSecret });
      const secretPart = bad.replace(/^whsec_/, '');
      if (secretPart !== '') expect((error as Error).message).not.toContain(secretPart);
    },
  );
});
