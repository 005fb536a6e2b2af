import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

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
      ].join('\n'),
    )
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key configured in GCM_API_KEYS' }, 'api-key')
    .build();
  return SwaggerModule.createDocument(app, config, { operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}` });
}

/** Serialization used for the committed apps/api/openapi.json (stable, diff-friendly). */
export function serializeOpenApiDocument(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
