import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../runtime/cli.error';

/** What a profile may hold; every key optional. */
export const PROFILE_KEYS = [
  'region',
  'apiBaseUrl',
  'loginBaseUrl',
  'clientId',
  'clientSecret',
  'deploymentId',
  'guestOrigin',
  'databaseUrl',
  'archiveDir',
  'auditDir',
] as const;
export type ProfileKey = (typeof PROFILE_KEYS)[number];
/** One more client-credentials client of the profile's org (a client pool). */
export interface ProfileClient {
  clientId: string;
  clientSecret: string;
}
export type Profile = Partial<Record<ProfileKey, string>> & {
  /** More OAuth clients of the same org: with them the connection is a client pool (each client its own rate budget). */
  additionalClients?: ProfileClient[];
};

export interface ConfigFile {
  /** Used when no --profile / GCM_PROFILE is given. */
  defaultProfile?: string;
  profiles: Record<string, Profile>;
}

/** `GCM_CONFIG`, else `$XDG_CONFIG_HOME/gcm/config.json`, else `~/.config/gcm/config.json`. */
export function configFilePath(env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  if (env['GCM_CONFIG']) return resolve(cwd, env['GCM_CONFIG']);
  const base = env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config');
  return join(base, 'gcm', 'config.json');
}

/** Reads the config file; a missing file is an empty config, a malformed one a usage error naming the file. */
export function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: {} };
    throw new UsageError(`Cannot read the config file ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`The config file ${path} is not valid JSON: ${(error as Error).message}`, 'Fix or remove it; see `gcm config --help` for its shape.');
  }
  const problems: string[] = [];
  const file = value as Partial<ConfigFile>;
  if (!file || typeof file !== 'object' || Array.isArray(file)) problems.push('the file must hold a JSON object');
  else {
    if (file.defaultProfile !== undefined && typeof file.defaultProfile !== 'string') problems.push('"defaultProfile" must be a string');
    const profiles = file.profiles ?? {};
    if (typeof profiles !== 'object' || Array.isArray(profiles)) problems.push('"profiles" must be an object of profiles');
    else {
      for (const [name, profile] of Object.entries(profiles)) {
        if (!profile || typeof profile !== 'object' || Array.isArray(profile)) {
          problems.push(`profile "${name}" must be an object`);
          continue;
        }
        for (const [key, setting] of Object.entries(profile)) {
          if (key === 'additionalClients') problems.push(...additionalClientsProblems(name, setting));
          else if (!(PROFILE_KEYS as readonly string[]).includes(key)) problems.push(`profile "${name}" has an unknown key "${key}" (known: ${[...PROFILE_KEYS, 'additionalClients'].join(', ')})`);
          else if (typeof setting !== 'string') problems.push(`profile "${name}" key "${key}" must be a string`);
        }
      }
    }
  }
  if (problems.length > 0) throw new UsageError(`The config file ${path} is not usable: ${problems.join('; ')}`);
  return { ...(file.defaultProfile ? { defaultProfile: file.defaultProfile } : {}), profiles: (file.profiles ?? {}) as Record<string, Profile> };
}

/** `additionalClients`: an array of `{clientId, clientSecret}` (at most 63, the pool's first client being the profile's own). */
function additionalClientsProblems(name: string, setting: unknown): string[] {
  const where = `profile "${name}" key "additionalClients"`;
  if (!Array.isArray(setting)) return [`${where} must be an array of {"clientId": "…", "clientSecret": "…"}`];
  if (setting.length > 63) return [`${where} holds ${setting.length} clients: at most 63 (64 with the profile's own clientId)`];
  return setting.flatMap((client: unknown, index) => {
    const entry = client as Partial<ProfileClient> | null;
    const ok = entry && typeof entry === 'object' && typeof entry.clientId === 'string' && entry.clientId.trim() !== '' && typeof entry.clientSecret === 'string' && entry.clientSecret.trim() !== '';
    return ok ? [] : [`${where}[${index}] must be {"clientId": "…", "clientSecret": "…"}, both non-empty strings`];
  });
}

/**
 * Adds or replaces one profile. The file holds client secrets, so it is written
 * owner-only (0600, in a 0700 directory) and atomically (temp file + rename).
 */
export function saveProfile(path: string, name: string, profile: Profile): void {
  const config = readConfigFile(path);
  config.profiles[name] = profile;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
  chmodSync(path, 0o600);
}

/** True when others than the owner may read the file (like ssh, gcm warns about secrets in such a file). */
export function readableByOthers(path: string): boolean {
  try {
    return (statSync(path).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}
