import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { saveProfile } from '../config/config-file';
import { CliError } from '../runtime/cli.error';
import type { CommandContext } from '../runtime/command-context';
import { ExitCode } from '../runtime/exit-code';
import { tsxCommand } from '../runtime/workspace';

export interface SandboxCommandOptions {
  readonly port: string;
  readonly seed: string;
  readonly conversations: string;
  readonly days: string;
  /** A profile name, or false with --no-save-profile. */
  readonly saveProfile: string | false;
}

interface Listening {
  readonly event: 'listening';
  readonly apiBaseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Every OAuth client (`--clients N`), the first being clientId/clientSecret. */
  readonly clients?: ReadonlyArray<{ readonly clientId: string; readonly clientSecret: string }>;
  readonly webMessagingUrl: string;
  readonly deploymentId: string;
}

/**
 * `gcm sandbox`: the emulator (apps/sandbox) as its own process — the CLI never loads it
 * in-process. Once it listens, its credentials are saved as a profile (owner-only file),
 * so `gcm -p sandbox …` works without the secret ever being printed. Runs until Ctrl-C.
 */
export async function runSandbox(context: CommandContext, options: SandboxCommandOptions, passthrough: readonly string[]): Promise<ExitCode> {
  const { output } = context;
  const args = ['--port', options.port, '--seed', options.seed, '--conversations', options.conversations, '--days', options.days, ...passthrough];
  const { command, args: argv, env } = tsxCommand('apps/sandbox/src/main.ts', args);
  const child = spawn(command, argv, { cwd: context.cwd, stdio: ['ignore', 'pipe', 'inherit'], env: { ...context.env, ...env } });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  context.interrupts.signal.addEventListener('abort', stop, { once: true });

  if (!child.stdout) throw new CliError('The sandbox was started without a stdout pipe');
  const lines = createInterface({ input: child.stdout });
  const first = await Promise.race([once(lines, 'line').then(([line]) => line as string), exited.then(() => undefined)]);
  if (first === undefined) {
    const code = await exited;
    if (context.interrupts.interrupted) return ExitCode.Interrupted;
    // the sandbox has explained itself on stderr (a flag mistake exits 2)
    return code === ExitCode.Usage ? ExitCode.Usage : ExitCode.Failure;
  }
  let listening: Listening;
  try {
    listening = JSON.parse(first) as Listening;
    if (listening.event !== 'listening') throw new Error('not the listening line');
  } catch {
    stop();
    throw new CliError(`The sandbox printed an unexpected first line: ${first.slice(0, 200)}`);
  }
  lines.on('line', (line) => output.note(`sandbox: ${line}`));

  const profile = options.saveProfile === false ? undefined : options.saveProfile;
  if (profile !== undefined) {
    saveProfile(context.settings.configFile, profile, {
      apiBaseUrl: listening.apiBaseUrl,
      clientId: listening.clientId,
      clientSecret: listening.clientSecret,
      // with --clients N, the other clients make the profile a client pool
      ...(listening.clients && listening.clients.length > 1
        ? { additionalClients: listening.clients.slice(1).map(({ clientId, clientSecret }) => ({ clientId, clientSecret })) }
        : {}),
      deploymentId: listening.deploymentId,
    });
  }
  // secrets stay in the owner-only profile: only client ids are shown
  const { clientSecret: _secret, clients, ...rest } = listening;
  const shown = { ...rest, ...(clients && clients.length > 1 ? { clientIds: clients.map((client) => client.clientId) } : {}) };
  output.result({ ...shown, ...(profile !== undefined ? { profile, configFile: context.settings.configFile } : {}), pid: child.pid }, () => [
    `Genesys Cloud sandbox listening on ${listening.apiBaseUrl} (seed ${options.seed}, ${options.conversations} conversations over ${options.days} days)`,
    `  guest WebSocket   ${listening.webMessagingUrl}?deploymentId=${listening.deploymentId}`,
    `  OAuth client id   ${listening.clientId}`,
    ...(profile !== undefined
      ? [
          `  saved as profile "${profile}" in ${context.settings.configFile}`,
          '',
          'Try:',
          `  gcm -p ${profile} doctor`,
          `  gcm -p ${profile} search --from 24h | head -3`,
          `  gcm -p ${profile} session create --message "Hello"`,
        ]
      : [
          '',
          `Use it with GENESYSCLOUD_API_BASE_URL=${listening.apiBaseUrl} GENESYSCLOUD_OAUTHCLIENT_ID=${listening.clientId}`,
          '  and the client secret the sandbox derives from its seed (--client-secret sets your own).',
        ]),
    '',
    'Ctrl-C stops it.',
  ]);

  const code = await exited;
  context.interrupts.signal.removeEventListener('abort', stop);
  if (context.interrupts.interrupted || code === 0) {
    output.note('gcm: sandbox stopped');
    return ExitCode.Ok;
  }
  throw new CliError(`The sandbox exited with code ${code}`);
}
