import { once } from 'node:events';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { GcmWorld } from './gcm-harness';

/**
 * `gcm sandbox` starts the emulator as its own process and saves it as a profile; other
 * gcm commands then use it with `--profile`, and settings resolve in a documented order.
 */
describe('gcm sandbox and profiles', () => {
  let world: GcmWorld;

  beforeAll(async () => {
    world = await GcmWorld.start({ conversations: 20, days: 2 });
  });
  afterAll(() => world.stop());

  it('starts the emulator, saves an owner-only profile without printing the secret, and stops on SIGTERM', async () => {
    const env = Object.fromEntries(Object.entries(world.env()).filter(([key]) => !key.startsWith('GENESYSCLOUD_') && key !== 'GCM_DEPLOYMENT_ID'));
    // --client-id is not a gcm flag: it is passed through to the emulator
    const child = world.spawn(['sandbox', '--port', '0', '--conversations', '40', '--days', '3', '--client-id', 'my-sandbox-client', '--clients', '2', '--json'], { env });
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const listening = JSON.parse(line) as Record<string, unknown>;
    expect(listening).toMatchObject({ event: 'listening', apiBaseUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), clientId: 'my-sandbox-client', profile: 'sandbox' });
    expect(listening).not.toHaveProperty('clientSecret');
    // --clients 2 (passed through too): both ids shown, no secret of either
    expect(listening).not.toHaveProperty('clients');
    expect(listening['clientIds']).toEqual(['my-sandbox-client', expect.any(String)]);

    const configFile = join(world.dir, 'config.json');
    expect((await stat(configFile)).mode & 0o777).toBe(0o600);
    const config = JSON.parse(await readFile(configFile, 'utf8')) as { profiles: Record<string, Record<string, string>> };
    expect(config.profiles['sandbox']).toMatchObject({
      apiBaseUrl: listening['apiBaseUrl'],
      clientId: listening['clientId'],
      clientSecret: expect.any(String),
      additionalClients: [{ clientId: (listening['clientIds'] as string[])[1], clientSecret: expect.any(String) }],
    });
    const secondSecret = (config.profiles['sandbox'] as unknown as { additionalClients: Array<{ clientSecret: string }> }).additionalClients[0].clientSecret;
    expect(line).not.toContain(secondSecret);

    const [search, shown] = await Promise.all([
      world.run(['--profile', 'sandbox', 'search', '--from', '3d', '--media-type', 'any', '--strategy', 'query'], { env }),
      world.run(['config', 'show', '--json', '-p', 'sandbox'], { env }),
    ]);
    expect(search.code).toBe(0);
    expect(search.stdout.trim().split('\n')).toHaveLength(40);
    expect(shown.stdout).not.toContain(config.profiles['sandbox']['clientSecret']);
    expect(shown.stdout).not.toContain(secondSecret);
    expect(JSON.parse(shown.stdout).settings).toEqual(
      expect.arrayContaining([{ key: 'additionalClients', variable: 'GENESYSCLOUD_OAUTHCLIENT_ID_<n>', value: expect.stringMatching(/^1 client \(\S+…\S+\)$/), source: 'profile sandbox' }]),
    );
    expect(JSON.parse(shown.stdout).settings).toEqual(expect.arrayContaining([{ key: 'clientSecret', variable: 'GENESYSCLOUD_OAUTHCLIENT_SECRET', value: 'set', source: 'profile sandbox' }]));

    child.kill('SIGTERM');
    const [code] = (await once(child, 'close')) as [number | null];
    expect(code).toBe(0);
  });

  it('an explicit profile wins over the environment, the environment over the default profile; an unknown profile is exit 2', async () => {
    const configFile = join(world.dir, 'profiles.json');
    await writeFile(
      configFile,
      JSON.stringify({
        defaultProfile: 'home',
        profiles: {
          home: { region: 'eu-west-1', clientId: 'home-client-id', clientSecret: 'home-secret', deploymentId: 'home-deployment' },
          other: { apiBaseUrl: 'http://127.0.0.1:9', clientId: 'other-client-id', clientSecret: 'other-secret' },
        },
      }),
      { mode: 0o600 },
    );
    const env = world.env({ GCM_CONFIG: configFile });
    const show = async (args: string[], extra: Record<string, string | undefined> = env) =>
      JSON.parse((await world.run(['config', 'show', '--json', ...args], { env: extra as Record<string, string> })).stdout) as {
        profile: string | null;
        settings: Array<{ key: string; value?: string; source?: string }>;
      };
    const setting = (shown: Awaited<ReturnType<typeof show>>, key: string) => shown.settings.find((s) => s.key === key);

    const fromEnv = await show([]);
    expect(setting(fromEnv, 'apiBaseUrl')).toMatchObject({ value: world.sandbox.apiBaseUrl, source: 'environment' });
    // the connection settings come as a group: none of the default profile's are mixed in
    expect(setting(fromEnv, 'region')?.value).toBeUndefined();

    const explicit = await show(['--profile', 'other']);
    expect(explicit.profile).toBe('other');
    expect(setting(explicit, 'apiBaseUrl')).toMatchObject({ value: 'http://127.0.0.1:9', source: 'profile other' });
    expect(setting(explicit, 'deploymentId')).toMatchObject({ value: world.sandbox.deploymentId, source: 'environment' });

    const bareEnv = Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('GENESYSCLOUD_') && key !== 'GCM_DEPLOYMENT_ID'));
    const fallback = await show([], bareEnv);
    expect(fallback.profile).toBe('home');
    expect(setting(fallback, 'region')).toMatchObject({ value: 'eu-west-1', source: 'profile home' });

    const unknown = await world.run(['--profile', 'nope', 'doctor'], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('There is no profile "nope"');
    expect(unknown.stderr).toContain('Known profiles: home, other.');
  });
});
