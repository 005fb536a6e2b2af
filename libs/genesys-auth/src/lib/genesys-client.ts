import { resolveGenesysEnvironment, type GenesysEnvironment, type GenesysEnvironmentOptions } from './regions';
import { ClientCredentialsTokenProvider, type ClientCredentialsOptions } from './token-provider';
import { GenesysTransport, type GenesysTransportOptions } from './transport';

export interface GenesysConnectionOptions extends GenesysEnvironmentOptions {
  clientId: string;
  clientSecret: string;
  token?: Omit<ClientCredentialsOptions, 'loginBaseUrl' | 'clientId' | 'clientSecret'>;
  transport?: Omit<GenesysTransportOptions, 'apiBaseUrl' | 'tokens'>;
}

export interface GenesysConnection {
  environment: GenesysEnvironment;
  tokens: ClientCredentialsTokenProvider;
  transport: GenesysTransport;
}

/**
 * Resolves the region, builds the token provider and the transport. What the Nest
 * module and the CLI both call, so the two wire things the same way.
 */
export function createGenesysConnection(options: GenesysConnectionOptions): GenesysConnection {
  const environment = resolveGenesysEnvironment(options);
  const shared = {
    clock: options.transport?.clock,
    sleep: options.transport?.sleep,
    random: options.transport?.random,
    logger: options.transport?.logger,
  };
  const tokens = new ClientCredentialsTokenProvider({
    ...shared,
    ...options.token,
    loginBaseUrl: environment.loginBaseUrl,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
  });
  const transport = new GenesysTransport({
    ...options.transport,
    apiBaseUrl: environment.apiBaseUrl,
    tokens,
  });
  return { environment, tokens, transport };
}
