import { Command, CommanderError } from 'commander';
import { buildProgram, type Dispatch } from './cli-program';
import { lazy } from './lazy-modules';
import { Output } from './output/output';
import type { TerminalStream } from './output/terminal';
import { CliError } from './runtime/cli.error';
import { CommandContext } from './runtime/command-context';
import type { ErrorReport } from './runtime/error-report';
import { ExitCode } from './runtime/exit-code';
import { Interrupts, type SignalName } from './runtime/interrupts';

export interface CliProcess {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: TerminalStream;
  readonly stderr: TerminalStream;
  /** Subscribes to a signal; returns the unsubscribe. */
  readonly onSignal: (signal: SignalName, handler: () => void) => () => void;
  /** Ends the process now (a second Ctrl-C). */
  readonly forceExit: (code: number) => void;
}

/** Runs one gcm invocation and returns its exit code. */
export async function runCli(proc: CliProcess): Promise<number> {
  const flag = (...names: string[]) => proc.argv.some((arg) => names.includes(arg));
  let output = new Output(proc.stdout, proc.stderr, { json: flag('--json'), quiet: flag('-q', '--quiet'), verbose: flag('-v', '--verbose') });
  const interrupts = new Interrupts((signal) => {
    proc.stderr.write(`\ngcm: second ${signal}: exiting without cleaning up\n`);
    proc.forceExit(ExitCode.Interrupted);
  });
  const unsubscribe = (['SIGINT', 'SIGTERM'] as const).map((signal) =>
    proc.onSignal(signal, () => {
      if (!interrupts.interrupted) output.note(`\ngcm: ${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping cleanly (again to exit at once)`);
      interrupts.receive(signal);
    }),
  );

  let exitCode: number = ExitCode.Ok;
  const dispatch: Dispatch = async (command, handler) => {
    const globals = command.optsWithGlobals() as { profile?: string; json?: boolean; quiet?: boolean; verbose?: boolean };
    output = new Output(proc.stdout, proc.stderr, { json: Boolean(globals.json), quiet: Boolean(globals.quiet), verbose: Boolean(globals.verbose) });
    const context = new CommandContext(
      output,
      interrupts,
      proc.env,
      proc.cwd,
      { ...(globals.profile ? { profile: globals.profile } : {}), json: Boolean(globals.json), quiet: Boolean(globals.quiet), verbose: Boolean(globals.verbose) },
      proc.argv,
      proc.stdin,
    );
    exitCode = (await handler(context)) ?? ExitCode.Ok;
  };

  const program = buildProgram(dispatch);
  configure(program, proc);
  try {
    await program.parseAsync([...proc.argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.Ok;
      // `gcm` or `gcm archive` alone: commander has printed the help to stderr
      if (error.code === 'commander.help') return ExitCode.Usage;
    }
    const report = describe(error, interrupts);
    output.error(report);
    return report.exitCode;
  } finally {
    for (const off of unsubscribe) off();
  }
}

function describe(error: unknown, interrupts: Interrupts): ErrorReport {
  // gcm's own errors and usage errors are answered without loading the libraries
  if (error instanceof CliError) return { exitCode: error.exitCode, code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  if (error instanceof CommanderError) {
    return { exitCode: ExitCode.Usage, code: 'USAGE', message: error.message.replace(/^error: /, ''), hint: 'See `gcm --help` or `gcm <command> --help`.' };
  }
  const { reportError } = lazy.errorReport();
  const report = reportError(error);
  if (interrupts.interrupted && report.exitCode === ExitCode.Failure) {
    return { exitCode: ExitCode.Interrupted, code: 'INTERRUPTED', message: `Interrupted: ${report.message}` };
  }
  return report;
}

/** Exit handling and output streams for every command of the tree (commander copies settings only at creation). */
function configure(command: Command, proc: CliProcess): void {
  command.exitOverride();
  command.configureOutput({
    writeOut: (text) => proc.stdout.write(text),
    writeErr: (text) => proc.stderr.write(text),
    getOutHelpWidth: () => proc.stdout.columns ?? 100,
    getErrHelpWidth: () => proc.stderr.columns ?? 100,
    // errors are printed by runCli, in gcm's format and with --json honoured
    outputError: () => undefined,
  });
  for (const sub of command.commands) configure(sub, proc);
}
