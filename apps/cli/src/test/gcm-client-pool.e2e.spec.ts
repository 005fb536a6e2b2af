import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GcmWorld } from './gcm-harness';

async function textOfFiles(root: string): Promise<string> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  const texts = await Promise.all(entries.filter((e) => e.isFile()).map((e) => readFile(join(e.parentPath, e.name), 'utf8')));
  return texts.join('\n');
}

/**
 * `gcm` with an OAuth client pool, as the real binary against a sandbox that counts its
 * rate limit per client: the numbered variables (GENESYSCLOUD_OAUTHCLIENT_ID_2 / _SECRET_2)
 * or a profile's additionalClients spread the calls over the clients; a broken pool is a
 * usage error naming the variable; no secret of any client is printed or audited.
 */
describe('gcm with an OAuth client pool', () => {
  let world: GcmWorld;
  const requestsOf = (clientId: string) => Object.values(world.sandbox.stats.snapshot().requests.byClient[clientId] ?? {}).reduce((a, b) => a + b, 0);

  beforeAll(async () => {
    world = await GcmWorld.start({ conversations: 60, days: 3, clients: 2, rateLimitPerMinute: 100_000 });
  });
  afterAll(() => world.stop());

  it('gcm archive run spreads its calls over both clients of GENESYSCLOUD_OAUTHCLIENT_ID / _2, secrets never shown', async () => {
    const [first, second] = world.sandbox.clients;
    const env = world.env({ GENESYSCLOUD_OAUTHCLIENT_ID_2: second.clientId, GENESYSCLOUD_OAUTHCLIENT_SECRET_2: second.clientSecret });
    const { from, to } = world.lastDays(2);
    const before = [requestsOf(first.clientId), requestsOf(second.clientId)];
    const run = await world.run(['archive', 'run', '--from', from, '--to', to, '--match', 'started', '--audit-dir', 'var/audit/cli', '--json', '--verbose'], { env });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'succeeded', archived: world.sandbox.truth.conversationIds({ from, to }).length });
    const used = [requestsOf(first.clientId) - before[0], requestsOf(second.clientId) - before[1]];
    // round robin between equal clients: each carries about half
    expect(used[0]).toBeGreaterThan(10);
    expect(Math.abs(used[0] - used[1])).toBeLessThanOrEqual(Math.ceil((used[0] + used[1]) * 0.1));
    const printed = `${run.stdout}\n${run.stderr}\n${await textOfFiles(join(world.dir, 'var/audit'))}`;
    expect(run.stderr).toContain('a pool of 2 OAuth clients (environment)');
    for (const client of [first, second]) {
      expect(printed).not.toContain(client.clientSecret);
      expect(printed).not.toContain(Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64'));
    }
  }, 90_000);

  it("a profile's additionalClients make a pool too", async () => {
    const [first, second] = world.sandbox.clients;
    await writeFile(
      join(world.dir, 'config.json'),
      JSON.stringify({ profiles: { pool: { apiBaseUrl: world.sandbox.apiBaseUrl, clientId: first.clientId, clientSecret: first.clientSecret, additionalClients: [second] } } }),
      { mode: 0o600 },
    );
    const before = requestsOf(second.clientId);
    const { from, to } = world.lastDays(1);
    const env = world.env();
    for (const name of ['GENESYSCLOUD_API_BASE_URL', 'GENESYSCLOUD_OAUTHCLIENT_ID', 'GENESYSCLOUD_OAUTHCLIENT_SECRET']) delete env[name];
    const search = await world.run(['-p', 'pool', 'search', '--from', from, '--to', to, '--json', '--verbose'], { env });
    expect(search.code).toBe(0);
    expect(search.stderr).toContain('a pool of 2 OAuth clients (profile pool)');
    expect(requestsOf(second.clientId)).toBeGreaterThan(before);
    expect(`${search.stdout}${search.stderr}`).not.toContain(second.clientSecret);
  }, 60_000);

  it('refuses a broken pool with exit 2, naming the variable or profile entry and never the secret', async () => {
    const [first, second] = world.sandbox.clients;
    const lonely = await world.run(['search', '--from', '1d'], { env: world.env({ GENESYSCLOUD_OAUTHCLIENT_SECRET_3: 'lonely-secret-value-xyz' }) });
    expect(lonely.code).toBe(2);
    expect(lonely.stderr).toContain('GENESYSCLOUD_OAUTHCLIENT_ID_3 is required when GENESYSCLOUD_OAUTHCLIENT_SECRET_3 is set');
    expect(lonely.stderr).not.toContain('lonely-secret-value-xyz');

    await writeFile(
      join(world.dir, 'config.json'),
      JSON.stringify({ profiles: { dup: { apiBaseUrl: world.sandbox.apiBaseUrl, clientId: first.clientId, clientSecret: first.clientSecret, additionalClients: [second, { clientId: first.clientId, clientSecret: 'dup-secret-value-xyz' }] } } }),
      { mode: 0o600 },
    );
    const dup = await world.run(['-p', 'dup', 'search', '--from', '1d']);
    expect(dup.code).toBe(2);
    expect(dup.stderr).toContain("additionalClients[1].clientId names the same OAuth client as the profile's clientId");
    expect(dup.stderr).not.toContain('dup-secret-value-xyz');

    await writeFile(join(world.dir, 'config.json'), JSON.stringify({ profiles: { bad: { clientId: 'x', additionalClients: [{ clientId: 'y' }] } } }), { mode: 0o600 });
    const bad = await world.run(['-p', 'bad', 'config', 'show']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('profile "bad" key "additionalClients"[0] must be {"clientId": "…", "clientSecret": "…"}, both non-empty strings');
  }, 60_000);
});
