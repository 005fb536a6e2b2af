export {
  GENESYS_REGIONS,
  findRegion,
  isGenesysRegion,
  resolveGenesysEnvironment,
  type GenesysEnvironment,
  type GenesysEnvironmentOptions,
  type GenesysRegionName,
} from './lib/regions';
export {
  GenesysAbortedError,
  GenesysApiError,
  GenesysAuthError,
  GenesysConfigError,
  GenesysConflictError,
  GenesysConnectionError,
  GenesysNotFoundError,
  GenesysPermissionError,
  GenesysRateLimitError,
  GenesysServerError,
  GenesysValidationError,
  parseRetryAfter,
  type GenesysErrorBody,
  type GenesysErrorCategory,
  type GenesysResponseLike,
} from './lib/errors';
export {
  noopLogger,
  realSleep,
  systemClock,
  type Clock,
  type GenesysLogger,
  type RandomSource,
  type Sleep,
} from './lib/clock';
export { REDACTED, redactSecrets } from './lib/redact';
export {
  DEFAULT_RETRY_POLICY,
  backoffDelay,
  decideRetry,
  resolveRetryPolicy,
  type RetryDecision,
  type RetryPolicy,
} from './lib/retry-policy';
export { type RetryEvent } from './lib/retry-runner';
export { RateLimiter, readRateLimitHeaders, type RateLimitBudget, type RateLimiterOptions } from './lib/rate-limiter';
export {
  ClientCredentialsTokenProvider,
  type ClientCredentialsOptions,
  type TokenSource,
} from './lib/token-provider';
export {
  GenesysTransport,
  type GenesysRequest,
  type GenesysResponse,
  type GenesysTransportOptions,
  type HttpMethod,
  type ResponseEvent,
} from './lib/transport';
export { whoAmI, type TokenInfo } from './lib/who-am-i';
export {
  createGenesysConnection,
  type GenesysConnection,
  type GenesysConnectionOptions,
  type OAuthClientCredentials,
} from './lib/genesys-client';
export { ClientPool, PooledClient, type ClientPoolOptions, type PoolClientStats } from './lib/client-pool';
export {
  MAX_POOL_CLIENTS,
  OAUTH_CLIENT_ID_VARIABLE,
  OAUTH_CLIENT_SECRET_VARIABLE,
  readOAuthClientVariables,
  type OAuthClientVariableProblem,
  type OAuthClientVariables,
} from './lib/oauth-client-variables';
