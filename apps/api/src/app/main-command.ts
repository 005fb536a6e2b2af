import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { API_SCOPES, formatApiKeyEntry, generateApiKey, hashApiKey, type ApiScope } from './auth/api-key';
import { createApiApplication, shutdownApiApplication } from './bootstrap';
import { loadApiConfig, type ApiConfig } from './config/api-config';
import { ApiConfigError } from './config/api-config.error';
import { withEnvFile } from './config/env-file';
import { generateOpenApiText } from './openapi/openapi-generator';

export interface MainContext {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly onSignal: (signal: 'SIGTERM' | 'SIGINT', handler: () => void) => void;
  /** Where the server's log lines go (default stdout) and how it exits after a signal (default process.exit). */
  readonly logSink?: { write(line: string): unknown };
  readonly exit?: (code: number) => void;
}

const USAGE = `Usage:
  api                                   serve (configuration from the environment and .env)
  api new-key <id> <scope>[+<scope>…] [<requests per minute>]
                                        make an API key; prints the key once and its GCM_API_KEYS entry
  api openapi [<file>]                  write the OpenAPI document (default: stdout)
Scopes: ${API_SCOPES.join(', ')}`;

/**
 * The API's command line. Returns an exit code when the command is done, or undefined
 * while the server runs (it exits on SIGTERM/SIGINT after a graceful shutdown).
 */
export async function main(context: MainContext): Promise<number | undefined> {
  const [command, ...args] = context.argv;
  switch (command) {
    case undefined:
    case 'serve':
      return serve(context);
    case 'new-key':
      return newKey(context, args);
    case 'openapi':
      return openApi(context, args[0]);
    case '--help':
    case 'help':
      context.stdout.write(`${USAGE}\n`);
      return 0;
    default:
      context.stderr.write(`Unknown command "${command}".\n${USAGE}\n`);
      return 2;
  }
}

async function serve(context: MainContext): Promise<number | undefined> {
  let config: ApiConfig;
  try {
    config = loadApiConfig(withEnvFile(context.env).env);
  } catch (error) {
    context.stderr.write(`${error instanceof ApiConfigError ? error.message : `The API cannot start: ${(error as Error).message}`}\n`);
    return 2;
  }
  const { app, logger } = await createApiApplication(config, context.logSink ? { logSink: context.logSink } : {});
  const exit = context.exit ?? ((code: number) => process.exit(code));
  await app.listen(config.http.port, config.http.host);
  const address = app.getHttpServer().address() as AddressInfo;
  logger.write('info', 'listening', { context: 'Main', url: `http://${address.address}:${address.port}`, docs: config.http.docs ? '/docs' : 'off' });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.write('info', `${signal} received; shutting down`, { context: 'Main', graceMs: config.http.shutdownGraceMs });
    shutdownApiApplication(app, config.http.shutdownGraceMs, logger).then(
      () => {
        logger.write('info', 'API stopped', { context: 'Main' });
        exit(0);
      },
      (error: unknown) => {
        logger.write('error', 'Shutdown failed', { context: 'Main', error: (error as Error).message });
        exit(1);
      },
    );
  };
  context.onSignal('SIGTERM', () => stop('SIGTERM'));
  context.onSignal('SIGINT', () => stop('SIGINT'));
  return undefined;
}

function newKey(context: MainContext, args: readonly string[]): number {
  const [id, scopeText, rate] = args;
  const scopes = (scopeText ?? '').split('+').filter(Boolean);
  if (!id || scopes.length === 0 || scopes.some((s) => !(API_SCOPES as readonly string[]).includes(s))) {
    context.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const key = generateApiKey();
  const entry = formatApiKeyEntry({ id, scopes: new Set(scopes as ApiScope[]), sha256: hashApiKey(key), ...(rate ? { requestsPerMinute: Number(rate) } : {}) });
  context.stdout.write(`API key (give it to the client; it is not stored anywhere): ${key}\nGCM_API_KEYS entry (comma-separate several): ${entry}\n`);
  return 0;
}

async function openApi(context: MainContext, file: string | undefined): Promise<number> {
  const text = await generateOpenApiText();
  if (file) writeFileSync(file, text);
  else context.stdout.write(text);
  return 0;
}
