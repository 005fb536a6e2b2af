import type { GenesysConnection } from '@gcm/genesys-auth';
import { resolveSettings, type CliSettings } from '../config/cli-settings';
import { lazy } from '../lazy-modules';
import type { Output } from '../output/output';
import { CliError } from './cli.error';
import { ExitCode } from './exit-code';
import type { Interrupts } from './interrupts';
import { RequestBudget } from './request-budget';

export interface GlobalOptions {
  readonly profile?: string;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
}

export interface ConnectOptions {
  /** `--max-requests`: abort the returned budget's signal after this many API calls. */
  readonly maxRequests?: number;
}

export interface Connected {
  readonly connection: GenesysConnection;
  readonly budget: RequestBudget;
  /** Aborted on Ctrl-C or when the request budget is used up. */
  readonly signal: AbortSignal;
}

/** Everything a command needs from the outside world; built once per invocation. */
export class CommandContext {
  private cachedSettings?: CliSettings;

  constructor(
    readonly output: Output,
    readonly interrupts: Interrupts,
    readonly env: Readonly<Record<string, string | undefined>>,
    readonly cwd: string,
    readonly globals: GlobalOptions,
    /** The argv as typed, for printing "resume with" command lines. */
    readonly argv: readonly string[],
    readonly stdin: NodeJS.ReadableStream,
  ) {}

  get settings(): CliSettings {
    this.cachedSettings ??= resolveSettings({ env: this.env, cwd: this.cwd, profile: this.globals.profile });
    return this.cachedSettings;
  }

  /** The Genesys connection of the resolved settings; fails with exit 3 when credentials are missing. */
  async connect(options: ConnectOptions = {}): Promise<Connected> {
    const { values } = this.settings;
    if (!values.clientId || !values.clientSecret) {
      const missing = [!values.clientId && 'GENESYSCLOUD_OAUTHCLIENT_ID', !values.clientSecret && 'GENESYSCLOUD_OAUTHCLIENT_SECRET'].filter(Boolean).join(' and ');
      throw new CliError(`No Genesys Cloud credentials: ${missing} ${missing.includes(' and ') ? 'are' : 'is'} not set`, {
        exitCode: ExitCode.Auth,
        code: 'NO_CREDENTIALS',
        hint: 'Set GENESYSCLOUD_REGION, GENESYSCLOUD_OAUTHCLIENT_ID and GENESYSCLOUD_OAUTHCLIENT_SECRET (environment or .env), use --profile <name>, or start the emulator with `gcm sandbox` and use --profile sandbox.',
      });
    }
    // the Genesys libraries load only for commands that talk to Genesys
    const { createConnection } = lazy.genesysConnect();
    const budget = new RequestBudget(options.maxRequests);
    const connection = createConnection({ ...values, clientId: values.clientId, clientSecret: values.clientSecret }, this.output, budget, this.settings.pool);
    return { connection, budget, signal: AbortSignal.any([this.interrupts.signal, budget.signal]) };
  }

  /** The command line to run again, with these flags set (replacing the values typed, aliases included). */
  commandLineWith(replacements: Readonly<Record<string, string>>): string {
    const names = new Map<string, string>();
    for (const flag of Object.keys(replacements)) {
      names.set(flag, flag);
      for (const alias of FLAG_ALIASES[flag] ?? []) names.set(alias, flag);
    }
    const args: string[] = [];
    for (let i = 0; i < this.argv.length; i++) {
      const arg = this.argv[i];
      if (names.has(arg)) {
        i++;
        continue;
      }
      if ([...names.keys()].some((name) => name.startsWith('--') && arg.startsWith(`${name}=`))) continue;
      args.push(arg);
    }
    for (const [flag, value] of Object.entries(replacements)) args.push(flag, value);
    return ['gcm', ...args].map(shellQuote).join(' ');
  }
}

const FLAG_ALIASES: Readonly<Record<string, readonly string[]>> = { '--resume': ['-r'], '--max': ['-n'], '--out': ['-o'] };

export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
