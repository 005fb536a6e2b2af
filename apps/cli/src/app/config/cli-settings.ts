import { resolve } from 'node:path';
import { UsageError } from '../runtime/cli.error';
import { configFilePath, readConfigFile, type Profile, type ProfileKey } from './config-file';
import { readDotEnv } from './env-file';

/** The environment variable behind each setting (the same names every gcm program reads). */
export const SETTING_VARIABLES: Readonly<Record<ProfileKey, string>> = {
  region: 'GENESYSCLOUD_REGION',
  apiBaseUrl: 'GENESYSCLOUD_API_BASE_URL',
  loginBaseUrl: 'GENESYSCLOUD_LOGIN_BASE_URL',
  clientId: 'GENESYSCLOUD_OAUTHCLIENT_ID',
  clientSecret: 'GENESYSCLOUD_OAUTHCLIENT_SECRET',
  deploymentId: 'GCM_DEPLOYMENT_ID',
  guestOrigin: 'GCM_GUEST_ORIGIN',
  databaseUrl: 'GCM_DATABASE_URL',
  archiveDir: 'GCM_ARCHIVE_DIR',
  auditDir: 'GCM_AUDIT_DIR',
};

/** Settings that only make sense together: which org, and the credentials for it. */
const CONNECTION_KEYS: readonly ProfileKey[] = ['region', 'apiBaseUrl', 'loginBaseUrl', 'clientId', 'clientSecret'];
const OTHER_KEYS: readonly ProfileKey[] = ['deploymentId', 'guestOrigin', 'databaseUrl', 'archiveDir', 'auditDir'];

export const DEFAULTS = {
  databaseUrl: 'sqlite:./var/gcm.sqlite',
  archiveDir: './var/archive',
  auditDir: './var/audit',
} as const;

/** Where a value came from, for `gcm config show` and `gcm doctor`. */
export type SettingSource = 'environment' | '.env' | `profile ${string}` | 'default';

/**
 * More OAuth clients for a client pool, from the same layer as the connection settings:
 * the numbered variables (`GENESYSCLOUD_OAUTHCLIENT_ID_2` / `_SECRET_2` …) of the
 * environment, or a profile's `additionalClients` written as those variables. Checked when
 * a command connects (`readOAuthClientVariables`), so commands that never talk to Genesys
 * do not load the Genesys libraries.
 */
export interface ClientPoolSettings {
  readonly source: SettingSource;
  readonly variables: Readonly<Record<string, string>>;
}

export interface CliSettings {
  readonly configFile: string;
  /** The profile in use, if any. */
  readonly profile?: string;
  /** True when the profile was asked for (--profile or GCM_PROFILE), not just the default one. */
  readonly profileExplicit: boolean;
  readonly profiles: readonly string[];
  readonly values: Readonly<Partial<Record<ProfileKey, string>>>;
  readonly sources: Readonly<Partial<Record<ProfileKey, SettingSource>>>;
  /** The pool's clients after the first (none: one client). */
  readonly pool?: ClientPoolSettings;
  /** Every client secret in use (the first client's and the pool's), for redaction. */
  readonly clientSecrets: readonly string[];
  readonly databaseUrl: string;
  readonly archiveDir: string;
  readonly auditDir: string;
}

export interface SettingsInput {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** --profile */
  readonly profile?: string;
}

interface Layer {
  readonly source: SettingSource;
  readonly values: Profile;
}

/**
 * Resolves gcm's settings from the environment, `.env`, and named profiles in the config
 * file, in the order the AWS and Genesys CLIs use:
 *
 * 1. a profile asked for by name (`--profile`, else `GCM_PROFILE`),
 * 2. the environment (`GENESYSCLOUD_*`, `GCM_*`; a variable set in the shell beats `.env`),
 * 3. the config file's default profile (`defaultProfile`, else one named `default`),
 * 4. built-in defaults (SQLite in ./var, ./var/archive, ./var/audit).
 *
 * The connection settings (region, hosts, client id and secret) are taken **as a group**
 * from the first layer that sets any of them, so credentials never get mixed across
 * sources (a profile's sandbox URL with the shell's real client secret). Other settings
 * are resolved one by one.
 */
export function resolveSettings(input: SettingsInput): CliSettings {
  const { env, cwd } = input;
  const configFile = configFilePath(env, cwd);
  const config = readConfigFile(configFile);
  const names = Object.keys(config.profiles).sort();
  const asked = input.profile ?? blankToUndefined(env['GCM_PROFILE']);
  if (asked !== undefined && !config.profiles[asked]) {
    throw new UsageError(
      `There is no profile "${asked}" in ${configFile}`,
      names.length > 0 ? `Known profiles: ${names.join(', ')}.` : 'The file has no profiles yet; `gcm sandbox` saves one, or see `gcm config --help`.',
    );
  }
  const fallbackName = config.defaultProfile ?? (config.profiles['default'] ? 'default' : undefined);
  if (config.defaultProfile && !config.profiles[config.defaultProfile]) {
    throw new UsageError(`The config file ${configFile} names defaultProfile "${config.defaultProfile}", which it does not define.`);
  }

  const dotEnv = readDotEnv(cwd);
  const fromEnv = (source: Readonly<Record<string, string | undefined>>): Profile => {
    const values: Profile = {};
    for (const [key, variable] of Object.entries(SETTING_VARIABLES) as Array<[ProfileKey, string]>) {
      const value = blankToUndefined(source[variable]);
      if (value !== undefined) values[key] = value;
    }
    return values;
  };
  const shell = fromEnv(env);
  const file = fromEnv(dotEnv);
  const poolOf = (source: Readonly<Record<string, string | undefined>>) => {
    const variables: Record<string, string> = {};
    for (const [name, value] of Object.entries(source)) {
      const v = blankToUndefined(value);
      if (NUMBERED_CLIENT.test(name) && v !== undefined) variables[name] = v;
    }
    return variables;
  };
  const environmentPool = { ...poolOf(dotEnv), ...poolOf(env) };
  const layers: Layer[] = [
    ...(asked !== undefined ? [{ source: `profile ${asked}` as const, values: config.profiles[asked] }] : []),
    { source: 'environment', values: shell },
    { source: '.env', values: file },
    ...(asked === undefined && fallbackName !== undefined ? [{ source: `profile ${fallbackName}` as const, values: config.profiles[fallbackName] }] : []),
  ];

  const values: Partial<Record<ProfileKey, string>> = {};
  const sources: Partial<Record<ProfileKey, SettingSource>> = {};
  // the shell and .env are one "environment" for the connection group: a variable in
  // either counts, and for each key the shell wins
  const connectionLayers = mergeEnvironmentLayers(layers);
  const owner = connectionLayers.find((layer) => CONNECTION_KEYS.some((key) => layer.values[key] !== undefined));
  let pool: ClientPoolSettings | undefined;
  if (owner) {
    for (const key of CONNECTION_KEYS) {
      const entry = owner.pick(key);
      if (entry) {
        values[key] = entry.value;
        sources[key] = entry.source;
      }
    }
    const variables = owner.profile ? profilePool(owner.values.additionalClients) : environmentPool;
    if (Object.keys(variables).length > 0) pool = { source: owner.profile ? `profile ${owner.profile}` : 'environment', variables };
  }
  for (const key of OTHER_KEYS) {
    for (const layer of layers) {
      const value = blankToUndefined(layer.values[key]);
      if (value !== undefined) {
        values[key] = value;
        sources[key] = layer.source;
        break;
      }
    }
  }
  const withDefault = (key: 'databaseUrl' | 'archiveDir' | 'auditDir') => {
    if (values[key] === undefined) sources[key] = 'default';
    return values[key] ?? DEFAULTS[key];
  };
  const inUse = asked ?? (Object.values(sources).some((source) => source?.startsWith('profile ')) ? fallbackName : undefined);
  return {
    configFile,
    ...(inUse !== undefined ? { profile: inUse } : {}),
    profileExplicit: asked !== undefined,
    profiles: names,
    values,
    sources,
    ...(pool ? { pool } : {}),
    clientSecrets: [values.clientSecret, ...Object.entries(pool?.variables ?? {}).filter(([name]) => name.includes('_SECRET_')).map(([, value]) => value)].filter(
      (secret): secret is string => typeof secret === 'string' && secret !== '',
    ),
    databaseUrl: withDefault('databaseUrl'),
    archiveDir: resolve(cwd, withDefault('archiveDir')),
    auditDir: resolve(cwd, withDefault('auditDir')),
  };
}

interface MergedLayer {
  readonly values: Profile;
  /** The profile's name when the layer is one. */
  readonly profile?: string;
  pick(key: ProfileKey): { value: string; source: SettingSource } | undefined;
}

function mergeEnvironmentLayers(layers: readonly Layer[]): MergedLayer[] {
  const out: MergedLayer[] = [];
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i];
    if (layer.source === 'environment' && layers[i + 1]?.source === '.env') {
      const file = layers[i + 1];
      i++;
      out.push({
        values: { ...file.values, ...layer.values },
        pick: (key) => {
          const shell = blankToUndefined(layer.values[key]);
          if (shell !== undefined) return { value: shell, source: 'environment' };
          const dot = blankToUndefined(file.values[key]);
          return dot !== undefined ? { value: dot, source: '.env' } : undefined;
        },
      });
      continue;
    }
    out.push({
      values: layer.values,
      ...(layer.source.startsWith('profile ') ? { profile: layer.source.slice('profile '.length) } : {}),
      pick: (key) => {
        const value = blankToUndefined(layer.values[key]);
        return value !== undefined ? { value, source: layer.source } : undefined;
      },
    });
  }
  return out;
}

/** The numbered variables of a pool's clients, e.g. GENESYSCLOUD_OAUTHCLIENT_SECRET_2. */
const NUMBERED_CLIENT = /^GENESYSCLOUD_OAUTHCLIENT_(ID|SECRET)_.+$/;

/** A profile's `additionalClients` as the numbered variables: the first is client 2. */
function profilePool(clients: Profile['additionalClients']): Record<string, string> {
  const variables: Record<string, string> = {};
  (clients ?? []).forEach((client, index) => {
    variables[`GENESYSCLOUD_OAUTHCLIENT_ID_${index + 2}`] = client.clientId.trim();
    variables[`GENESYSCLOUD_OAUTHCLIENT_SECRET_${index + 2}`] = client.clientSecret.trim();
  });
  return variables;
}

function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** A client id shown in reports: enough to recognise it, not the whole value. */
export function maskIdentifier(value: string): string {
  return value.length <= 8 ? `${value.slice(0, 2)}…` : `${value.slice(0, 4)}…${value.slice(-4)}`;
}
