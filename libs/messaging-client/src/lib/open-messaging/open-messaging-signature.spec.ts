import { signOpenMessagingBody, verifyOpenMessagingSignature } from './open-messaging-signature';

/**
 * Fixture signed outside this code, per the documented algorithm:
 *   printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64
 */
const SECRET = 'whsec-open-integration-Q7';
const BODY =
  '{"id":"m-1","channel":{"platform":"Open","type":"Private","to":{"id":"cust-42"},"time":"2026-01-01T00:00:00.000Z"},"type":"Text","text":"Hello from the agent","direction":"Outbound"}';
const HEADER = 'sha256=+spajODVRDybCOTA6PAo6BdpisAlbKWoiEvPXO3EnxE=';
const HEX = 'faca5a8ce0d5443c9b08e4c0e8f028e817698ac0256ca5a8884bcf5cedc49f11';

describe('verifyOpenMessagingSignature', () => {
  it('accepts a body signed per the documented algorithm (sha256= + base64 HMAC-SHA256)', () => {
    expect(verifyOpenMessagingSignature(BODY, HEADER, SECRET)).toBe(true);
    expect(verifyOpenMessagingSignature(Buffer.from(BODY), HEADER, SECRET)).toBe(true);
    expect(signOpenMessagingBody(BODY, SECRET)).toBe(HEADER);
  });

  it('rejects the body changed by one byte, wherever the byte is', () => {
    for (const index of [0, 57, BODY.length - 1]) {
      const bytes = Buffer.from(BODY);
      bytes[index] ^= 0x01;
      expect(verifyOpenMessagingSignature(bytes, HEADER, SECRET)).toBe(false);
    }
    expect(verifyOpenMessagingSignature(BODY + ' ', HEADER, SECRET)).toBe(false);
  });

  it('rejects a re-serialised body (verify the raw bytes, not parsed JSON)', () => {
    const reserialised = JSON.stringify(JSON.parse(BODY), null, 1);
    expect(verifyOpenMessagingSignature(reserialised, HEADER, SECRET)).toBe(false);
  });

  it('rejects another secret', () => {
    expect(verifyOpenMessagingSignature(BODY, HEADER, SECRET + 'x')).toBe(false);
  });

  it('accepts only the sha256=<base64> form', () => {
    const digest = HEADER.slice('sha256='.length);
    expect(verifyOpenMessagingSignature(BODY, digest, SECRET)).toBe(false); // no prefix
    expect(verifyOpenMessagingSignature(BODY, `sha256=${HEX}`, SECRET)).toBe(false); // hex, as GitHub signs
    expect(verifyOpenMessagingSignature(BODY, `SHA256=${digest}`, SECRET)).toBe(false);
    expect(verifyOpenMessagingSignature(BODY, `sha1=${digest}`, SECRET)).toBe(false);
    expect(verifyOpenMessagingSignature(BODY, `sha256=${digest.replace(/=$/, '')}`, SECRET)).toBe(false); // unpadded
    expect(verifyOpenMessagingSignature(BODY, `sha256=${digest}!!`, SECRET)).toBe(false);
    expect(verifyOpenMessagingSignature(BODY, `sha256=${digest.slice(4)}`, SECRET)).toBe(false); // truncated
    expect(verifyOpenMessagingSignature(BODY, [HEADER, HEADER], SECRET)).toBe(false); // repeated header
    expect(verifyOpenMessagingSignature(BODY, undefined, SECRET)).toBe(false);
    expect(verifyOpenMessagingSignature(BODY, '', SECRET)).toBe(false);
  });

  it('refuses to verify without a secret rather than accept everything', () => {
    expect(() => verifyOpenMessagingSignature(BODY, HEADER, '')).toThrow(/secret/);
  });
});
