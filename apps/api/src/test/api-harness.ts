import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '@gcm/genesys-sandbox';
import type { ApiRuntime } from '../app/api-runtime';
import { generateApiKey, hashApiKey } from '../app/auth/api-key';
import { createApiApplication, shutdownApiApplication } from '../app/bootstrap';
import { loadApiConfig, type ApiConfig } from '../app/config/api-config';
import { committedContract, ContractCoverage, ContractViolationError, type OpenApiContract } from './openapi-contract';

export const SANDBOX_NOW = '2026-03-01T12:00:00.000Z';
export const WEBHOOK_SECRET = 'open-messaging-test-secret-0123456789';

export interface HarnessKeys {
  readonly reader: string;
  readonly writer: string;
  readonly admin: string;
  readonly scraper: string;
  /** A key with every scope but a tiny rate limit. */
  readonly throttled: string;
}

export interface ApiResponseData {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed body when it is JSON (problem+json included). */
  readonly json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RequestOptions {
  readonly key?: string | null;
  readonly body?: unknown;
  /** Sent as is (no JSON encoding); use with `contentType`. */
  readonly rawBody?: string | Buffer;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
}

export interface ApiHarness {
  readonly sandbox: RunningSandbox;
  readonly app: NestExpressApplication;
  readonly config: ApiConfig;
  readonly baseUrl: string;
  readonly keys: HarnessKeys;
  /** Every log line the API wrote, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  readonly directory: string;
  /** A request whose answer is checked against the OpenAPI document (a contradiction throws ContractViolationError). */
  request(method: string, path: string, options?: RequestOptions): Promise<ApiResponseData>;
  /**
   * Checks a response another client received (a generated client, a stream) against the
   * document and records it: status, content type, headers, and the body when `text` is given.
   */
  checkResponse(method: string, path: string, response: Response, text?: string): void;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly sandbox?: SandboxOptions;
  /** Extra or overriding environment variables. */
  readonly env?: Record<string, string | undefined>;
  readonly runtime?: ApiRuntime;
  /** Reuse a running sandbox (it is then not closed by the harness). */
  readonly reuseSandbox?: RunningSandbox;
  /** The document answers are checked against: the committed apps/api/openapi.json unless given. */
  readonly contract?: OpenApiContract;
}

/**
 * The real API, configured through the environment like production, on 127.0.0.1:0,
 * against an in-process sandbox and a real SQLite file in a scratch directory.
 */
export async function startApiHarness(options: HarnessOptions = {}): Promise<ApiHarness> {
  const sandbox =
    options.reuseSandbox ??
    (await startSandbox({ seed: 7, conversations: 60, days: 14, now: SANDBOX_NOW, jobDelayMs: 0, agentReplyMs: false, ...options.sandbox }));
  const directory = mkdtempSync(join(tmpdir(), 'gcm-api-test-'));
  const keys: HarnessKeys = {
    reader: generateApiKey(),
    writer: generateApiKey(),
    admin: generateApiKey(),
    scraper: generateApiKey(),
    throttled: generateApiKey(),
  };
  const openIntegration = sandbox.world.catalog.openIntegrations[0]?.id;
  const env: Record<string, string | undefined> = {
    GENESYSCLOUD_API_BASE_URL: sandbox.apiBaseUrl,
    GENESYSCLOUD_OAUTHCLIENT_ID: sandbox.clientId,
    GENESYSCLOUD_OAUTHCLIENT_SECRET: sandbox.clientSecret,
    GCM_DATABASE_URL: `sqlite:${join(directory, 'gcm.sqlite')}`,
    GCM_ARCHIVE_DIR: join(directory, 'archive'),
    GCM_API_AUDIT_DIR: join(directory, 'audit'),
    GCM_API_KEYS: [
      `reader:read:${hashApiKey(keys.reader)}`,
      `writer:write+read:${hashApiKey(keys.writer)}`,
      `admin:admin:${hashApiKey(keys.admin)}`,
      `scraper:metrics:${hashApiKey(keys.scraper)}`,
      `throttled:admin:${hashApiKey(keys.throttled)}:3`,
    ].join(','),
    GCM_API_OPEN_MESSAGING_SECRET: WEBHOOK_SECRET,
    GCM_API_AGENTLESS_FROM: `sms=${sandbox.world.catalog.smsNumber}${openIntegration ? `,open=${openIntegration}` : ''}`,
    GCM_API_RATE_LIMIT: '100000',
    GCM_API_ANONYMOUS_RATE_LIMIT: '100000',
    // the sandbox sets no Genesys quota; the transport's default pacing (300/min) would only slow the suite
    GCM_API_GENESYS_RATE_LIMIT: '1000000',
    GCM_API_BODY_LIMIT: '256kb',
    GCM_API_LOG_LEVEL: 'info',
    ...options.env,
  };
  const config = loadApiConfig(env);
  const logs: Array<Record<string, unknown>> = [];
  const { app, logger } = await createApiApplication(config, {
    logSink: { write: (line: string) => logs.push(JSON.parse(line)) },
    search: { jobs: { pollInitialMs: 5, pollMaxMs: 20 } },
    ...options.runtime,
  });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;

  const contract = options.contract ?? committedContract();
  const coverage = new ContractCoverage();
  const verify = (method: string, path: string, response: { status: number; headers: Headers }, text: string | undefined): void => {
    const check = contract.check({ method, url: path, status: response.status, headers: response.headers, text });
    coverage.record(check);
    if (check.violations.length > 0) throw new ContractViolationError(check);
  };

  const request = async (method: string, path: string, request: RequestOptions = {}): Promise<ApiResponseData> => {
    const headers: Record<string, string> = { ...request.headers };
    if (request.key) headers['authorization'] = `Bearer ${request.key}`;
    let body: string | Buffer | undefined;
    if (request.rawBody !== undefined) {
      body = request.rawBody;
      headers['content-type'] = request.contentType ?? 'application/json';
    } else if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    verify(method, path, response, text);
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  };

  return {
    sandbox,
    app,
    config,
    baseUrl,
    keys,
    logs,
    directory,
    request,
    checkResponse: (method, path, response, text) => verify(method, path, response, text),
    close: async () => {
      coverage.flush(expect.getState().testPath ?? 'unknown');
      await shutdownApiApplication(app, 2_000, logger);
      if (!options.reuseSandbox) await sandbox.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Ids of conversations the sandbox generated, oldest first. */
export function sandboxConversationIds(sandbox: RunningSandbox): string[] {
  return sandbox.truth.conversationIds({ from: 0, to: Date.parse(SANDBOX_NOW) + 1 });
}
