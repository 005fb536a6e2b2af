import { CommanderError } from 'commander';
import { ArchiveError, ArchiveErrorCode } from '@gcm/archive';
import { GenesysApiError, GenesysConfigError } from '@gcm/genesys-auth';
import { HistorySyncError, HistorySyncErrorCode, ArchiveRecordError } from '@gcm/history-timeline';
import { MessageValidationError, WebMessagingError, WebMessagingErrorCode } from '@gcm/messaging-client';
import { SearchStreamError, SearchStreamErrorCode } from '@gcm/search-stream';
import { StoreError, StoreErrorCode, stoppingFault } from '@gcm/store';
import { CliError } from './cli.error';
import { ExitCode } from './exit-code';

/** What gcm tells the user about a failure, and the exit code it ends with. */
export interface ErrorReport {
  readonly exitCode: ExitCode;
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  /** Violations of a refused message, one line each. */
  readonly details?: readonly string[];
}

const AUTH_HINT = 'Check GENESYSCLOUD_OAUTHCLIENT_ID / GENESYSCLOUD_OAUTHCLIENT_SECRET (or the --profile in use) and the region; `gcm doctor` checks each step.';
const PERMISSION_HINT = 'Give the OAuth client a role with the permission named above; `gcm doctor` lists what each command needs.';
const RATE_HINT = 'Genesys kept answering 429 after the retries; wait a minute and run the command again (search and archive continue where they stopped).';

/**
 * Maps any error to its report. Library errors carry their category in a code or in
 * their cause chain (a search that failed on a 401 wraps the GenesysAuthError), so the
 * chain is walked for the Genesys error first: auth and rate limits decide the exit code
 * whatever wrapped them.
 */
export function reportError(error: unknown): ErrorReport {
  if (error instanceof CliError) {
    return { exitCode: error.exitCode, code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  }
  if (error instanceof CommanderError) {
    return { exitCode: ExitCode.Usage, code: 'USAGE', message: error.message.replace(/^error: /, ''), hint: 'See `gcm --help` or `gcm <command> --help`.' };
  }
  const genesys = findGenesysError(error);
  const message = error instanceof Error ? error.message : String(error);
  if (genesys && (genesys.category === 'auth' || genesys.category === 'permission')) {
    return { exitCode: ExitCode.Auth, code: genesys.code, message, hint: genesys.category === 'auth' ? AUTH_HINT : PERMISSION_HINT };
  }
  if (genesys?.category === 'rate-limit') return { exitCode: ExitCode.RateLimit, code: genesys.code, message, hint: RATE_HINT };
  if (error instanceof GenesysConfigError) {
    return { exitCode: ExitCode.Usage, code: 'INVALID_CONFIG', message, hint: `Fix ${error.field} (environment, .env or the profile); see \`gcm config show\`.` };
  }
  if (error instanceof MessageValidationError) {
    return {
      exitCode: ExitCode.Usage,
      code: 'MESSAGE_REFUSED',
      message: 'The message was refused before it was sent:',
      details: error.violations.map((v) => `${v.field}: ${v.message}`),
    };
  }
  if (error instanceof SearchStreamError) {
    const usage = [SearchStreamErrorCode.InvalidCriteria, SearchStreamErrorCode.InvalidResumeToken, SearchStreamErrorCode.ResumeTokenMismatch];
    if (usage.includes(error.code)) {
      return {
        exitCode: ExitCode.Usage,
        code: error.code,
        message,
        ...(error.code === SearchStreamErrorCode.ResumeTokenMismatch ? { hint: 'A resume token only continues the search it came from: use the same --from, --to and filters.' } : {}),
      };
    }
    return { exitCode: ExitCode.Failure, code: error.code, message };
  }
  if (error instanceof HistorySyncError) {
    const exitCode =
      error.code === HistorySyncErrorCode.AccessDenied
        ? ExitCode.Auth
        : error.code === HistorySyncErrorCode.RateLimited
          ? ExitCode.RateLimit
          : error.code === HistorySyncErrorCode.InvalidOptions
            ? ExitCode.Usage
            : ExitCode.Failure;
    return { exitCode, code: error.code, message };
  }
  if (error instanceof WebMessagingError) {
    return { exitCode: error.code === WebMessagingErrorCode.RequestRateTooHigh ? ExitCode.RateLimit : ExitCode.Failure, code: error.code, message };
  }
  const fault = stoppingFault(error);
  if (fault) {
    return { exitCode: ExitCode.Storage, code: fault.code, message: fault.message, hint: 'Once the database or the disk is back, the same command continues where it stopped.' };
  }
  if (error instanceof StoreError) {
    const exitCode = error.code === StoreErrorCode.InvalidDatabaseUrl ? ExitCode.Usage : error.code === StoreErrorCode.ConnectionFailed ? ExitCode.Storage : ExitCode.Failure;
    return { exitCode, code: error.code, message };
  }
  if (error instanceof ArchiveError) {
    const usage = error.code === ArchiveErrorCode.InvalidOptions || error.code === ArchiveErrorCode.InvalidWindow;
    return { exitCode: usage ? ExitCode.Usage : ExitCode.Failure, code: error.code, message };
  }
  if (error instanceof ArchiveRecordError) return { exitCode: ExitCode.Failure, code: error.code, message };
  if (genesys) return { exitCode: ExitCode.Failure, code: genesys.code, message };
  return { exitCode: ExitCode.Failure, code: 'UNEXPECTED', message: `Unexpected failure: ${message}`, hint: 'Run again with --verbose for details.' };
}

/** The Genesys API error in an error's cause chain, if any. */
export function findGenesysError(error: unknown): GenesysApiError | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    if (current instanceof GenesysApiError) return current;
    seen.add(current);
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
