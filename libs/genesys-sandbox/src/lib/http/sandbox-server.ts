import type { TrafficRecorder } from '../record/traffic-recorder';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { AddressInfo } from 'node:net';
import { TokenRegistry } from '../auth/token-registry';
import { ApiErrors, SandboxApiError } from '../errors/api-error';
import { FaultInjector } from '../faults/fault-injector';
import { RateLimiter } from '../faults/rate-limiter';
import { SequenceIds } from '../random/sequence-ids';
import { SandboxStats } from '../stats/sandbox-stats';
import { RequestContext } from './request-context';
import { Router } from './router';

/** Handles a WebSocket upgrade if the path is its own; returns false to pass it on. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

export interface SandboxServerDeps {
  router: Router;
  tokens: TokenRegistry;
  faults: FaultInjector;
  rateLimiter: RateLimiter;
  stats: SandboxStats;
  ids: SequenceIds;
  sleep: (ms: number) => Promise<void>;
  /** Records every JSON body sent, by route template (the contract check's input); off when absent. */
  recorder?: TrafficRecorder;
  /** Unexpected handler failures (answered with a 500); the default ignores them. */
  onError: (error: unknown, where: { method: string; path: string }) => void;
}

const PROXY_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n';
const PROXY_503 =
  '<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>';

/**
 * node:http plus the request pipeline every route shares:
 *   correlation id → faults (latency, reset, injected status) → route → bearer token and
 *   rate limit (api scope) → handler → stats.
 * /__sandbox/* skips faults and takes its correlation ids from a separate sequence, so
 * polling the admin API from another process does not disturb a seeded run.
 */
export class SandboxServer {
  readonly http: Server;
  private baseUrl = '';
  private readonly upgradeHandlers: UpgradeHandler[] = [];

  constructor(private readonly deps: SandboxServerDeps) {
    this.http = createServer((req, res) => {
      void this.handle(req, res);
    });
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      for (const handler of this.upgradeHandlers) if (handler(req, socket, head)) return;
      socket.destroy();
    });
  }

  get apiBaseUrl(): string {
    return this.baseUrl;
  }

  addUpgradeHandler(handler: UpgradeHandler): void {
    this.upgradeHandlers.push(handler);
  }

  async listen(port: number, host: string): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    const address = this.http.address() as AddressInfo;
    const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.baseUrl = `http://${hostPart}:${address.port}`;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    if (!this.http.listening) return;
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { router, ids, stats } = this.deps;
    const path = (req.url ?? '/').split('?')[0];
    const admin = path === '/__sandbox' || path.startsWith('/__sandbox/');
    const ctx = new RequestContext(req, res, ids.uuid(admin ? 'admin-context' : 'context'), this.baseUrl);
    const method = ctx.method;
    const { match, pathExists } = router.match(method, ctx.path);
    const routeKey = match ? `${method} ${match.route.pattern}` : `${method} (no route)`;
    const recorder = this.deps.recorder;
    if (recorder && !admin) ctx.onJson = (status, body) => recorder.record({ kind: 'rest', route: routeKey, status, body });
    try {
      const faultable = !admin && (ctx.path.startsWith('/api/') || ctx.path.startsWith('/oauth/'));
      if (faultable && (await this.injectFault(ctx))) {
        stats.recordRequest(routeKey, ctx.hasResponded ? ctx.statusSent : 'reset');
        return;
      }
      if (!match) {
        throw pathExists
          ? new SandboxApiError(405, 'method.not.allowed', 'HTTP method {method} is not supported on {path}.', { method, path: ctx.path })
          : ApiErrors.routeNotFound();
      }
      ctx.params = match.params;
      ctx.route = match.route;
      if (match.route.scope === 'api') this.authenticate(ctx);
      await match.route.handler(ctx);
      if (!ctx.hasResponded) throw new Error(`route ${routeKey} finished without a response`);
    } catch (error) {
      if (error instanceof SandboxApiError) {
        ctx.sendError(error);
      } else {
        this.deps.onError(error, { method, path: ctx.path });
        ctx.sendError(ApiErrors.internalServerError());
      }
    }
    stats.recordRequest(routeKey, ctx.statusSent);
    if (ctx.token) stats.recordClientRequest(ctx.token.clientId, ctx.statusSent);
  }

  /** Applies the fault decision; true when the request has been answered (or dropped) by it. */
  private async injectFault(ctx: RequestContext): Promise<boolean> {
    const { faults, stats, sleep } = this.deps;
    const decision = faults.decide();
    if (decision.latencyMs > 0) {
      stats.recordFault('latency');
      await sleep(decision.latencyMs);
    }
    if (decision.outcome === 'none') return false;
    stats.recordFault(decision.outcome);
    const retryAfter = faults.current.retryAfterSeconds;
    switch (decision.outcome) {
      case 'reset':
        ctx.req.socket.destroy();
        return true;
      case 'truncate':
        ctx.truncateResponse = true;
        return false;
      case 'http429':
        ctx.sendError(ApiErrors.tooManyRequests(retryAfter));
        return true;
      case 'http500':
        ctx.sendError(ApiErrors.internalServerError());
        return true;
      case 'http502':
        ctx.send(502, Buffer.from(PROXY_502), { 'Content-Type': 'text/html' });
        return true;
      case 'http503':
        ctx.sendError(ApiErrors.serviceUnavailable(retryAfter));
        return true;
      case 'http504':
        ctx.sendError(ApiErrors.gatewayTimeout());
        return true;
      case 'html':
        ctx.send(503, Buffer.from(PROXY_503), { 'Content-Type': 'text/html' });
        return true;
    }
  }

  private authenticate(ctx: RequestContext): void {
    const { tokens, faults, stats, rateLimiter } = this.deps;
    const header = ctx.req.headers.authorization ?? '';
    const match = /^bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw ApiErrors.authenticationRequired();
    const { status, token } = tokens.check(match[1]);
    if (status !== 'valid' || !token) throw ApiErrors.badCredentials();
    token.requests++;
    if (faults.shouldRevokeToken(token.requests)) {
      tokens.revoke(token.value);
      stats.recordFault('tokenRevocation');
      throw ApiErrors.badCredentials();
    }
    ctx.token = token;
    const limit = faults.current.rateLimitPerMinute;
    if (limit > 0) {
      // Genesys counts per OAuth client, not per token: a fresh login gets no fresh budget
      const verdict = rateLimiter.hit(token.clientId, limit);
      ctx.setHeader('inin-ratelimit-count', String(verdict.count));
      ctx.setHeader('inin-ratelimit-allowed', String(verdict.limit));
      ctx.setHeader('inin-ratelimit-reset', String(verdict.resetSeconds));
      if (!verdict.allowed) {
        stats.recordFault('rateLimited');
        throw ApiErrors.tooManyRequests(verdict.resetSeconds);
      }
    }
  }
}
