import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiErrors, SandboxApiError } from '../errors/api-error';
import type { TokenRecord } from '../auth/token-registry';
import type { RouteDefinition } from './router';

/** Platform API request body limit (request.bytes.max). */
export const API_REQUEST_BYTES_MAX = 512_000;

/**
 * One request as a route handler sees it: parsed URL and params, body readers that answer
 * with the Platform API's own 400/413/415 errors, and `send`, which applies the
 * correlation id and, when a fault asked for it, truncates the body mid-flight.
 */
export class RequestContext {
  readonly url: URL;
  params: Record<string, string> = {};
  route?: RouteDefinition;
  token?: TokenRecord;
  /** Set by the fault injector: the response body is cut and the socket dropped. */
  truncateResponse = false;
  private responded = false;
  private readonly extraHeaders: Record<string, string> = {};
  statusSent = 0;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly contextId: string,
    readonly apiBaseUrl: string,
  ) {
    this.url = new URL(req.url ?? '/', apiBaseUrl);
  }

  get method(): string {
    return (this.req.method ?? 'GET').toUpperCase();
  }

  get path(): string {
    return this.url.pathname;
  }

  get hasResponded(): boolean {
    return this.responded;
  }

  query(name: string): string | undefined {
    return this.url.searchParams.get(name) ?? undefined;
  }

  /** Headers every response of this request carries (rate-limit headers, for instance). */
  setHeader(name: string, value: string): void {
    this.extraHeaders[name] = value;
  }

  async rawBody(limitBytes = API_REQUEST_BYTES_MAX): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of this.req) {
      const buffer = chunk as Buffer;
      total += buffer.length;
      if (total > limitBytes) throw ApiErrors.entityTooLarge(limitBytes);
      chunks.push(buffer);
    }
    return Buffer.concat(chunks);
  }

  /** The JSON body; 415 for another content type, 400 for malformed JSON. */
  async json(): Promise<unknown> {
    const type = this.req.headers['content-type'] ?? '';
    const raw = await this.rawBody();
    if (raw.length > 0 && type && !type.toLowerCase().includes('json')) throw ApiErrors.unsupportedMediaType();
    if (raw.length === 0) return undefined;
    try {
      return JSON.parse(raw.toString('utf8'));
    } catch {
      throw new SandboxApiError(400, 'bad.request', 'The request could not be understood by the server due to malformed syntax.');
    }
  }

  async form(): Promise<URLSearchParams> {
    return new URLSearchParams((await this.rawBody()).toString('utf8'));
  }

  /** Sees every JSON body before it is sent (the traffic recorder). */
  onJson?: (status: number, body: unknown) => void;

  sendJson(status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (!this.responded) this.onJson?.(status, body);
    this.send(status, Buffer.from(JSON.stringify(body), 'utf8'), { 'Content-Type': 'application/json', ...headers });
  }

  sendEmpty(status: number, headers: Record<string, string> = {}): void {
    this.send(status, undefined, headers);
  }

  sendError(error: SandboxApiError): void {
    this.sendJson(error.status, error.toBody(this.contextId), error.extra.headers ?? {});
  }

  send(status: number, body: Buffer | undefined, headers: Record<string, string>): void {
    if (this.responded) return;
    this.responded = true;
    this.statusSent = status;
    const all: Record<string, string> = {
      'ININ-Correlation-Id': this.contextId,
      ...this.extraHeaders,
      ...headers,
    };
    if (body) all['Content-Length'] = String(body.length);
    else if (status !== 204 && status !== 304) all['Content-Length'] = '0';
    this.res.writeHead(status, all);
    if (body && this.truncateResponse && body.length > 1) {
      // a proxy that dies mid-response: headers promise the full length, half arrives
      this.res.write(body.subarray(0, Math.floor(body.length / 2)), () => this.res.destroy());
      return;
    }
    this.res.end(body);
  }
}
