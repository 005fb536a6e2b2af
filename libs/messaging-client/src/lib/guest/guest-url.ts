/**
 * Where the guest WebSocket lives for an API base URL. A real Genesys API host
 * (`https://api.{domain}`) maps to `wss://webmessaging.{domain}/v1`; any other base URL (the
 * sandbox, a proxy) keeps its host and port and switches the scheme to ws/wss, e.g.
 * `http://127.0.0.1:4010` → `ws://127.0.0.1:4010/v1`.
 */
export function guestWebSocketUrl(apiBaseUrl: string): string {
  const url = new URL(apiBaseUrl);
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  const host = url.hostname.startsWith('api.') ? `webmessaging.${url.hostname.slice(4)}` : url.hostname;
  const port = url.port ? `:${url.port}` : '';
  return `${secure ? 'wss' : 'ws'}://${host}${port}/v1`;
}

/** The socket URL with its `deploymentId` (and optional `application`) query. */
export function guestConnectUrl(webSocketUrl: string, deploymentId: string, application?: string): string {
  const url = new URL(webSocketUrl);
  url.searchParams.set('deploymentId', deploymentId);
  if (application) url.searchParams.set('application', application);
  return url.toString();
}

/**
 * The REST base URL that goes with a guest WebSocket URL (for the guest history):
 * `wss://webmessaging.{domain}/v1` → `https://api.{domain}`; `ws://127.0.0.1:4010/v1` →
 * `http://127.0.0.1:4010`.
 */
export function guestApiBaseUrl(webSocketUrl: string): string {
  const url = new URL(webSocketUrl);
  const secure = url.protocol === 'wss:' || url.protocol === 'https:';
  const host = url.hostname.startsWith('webmessaging.') ? `api.${url.hostname.slice('webmessaging.'.length)}` : url.hostname;
  const port = url.port ? `:${url.port}` : '';
  return `${secure ? 'https' : 'http'}://${host}${port}`;
}
