import { RunningSandbox, SandboxOptionsError, startSandbox } from '@gcm/genesys-sandbox';
import { CliUsageError, parseSandboxArgs, USAGE } from './sandbox-cli-options';

/**
 * The standalone Genesys Cloud sandbox. Prints one JSON line when it listens, serves until
 * SIGTERM or SIGINT, then exits 0. Flag mistakes exit 2 with a one-line explanation.
 */
async function main(argv: readonly string[]): Promise<void> {
  let command;
  try {
    command = parseSandboxArgs(argv);
  } catch (error) {
    if (error instanceof CliUsageError) fail(error.message);
    throw error;
  }
  if (command.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }

  let sandbox: RunningSandbox;
  try {
    sandbox = await startSandbox({
      ...command.options,
      onError: (error, where) => process.stderr.write(`sandbox: unexpected error on ${where.method} ${where.path}: ${describe(error)}\n`),
    });
  } catch (error) {
    if (error instanceof SandboxOptionsError) fail(`--${error.option}: ${error.message}`);
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') fail(`--port ${command.options.port} is already in use; pick another or 0 for a free one`);
    throw error;
  }

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    sandbox.close().then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`sandbox: error while closing: ${describe(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  process.stdout.write(
    `${JSON.stringify({
      event: 'listening',
      apiBaseUrl: sandbox.apiBaseUrl,
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      clients: sandbox.clients,
      webMessagingUrl: sandbox.webMessagingUrl,
      deploymentId: sandbox.deploymentId,
    })}\n`,
  );
}

function fail(message: string): never {
  process.stderr.write(`sandbox: ${message}\n`);
  process.exit(2);
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`sandbox: failed to start: ${describe(error)}\n`);
  process.exit(1);
});
