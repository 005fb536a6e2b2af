import { CommanderError } from 'commander';
import { GenesysAuthError, GenesysConfigError, GenesysNotFoundError, GenesysPermissionError, GenesysRateLimitError } from '@gcm/genesys-auth';
import { HistorySyncError, HistorySyncErrorCode } from '@gcm/history-timeline';
import { MessageValidationError, ViolationCode } from '@gcm/messaging-client';
import { SearchStreamError, SearchStreamErrorCode } from '@gcm/search-stream';
import { StoreError, StoreErrorCode, StoreFaultError } from '@gcm/store';
import { CliError, UsageError } from './cli.error';
import { reportError } from './error-report';
import { ExitCode } from './exit-code';

const init = { message: 'Genesys GET /api/v2/x failed', code: 'x' };

describe('reportError: the exit code scripts see', () => {
  it('auth and permission failures are 3, rate limits are 4, wherever they sit in the cause chain', () => {
    expect(reportError(new GenesysAuthError({ ...init, status: 401 })).exitCode).toBe(ExitCode.Auth);
    expect(reportError(new GenesysPermissionError({ ...init, status: 403 })).exitCode).toBe(ExitCode.Auth);
    expect(reportError(new GenesysRateLimitError({ ...init, status: 429 })).exitCode).toBe(ExitCode.RateLimit);
    const wrapped = new SearchStreamError(SearchStreamErrorCode.UnexpectedResponse, 'the search failed', { cause: new GenesysRateLimitError({ ...init, status: 429 }) });
    expect(reportError(wrapped)).toMatchObject({ exitCode: ExitCode.RateLimit, code: 'x' });
    expect(reportError(new HistorySyncError(HistorySyncErrorCode.RateLimited, 'still 429')).exitCode).toBe(ExitCode.RateLimit);
    expect(reportError(new HistorySyncError(HistorySyncErrorCode.AccessDenied, 'no view permission')).exitCode).toBe(ExitCode.Auth);
  });

  it('mistakes in what was asked are 2; other failures 1', () => {
    expect(reportError(new UsageError('bad flag')).exitCode).toBe(ExitCode.Usage);
    expect(reportError(new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'"))).toMatchObject({ exitCode: ExitCode.Usage, message: "unknown option '--x'" });
    expect(reportError(new GenesysConfigError('Unknown region "mars"', 'region')).exitCode).toBe(ExitCode.Usage);
    expect(reportError(new SearchStreamError(SearchStreamErrorCode.InvalidResumeToken, 'damaged token')).exitCode).toBe(ExitCode.Usage);
    expect(reportError(new GenesysNotFoundError({ ...init, status: 404 })).exitCode).toBe(ExitCode.Failure);
    expect(reportError(new CliError('failed')).exitCode).toBe(ExitCode.Failure);
    expect(reportError(new Error('boom'))).toMatchObject({ exitCode: ExitCode.Failure, code: 'UNEXPECTED', message: 'Unexpected failure: boom' });
  });

  it('storage faults are 5 and say where and why, wherever they sit in the cause chain', () => {
    const outage = new StoreFaultError(StoreErrorCode.Unavailable, 'connection', 'ECONNREFUSED', 'the database at 127.0.0.1:5432 is unreachable (ECONNREFUSED); retried for 60 s');
    expect(reportError(new Error('the run failed', { cause: outage }))).toMatchObject({
      exitCode: ExitCode.Storage,
      code: 'UNAVAILABLE',
      message: 'the database at 127.0.0.1:5432 is unreachable (ECONNREFUSED); retried for 60 s',
    });
    const full = new StoreFaultError(StoreErrorCode.StorageFault, 'disk-full', 'ENOSPC', 'the archive directory /mnt/archive is full (ENOSPC)');
    expect(reportError(full)).toMatchObject({ exitCode: ExitCode.Storage, message: 'the archive directory /mnt/archive is full (ENOSPC)' });
    expect(reportError(new StoreError(StoreErrorCode.ConnectionFailed, 'Cannot connect to PostgreSQL at postgres://gcm:***@db/gcm')).exitCode).toBe(ExitCode.Storage);
    expect(reportError(new StoreError(StoreErrorCode.InvalidDatabaseUrl, 'bad URL')).exitCode).toBe(ExitCode.Usage);
  });

  it('a refused message lists every violation and no content', () => {
    const error = new MessageValidationError([
      { field: 'textBody', code: ViolationCode.TextTooLong, message: 'textBody is 2,001 characters; the limit is 2,000' },
      { field: 'customAttributes', code: ViolationCode.CustomAttributesTooLarge, message: 'customAttributes is 3,000 bytes; the limit is 2,048' },
    ]);
    expect(reportError(error)).toEqual({
      exitCode: ExitCode.Usage,
      code: 'MESSAGE_REFUSED',
      message: 'The message was refused before it was sent:',
      details: ['textBody: textBody is 2,001 characters; the limit is 2,000', 'customAttributes: customAttributes is 3,000 bytes; the limit is 2,048'],
    });
  });
});
