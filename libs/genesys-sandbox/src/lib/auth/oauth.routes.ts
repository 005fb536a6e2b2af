import { Router } from '../http/router';
import { RequestContext } from '../http/request-context';
import { SandboxServices } from '../sandbox-services';

/**
 * Login (POST /oauth/token, client-credentials grant only) and the token self-service
 * endpoints. Login errors use the OAuth error shape the Genesys login service answers with
 * ({error, description, error_description}), not the Platform API ErrorBody.
 */
export function registerOAuthRoutes(router: Router, services: SandboxServices): void {
  router.post('/oauth/token', 'login', async (ctx) => {
    const form = await ctx.form();
    const credentials = parseBasic(ctx.req.headers.authorization);
    const { tokens } = services;
    const client = credentials && services.clients.find((c) => c.clientId === credentials.id);
    if (!credentials || !client || credentials.secret !== client.clientSecret) {
      loginError(ctx, 401, 'invalid_client', 'authentication failed');
      return;
    }
    const grantType = form.get('grant_type');
    if (!grantType) {
      loginError(ctx, 400, 'invalid_request', 'grant_type is required');
      return;
    }
    if (grantType !== 'client_credentials') {
      loginError(ctx, 400, 'unsupported_grant_type', `grant type ${grantType} is not supported for this client`);
      return;
    }
    const token = tokens.issue(client.clientId);
    ctx.sendJson(200, { access_token: token.value, token_type: 'bearer', expires_in: tokens.lifetime });
  });

  const tokenInfo = (ctx: RequestContext) => {
    const { organization } = services.world.catalog;
    const client = services.clients.find((c) => c.clientId === ctx.token?.clientId) ?? services.client;
    ctx.sendJson(200, {
      organization: { id: organization.id, name: organization.name },
      homeOrganization: { id: organization.id, name: organization.name },
      authorizedScope: ['analytics', 'conversations', 'messaging', 'notifications'],
      OAuthClient: {
        id: client.clientId,
        name: client.name,
        authorizedGrantType: 'CLIENT-CREDENTIALS',
        organization: { id: organization.id, name: organization.name },
      },
    });
  };
  router.get('/api/v2/tokens/me', 'api', tokenInfo);
  router.head('/api/v2/tokens/me', 'api', (ctx) => ctx.sendEmpty(200));
  router.delete('/api/v2/tokens/me', 'api', (ctx) => {
    if (ctx.token) services.tokens.revoke(ctx.token.value);
    ctx.sendEmpty(204);
  });
}

function loginError(ctx: RequestContext, status: number, error: string, description: string): void {
  ctx.sendJson(status, { error, description, error_description: description });
}

function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^basic\s+(.+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1].trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}
