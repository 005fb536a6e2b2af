import { formatApiKeyEntry, generateApiKey, grants, hashApiKey, parseApiKeys } from './api-key';
import { ApiKeyRegistry } from './api-key.registry';

describe('API keys', () => {
  it('generates 256-bit keys and stores only their SHA-256', () => {
    const key = generateApiKey();
    expect(key).toMatch(/^gcm_[A-Za-z0-9_-]{43}$/);
    const { keys, problems } = parseApiKeys(`crm:read+write:${hashApiKey(key)}:120`);
    expect(problems).toEqual([]);
    expect(JSON.stringify([...keys[0].scopes])).not.toContain(key);
    const registry = new ApiKeyRegistry(keys);
    expect(registry.authenticate(key)?.id).toBe('crm');
    expect(registry.authenticate(`${key}x`)).toBeUndefined();
    expect(registry.authenticate(hashApiKey(key))).toBeUndefined();
  });

  it('round-trips an entry through formatApiKeyEntry', () => {
    const entry = formatApiKeyEntry({ id: 'ops', scopes: new Set(['admin']), sha256: hashApiKey('k'), requestsPerMinute: 30 });
    expect(parseApiKeys(entry).keys).toEqual([{ id: 'ops', scopes: new Set(['admin']), sha256: hashApiKey('k'), requestsPerMinute: 30 }]);
  });

  it('admin grants every scope; other scopes only themselves', () => {
    expect(grants({ scopes: new Set(['admin']) }, 'write')).toBe(true);
    expect(grants({ scopes: new Set(['admin']) }, 'metrics')).toBe(true);
    expect(grants({ scopes: new Set(['read']) }, 'write')).toBe(false);
    expect(grants({ scopes: new Set(['write']) }, 'read')).toBe(false);
  });

  it('reports every unusable entry', () => {
    const hash = hashApiKey('a');
    expect(parseApiKeys(`a:read:${hash},a:read:${hashApiKey('b')},b:read:${hash},c:fly:${hashApiKey('c')},d:read:${hashApiKey('d')}:0,e`).problems).toEqual([
      'entry 2 repeats the id "a"',
      'entry 3 (b) repeats the hash of another key',
      'entry 4 (c) has unknown scopes; use read, write, admin, metrics joined by "+"',
      'entry 5 (d) has a rate limit that is not a whole number of requests per minute from 1 to 1000000',
      'entry 6 must look like <id>:<scope>+<scope>:<sha256 hex>[:<requests per minute>]',
    ]);
    expect(parseApiKeys(' , ').problems).toEqual(['lists no key']);
  });
});
