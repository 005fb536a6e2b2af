/**
 * Removes secrets from text before it reaches an error message or a log line. Known
 * secret values (client secret, current tokens) are replaced wherever they appear, and
 * anything shaped like a credential (`Bearer …`, `Basic …`, `access_token=…`) is masked
 * even when we did not know its value.
 */
const CREDENTIAL_PATTERNS: RegExp[] = [
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi,
  /\b(access_token|client_secret|refresh_token|id_token|password)(["']?\s*[:=]\s*["']?)[^"'&\s,}]+/gi,
];

export const REDACTED = '[REDACTED]';

export function redactSecrets(text: string, secrets: Iterable<string | undefined> = []): string {
  let out = text;
  for (const secret of secrets) {
    // very short values would mask ordinary words; real secrets and tokens are long
    if (secret && secret.length >= 6) out = out.split(secret).join(REDACTED);
  }
  out = out.replace(CREDENTIAL_PATTERNS[0], (_m, scheme: string) => `${scheme} ${REDACTED}`);
  out = out.replace(CREDENTIAL_PATTERNS[1], (_m, key: string, sep: string) => `${key}${sep}${REDACTED}`);
  return out;
}
