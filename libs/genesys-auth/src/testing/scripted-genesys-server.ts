import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ScriptedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  token?: string;
}

export type ScriptedReply =
  | { status: number; headers?: Record<string, string>; body?: unknown; delayMs?: number }
  | { reset: true }
  | { hang: true };

export interface ScriptedServerOptions {
  clientId?: string;
  clientSecret?: string;
  /** `expires_in` of issued tokens, seconds. */
  tokenLifetimeSeconds?: number;
}

/**
 * A real HTTP server on 127.0.0.1 that plays the Genesys login and API with scripted
 * answers, for tests of the transport's edge cases (exact Retry-After values, resets,
 * hanging sockets). The full emulator is `@gcm/genesys-sandbox`.
 */
export class ScriptedGenesysServer {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly requests: ScriptedRequest[] = [];
  /** Token requests received, valid or not. */
  tokenRequests = 0;
  tokenLifetimeSeconds: number;
  private readonly validTokens = new Set<string>();
  private readonly script: ScriptedReply[] = [];
  private readonly tokenScript: ScriptedReply[] = [];
  private fallback: (req: ScriptedRequest) => ScriptedReply = () => ({ status: 200, body: { ok: true } });
  private issued = 0;
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  baseUrl = '';

  constructor(options: ScriptedServerOptions = {}) {
    this.clientId = options.clientId ?? 'scripted-client';
    this.clientSecret = options.clientSecret ?? 'scripted-secret-Zx81-do-not-log';
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 86_400;
  }

  static async start(options?: ScriptedServerOptions): Promise<ScriptedGenesysServer> {
    const server = new ScriptedGenesysServer(options);
    await server.listen();
    return server;
  }

  /** Answers for the next API requests, in order; afterwards the default answer applies. */
  enqueue(...replies: ScriptedReply[]): this {
    this.script.push(...replies);
    return this;
  }

  /** Answers for the next token requests (instead of issuing a token). */
  enqueueToken(...replies: ScriptedReply[]): this {
    this.tokenScript.push(...replies);
    return this;
  }

  /** Answer used when the script is empty. */
  otherwise(handler: (req: ScriptedRequest) => ScriptedReply): this {
    this.fallback = handler;
    return this;
  }

  /** Makes every issued token invalid server-side, as a revocation or early expiry would. */
  revokeTokens(): void {
    this.validTokens.clear();
  }

  get apiRequests(): ScriptedRequest[] {
    return this.requests.filter((r) => r.path !== '/oauth/token');
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    if (this.server) {
      this.server.close();
      await once(this.server, 'close').catch(() => undefined);
    }
  }

  private async listen(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = req.url ?? '/';
    const authorization = req.headers.authorization ?? '';
    const record: ScriptedRequest = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      token: authorization.startsWith('Bearer ') ? authorization.slice(7) : undefined,
    };
    this.requests.push(record);

    if (path === '/oauth/token') {
      this.tokenRequests++;
      const scripted = this.tokenScript.shift();
      if (scripted) return this.reply(res, scripted);
      const expected = 'Basic ' + Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64');
      if (authorization !== expected || record.body !== 'grant_type=client_credentials') {
        return this.reply(res, {
          status: 401,
          body: { error: 'invalid_client', description: 'client not found or bad secret' },
        });
      }
      const token = `scripted-token-${++this.issued}-${'x'.repeat(24)}`;
      this.validTokens.add(token);
      return this.reply(res, {
        status: 200,
        body: { access_token: token, token_type: 'bearer', expires_in: this.tokenLifetimeSeconds },
      });
    }

    if (!record.token || !this.validTokens.has(record.token)) {
      return this.reply(res, {
        status: 401,
        body: { message: 'Invalid login credentials.', code: 'bad.credentials', status: 401, contextId: 'ctx-401' },
      });
    }
    return this.reply(res, this.script.shift() ?? this.fallback(record));
  }

  private async reply(res: ServerResponse, reply: ScriptedReply): Promise<void> {
    if ('reset' in reply) {
      res.socket?.destroy();
      return;
    }
    if ('hang' in reply) return;
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    const body = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'content-type': typeof reply.body === 'string' ? 'text/plain' : 'application/json',
      ...reply.headers,
    });
    res.end(body);
  }
}
