import { Agent, request as httpRequest } from 'node:http';
import { ManualClock, RunningSandbox, SandboxOptions, startSandbox } from '../index';

export const TEST_NOW = '2025-03-01T12:00:00.000Z';

export interface ApiResponse {
  status: number;
  headers: { get(name: string): string | null };
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** A sandbox on a manual clock with small, fast defaults for specs. */
export async function startTestSandbox(options: SandboxOptions = {}): Promise<{ sandbox: RunningSandbox; clock: ManualClock; api: SandboxApiClient }> {
  const clock = new ManualClock(options.now ?? TEST_NOW);
  const sandbox = await startSandbox({
    seed: 42,
    conversations: 60,
    days: 10,
    now: TEST_NOW,
    clock,
    messagesPerConversation: { min: 1, max: 30 },
    // a 500 fails the calling test; the stack shows why
    onError: (error) => console.error(error),
    ...options,
  });
  return { sandbox, clock, api: new SandboxApiClient(sandbox) };
}

/**
 * Plain node:http calls against a running sandbox, remembering the last access token. Each
 * client has its own connection pool, so a new sandbox on a reused port never meets a
 * stale keep-alive socket of an earlier one.
 */
export class SandboxApiClient {
  token?: string;
  private readonly agent = new Agent({ keepAlive: true });

  constructor(readonly sandbox: RunningSandbox) {}

  basicAuth(id = this.sandbox.clientId, secret = this.sandbox.clientSecret): string {
    return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  }

  async login(): Promise<string> {
    const res = await this.request('POST', '/oauth/token', {
      rawBody: 'grant_type=client_credentials',
      headers: { Authorization: this.basicAuth(), 'Content-Type': 'application/x-www-form-urlencoded' },
      auth: false,
    });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
    this.token = res.body.access_token;
    return this.token!;
  }

  /** Rejects when the connection is dropped or the body arrives incomplete. */
  request(
    method: string,
    path: string,
    options: { body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string>; auth?: boolean; token?: string } = {},
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token ?? this.token;
    if (options.auth !== false && token) headers.Authorization = `Bearer ${token}`;
    let body: string | Buffer | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['Content-Type'] ??= 'application/json';
    }
    const url = new URL(path, this.sandbox.apiBaseUrl);
    return new Promise<ApiResponse>((resolve, reject) => {
      const req = httpRequest(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('close', () => {
          if (!res.complete) {
            reject(new Error('response ended before it was complete'));
            return;
          }
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text.length > 0 ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          resolve({
            status: res.statusCode ?? 0,
            headers: { get: (name) => (res.headers[name.toLowerCase()] as string | undefined) ?? null },
            text,
            body: parsed,
          });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }

  get(path: string, options: { token?: string; auth?: boolean } = {}): Promise<ApiResponse> {
    return this.request('GET', path, options);
  }

  post(path: string, body?: unknown, options: { token?: string; auth?: boolean; headers?: Record<string, string> } = {}): Promise<ApiResponse> {
    return this.request('POST', path, { ...options, body });
  }
}

/** The ErrorBody keys every Platform API error carries. */
export const ERROR_BODY_KEYS = ['message', 'code', 'status', 'messageWithParams', 'messageParams', 'contextId', 'details', 'errors'];
