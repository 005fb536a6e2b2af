import { readConfigFile, readableByOthers } from '../config/config-file';
import { maskIdentifier, SETTING_VARIABLES } from '../config/cli-settings';
import type { CommandContext } from '../runtime/command-context';
import { ExitCode } from '../runtime/exit-code';
import { table } from '../output/table';

/** `gcm config show`: each setting, where it came from; secrets only as "set". */
export async function runConfigShow(context: CommandContext): Promise<ExitCode> {
  const settings = context.settings;
  const rows: Array<{ key: string; variable: string; value?: string; source?: string }> = (Object.keys(SETTING_VARIABLES) as Array<keyof typeof SETTING_VARIABLES>).map((key) => {
    const raw = key === 'databaseUrl' ? settings.databaseUrl : key === 'archiveDir' ? settings.archiveDir : key === 'auditDir' ? settings.auditDir : settings.values[key];
    const value = raw === undefined ? undefined : key === 'clientSecret' ? 'set' : key === 'clientId' ? maskIdentifier(raw) : key === 'databaseUrl' ? hidePassword(raw) : raw;
    return { key, variable: SETTING_VARIABLES[key], ...(value !== undefined ? { value } : {}), ...(settings.sources[key] ? { source: settings.sources[key] } : {}) };
  });
  // the client pool's further clients: how many, their ids masked, never a secret
  const poolIds = Object.entries(settings.pool?.variables ?? {})
    .filter(([name]) => /^GENESYSCLOUD_OAUTHCLIENT_ID_\d+$/.test(name))
    .sort(([a], [b]) => Number(a.split('_').at(-1)) - Number(b.split('_').at(-1)))
    .map(([, id]) => maskIdentifier(id));
  if (settings.pool) {
    rows.push({
      key: 'additionalClients',
      variable: 'GENESYSCLOUD_OAUTHCLIENT_ID_<n>',
      value: `${poolIds.length} client${poolIds.length === 1 ? '' : 's'} (${poolIds.join(', ')})`,
      source: settings.pool.source,
    });
  }
  context.output.result(
    { configFile: settings.configFile, profile: settings.profile ?? null, profiles: settings.profiles, settings: rows },
    () => [
      `config file  ${settings.configFile}${settings.profiles.length ? ` (profiles: ${settings.profiles.join(', ')})` : ' (no profiles)'}`,
      `profile      ${settings.profile ?? '(none)'}`,
      '',
      ...table(
        ['SETTING', 'VARIABLE', 'VALUE', 'FROM'],
        rows.map((row) => [row.key, row.variable, row.value ?? '-', row.source ?? '-']),
      ),
    ],
  );
  return ExitCode.Ok;
}

/** `gcm config list`: the profiles and what each sets (names of keys only); `--names`: the names alone, one a line (shell completion). */
export async function runConfigList(context: CommandContext, options: { names?: boolean } = {}): Promise<ExitCode> {
  const path = context.settings.configFile;
  const config = readConfigFile(path);
  if (options.names) {
    context.output.result(Object.keys(config.profiles), () => Object.keys(config.profiles));
    return ExitCode.Ok;
  }
  const profiles = Object.entries(config.profiles).map(([name, profile]) => ({
    name,
    default: name === (config.defaultProfile ?? 'default'),
    target: profile.apiBaseUrl ?? profile.region ?? null,
    keys: Object.keys(profile).sort(),
  }));
  if (profiles.some((p) => p.keys.includes('clientSecret')) && readableByOthers(path)) {
    context.output.warn(`${path} holds client secrets and is readable by other users; chmod 600 it.`);
  }
  context.output.result({ configFile: path, profiles }, () =>
    profiles.length === 0
      ? `No profiles in ${path}. \`gcm sandbox\` saves one; or write {"profiles": {"prod": {"region": "eu-west-1", "clientId": "…", "clientSecret": "…"}}}.`
      : table(['PROFILE', 'TARGET', 'SETS'], profiles.map((p) => [`${p.name}${p.default ? ' (default)' : ''}`, p.target ?? '-', p.keys.join(', ')])),
  );
  return ExitCode.Ok;
}

function hidePassword(url: string): string {
  return url.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');
}
