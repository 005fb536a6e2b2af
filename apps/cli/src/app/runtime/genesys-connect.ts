import { createGenesysConnection, type GenesysConnection } from '@gcm/genesys-auth';
import type { Profile } from '../config/config-file';
import type { Output } from '../output/output';
import type { RequestBudget } from './request-budget';

/**
 * The one Genesys connection of a command: token provider and transport with gcm's
 * rate limit (300 requests a minute, 4 at once — a default client's whole budget, shared
 * with nobody in a CLI run), the request budget counting every exchange, and retries
 * made visible: a 429 wait is announced, other retries show with --verbose.
 */
export function createConnection(values: Profile & { clientId: string; clientSecret: string }, output: Output, budget: RequestBudget): GenesysConnection {
  const connection = createGenesysConnection({
    region: values.region,
    apiBaseUrl: values.apiBaseUrl,
    loginBaseUrl: values.loginBaseUrl,
    clientId: values.clientId,
    clientSecret: values.clientSecret,
    transport: {
      rateLimit: { requestsPerMinute: 300, maxConcurrency: 4 },
      userAgent: 'gcm-cli',
      onResponse: budget.observe,
      onRetry: (event) => {
        const wait = event.delayMs >= 1_000 ? `${Math.ceil(event.delayMs / 1_000)} s` : `${event.delayMs} ms`;
        if (event.status === 429) output.note(`gcm: Genesys rate limit reached (429 on ${event.method} ${event.path}); waiting ${wait} before retrying`);
        else output.debug(`retrying ${event.method} ${event.path} after ${event.status || event.code} in ${wait} (attempt ${event.attempt + 1})`);
      },
      logger: {
        debug: (message) => output.debug(message),
        warn: (message) => output.debug(message),
      },
    },
  });
  output.debug(`Genesys API ${connection.environment.apiBaseUrl} (login ${connection.environment.loginBaseUrl})`);
  return connection;
}
