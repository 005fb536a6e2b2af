import { createGenesysConnection, readOAuthClientVariables, type GenesysConnection, type OAuthClientCredentials } from '@gcm/genesys-auth';
import type { ClientPoolSettings } from '../config/cli-settings';
import type { Profile } from '../config/config-file';
import { CliError } from './cli.error';
import { ExitCode } from './exit-code';
import type { Output } from '../output/output';
import type { RequestBudget } from './request-budget';

/**
 * The one Genesys connection of a command: token provider(s) and transport with gcm's
 * rate limit (300 requests a minute and 4 at once per OAuth client — a default client's
 * whole budget, shared with nobody in a CLI run; a client pool has that per client), the
 * request budget counting every exchange, and retries made visible: a 429 wait is
 * announced, other retries show with --verbose.
 */
export function createConnection(
  values: Profile & { clientId: string; clientSecret: string },
  output: Output,
  budget: RequestBudget,
  pool?: ClientPoolSettings,
): GenesysConnection {
  const additionalClients = poolClients(values.clientId, pool);
  const connection = createGenesysConnection({
    region: values.region,
    apiBaseUrl: values.apiBaseUrl,
    loginBaseUrl: values.loginBaseUrl,
    clientId: values.clientId,
    clientSecret: values.clientSecret,
    additionalClients,
    transport: {
      rateLimit: { requestsPerMinute: 300, maxConcurrency: 4 },
      userAgent: 'gcm-cli',
      onResponse: budget.observe,
      onRetry: (event) => {
        const wait = event.delayMs >= 1_000 ? `${Math.ceil(event.delayMs / 1_000)} s` : `${event.delayMs} ms`;
        if (event.status === 429 && event.delayMs === 0) output.debug(`429 on ${event.method} ${event.path} for one OAuth client; retrying at once with another client of the pool`);
        else if (event.status === 429) output.note(`gcm: Genesys rate limit reached (429 on ${event.method} ${event.path}); waiting ${wait} before retrying`);
        else output.debug(`retrying ${event.method} ${event.path} after ${event.status || event.code} in ${wait} (attempt ${event.attempt + 1})`);
      },
      logger: {
        debug: (message) => output.debug(message),
        warn: (message) => output.debug(message),
      },
    },
  });
  output.debug(
    `Genesys API ${connection.environment.apiBaseUrl} (login ${connection.environment.loginBaseUrl})` +
      (additionalClients.length > 0 ? `; a pool of ${additionalClients.length + 1} OAuth clients (${pool?.source})` : ''),
  );
  return connection;
}

/** The pool's clients after the first, checked: a usage error names every bad variable (or profile entry), never a value. */
function poolClients(firstClientId: string, pool: ClientPoolSettings | undefined): OAuthClientCredentials[] {
  if (!pool) return [];
  const { additionalClients, problems } = readOAuthClientVariables({ GENESYSCLOUD_OAUTHCLIENT_ID: firstClientId, ...pool.variables });
  const inProfile = pool.source.startsWith('profile ');
  // a profile's clients are additionalClients[0] … (client 2 …), not variables
  const name = (text: string) =>
    inProfile
      ? text
          .replace(/GENESYSCLOUD_OAUTHCLIENT_(ID|SECRET)_(\d+)/g, (_all, kind: string, n: string) => `additionalClients[${Number(n) - 2}].${kind === 'ID' ? 'clientId' : 'clientSecret'}`)
          .replace(/GENESYSCLOUD_OAUTHCLIENT_ID(?!_)/g, 'the profile\'s clientId')
      : text;
  if (problems.length > 0) {
    throw new CliError(`The OAuth client pool (${pool.source}) is not usable: ${problems.map((p) => `${name(p.variable)} ${name(p.problem)}`).join('; ')}`, {
      exitCode: ExitCode.Usage,
      code: 'BAD_CLIENT_POOL',
      hint: inProfile
        ? 'Each entry of the profile\'s additionalClients is {"clientId": "…", "clientSecret": "…"} of another OAuth client of the same org.'
        : 'Set GENESYSCLOUD_OAUTHCLIENT_ID_<n> with GENESYSCLOUD_OAUTHCLIENT_SECRET_<n> (n = 2 … 64), one pair per further OAuth client of the same org.',
    });
  }
  return inProfile ? additionalClients.map((client, index) => ({ ...client, source: `${pool.source} additionalClients[${index}]` })) : additionalClients;
}
