import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { REQUEST_ID_HEADER } from '../http/request-lifecycle';
import { problemContent, problemDescription } from '../problem/problem-response.decorator';

type OperationObject = NonNullable<OpenAPIObject['paths'][string]['get']>;
type ResponseObject = { description: string; headers?: Record<string, HeaderObject>; content?: unknown };
type HeaderObject = { description: string; required?: boolean; schema: { type: string; minimum?: number } };

export const API_TITLE = 'gcm API';
/** The document's info.version: the API's major version is in its paths (/v1). */
export const API_DOCUMENT_VERSION = '1.0.0';

/** The OpenAPI description, generated from the controllers and DTOs. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(API_TITLE)
    .setVersion(API_DOCUMENT_VERSION)
    .setDescription(
      [
        'One safe, documented door to Genesys Cloud web messaging: guest sessions, messages, timelines, conversation search, archives, the Open Messaging webhook and the audit trail.',
        '',
        'Authenticate with an API key: `Authorization: Bearer <key>`. Keys carry scopes (read, write, admin, metrics; admin grants all) and a rate limit each; everything is denied without one, except the health probes, these docs and the signed webhook.',
        'Errors are RFC 9457 problem+json (`type`, `title`, `status`, `detail`, `requestId`; validation failures list `errors[]` by field). Every response carries `X-Request-Id` (send your own to correlate).',
        '',
        'Request bodies are UTF-8 JSON (`Content-Type: application/json`; `Content-Encoding` gzip, deflate or br optional), at most GCM_API_BODY_LIMIT bytes (also once decompressed), nested at most GCM_API_BODY_MAX_DEPTH levels with at most GCM_API_BODY_MAX_KEYS properties in all. Another content type or coding is a 415, a broken coding, bytes that are not UTF-8, a lone surrogate or NUL in any string, or a `__proto__`/`constructor`/`prototype` property a 400 naming the field, a larger body a 413. Guest and agent text follows one text policy: controls other than tab and line breaks, and text made only of invisible characters, are refused.',
      ].join('\n'),
    )
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key configured in GCM_API_KEYS' }, 'api-key')
    .addServer('http://127.0.0.1:3000', 'The local stack (npm start); GCM_API_HOST and GCM_API_PORT move it')
    .addTag('guest sessions', 'Web messaging guest sessions: open, send, read, close')
    .addTag('conversations', 'Messages into conversations, verified timelines, conversation search as NDJSON')
    .addTag('events', 'Live conversation events as Server-Sent Events')
    .addTag('archives', 'Archive runs and archived conversations')
    .addTag('webhooks', "Genesys' Open Messaging outbound webhook")
    .addTag('audit', "The API's hash-chained audit trail")
    .addTag('health', 'Liveness and readiness probes')
    .addTag('metrics', 'Prometheus metrics')
    .build();
  const document = SwaggerModule.createDocument(app, config, { operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}` });
  addSharedAnswers(document);
  return document;
}

/**
 * What every operation shares, added after generation: the body problems (413, 415) of
 * operations that take a body, the 500 any operation can answer, and the headers every
 * answer carries (X-Request-Id; Retry-After on a 429; the key's RateLimit-* on keyed routes).
 */
function addSharedAnswers(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const operation of [item.get, item.post, item.put, item.patch, item.delete]) {
      if (!operation) continue;
      if (operation.requestBody) {
        operation.responses['413'] ??= { description: problemDescription('The body exceeds GCM_API_BODY_LIMIT (as sent or once decompressed)', ['body-too-large']), content: problemContent(413, ['body-too-large']) };
        operation.responses['415'] ??= { description: problemDescription('The body is not application/json, or uses a Content-Encoding other than gzip, deflate or br', ['unsupported-media-type']), content: problemContent(415, ['unsupported-media-type']) };
      }
      // refused by the HTTP parser before any route: answered with type about:blank (client-error.handler.ts)
      operation.responses['431'] ??= { description: 'The request line and headers exceed 16 KB (problem type `about:blank`)', content: problemContent(431, []) };
      operation.responses['500'] ??= { description: problemDescription('The API failed unexpectedly; the failure is logged with the request id', ['internal']), content: problemContent(500, ['internal']) };
      const keyed = operation.security !== undefined;
      for (const [status, response] of Object.entries(operation.responses as OperationObject['responses']) as Array<[string, ResponseObject]>) {
        response.headers = {
          ...response.headers,
          [REQUEST_ID_HEADER]: { description: "The request's id (yours when you sent a plain token); quote it when reporting a problem", required: true, schema: { type: 'string' } },
          ...(keyed ? RATE_LIMIT_HEADERS : {}),
          ...(status === '429' ? { 'Retry-After': { description: 'Seconds to wait before retrying', required: true, schema: { type: 'integer', minimum: 0 } } } : {}),
          ...(status === '503' ? { 'Retry-After': { description: 'Seconds to wait before retrying, when the cause is temporary', schema: { type: 'integer', minimum: 0 } } } : {}),
        };
      }
    }
  }
}

const RATE_LIMIT_HEADERS: Record<string, HeaderObject> = {
  'RateLimit-Limit': { description: "The key's requests per minute", schema: { type: 'integer', minimum: 0 } },
  'RateLimit-Remaining': { description: 'Requests left in the current window', schema: { type: 'integer', minimum: 0 } },
  'RateLimit-Reset': { description: 'Seconds until a request is available again', schema: { type: 'integer', minimum: 0 } },
};

/** Serialization used for the committed apps/api/openapi.json (stable, diff-friendly). */
export function serializeOpenApiDocument(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
