import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, getSchemaPath, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '../problem/problem-details';
import { ProblemDto } from '../problem/problem-response.decorator';

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
    .build();
  const document = SwaggerModule.createDocument(app, config, { operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}` });
  addBodyProblems(document);
  return document;
}

/** Every operation that takes a body can answer 413 and 415 (BodyParsingInterceptor, bodyReader). */
function addBodyProblems(document: OpenAPIObject): void {
  const problem = { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDto) } } };
  for (const item of Object.values(document.paths)) {
    for (const operation of [item.post, item.put, item.patch, item.delete]) {
      if (!operation?.requestBody) continue;
      operation.responses['413'] ??= { description: 'The body exceeds GCM_API_BODY_LIMIT (as sent or once decompressed)', content: problem };
      operation.responses['415'] ??= { description: 'The body is not application/json, or uses a Content-Encoding other than gzip, deflate or br', content: problem };
    }
  }
}

/** Serialization used for the committed apps/api/openapi.json (stable, diff-friendly). */
export function serializeOpenApiDocument(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
