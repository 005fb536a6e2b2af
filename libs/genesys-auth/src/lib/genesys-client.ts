import { resolveGenesysEnvironment, type GenesysEnvironment, type GenesysEnvironmentOptions } from './regions';
import { ClientCredentialsTokenProvider, type ClientCredentialsOptions } from './token-provider';
import { GenesysTransport, type GenesysTransportOptions } from './transport';

/** One client-credentials OAuth client. */
export interface OAuthClientCredentials {
  clientId: string;
  clientSecret: string;
  /** Where it was configured, named when Genesys rejects it (e.g. `GENESYSCLOUD_OAUTHCLIENT_ID_2 / …_SECRET_2`). */
  source?: string;
}

export interface GenesysConnectionOptions extends GenesysEnvironmentOptions {
  clientId: string;
  clientSecret: string;
  /**
   * More client-credentials clients of the same org: with them the transport is a client
   * pool, each client with its own token and its own rate budget (Genesys counts the
   * Platform API rate per client), so N clients give N times the requests per minute.
   */
  additionalClients?: readonly OAuthClientCredentials[];
  token?: Omit<ClientCredentialsOptions, 'loginBaseUrl' | 'clientId' | 'clientSecret'>;
  /** `rateLimit` applies to each client of a pool. */
  transport?: Omit<GenesysTransportOptions, 'apiBaseUrl' | 'tokens'>;
}

export interface GenesysConnection {
  environment: GenesysEnvironment;
  /** The first client's token provider (the only one without a pool). */
  tokens: ClientCredentialsTokenProvider;
  /** Every client's token provider, the first one first. */
  clients: ClientCredentialsTokenProvider[];
  transport: GenesysTransport;
}

/**
 * Resolves the region, builds the token providers (one per client) and the transport.
 * What the Nest module and the CLI both call, so the two wire things the same way.
 */
export function createGenesysConnection(options: GenesysConnectionOptions): GenesysConnection {
  const environment = resolveGenesysEnvironment(options);
  const shared = {
    clock: options.transport?.clock,
    sleep: options.transport?.sleep,
    random: options.transport?.random,
    logger: options.transport?.logger,
  };
  const credentials: OAuthClientCredentials[] = [
    { clientId: options.clientId, clientSecret: options.clientSecret, ...(options.token?.credentialsSource ? { source: options.token.credentialsSource } : {}) },
    ...(options.additionalClients ?? []),
  ];
  const clients = credentials.map(
    (client) =>
      new ClientCredentialsTokenProvider({
        ...shared,
        ...options.token,
        loginBaseUrl: environment.loginBaseUrl,
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        ...(client.source ? { credentialsSource: client.source } : {}),
      }),
  );
  const transport = new GenesysTransport({
    ...options.transport,
    apiBaseUrl: environment.apiBaseUrl,
    tokens: clients.length === 1 ? clients[0] : clients,
  });
  return { environment, tokens: clients[0], clients, transport };
}
