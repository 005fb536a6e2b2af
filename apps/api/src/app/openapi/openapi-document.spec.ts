import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { generateOpenApiText } from './openapi-generator';

const COMMITTED = join(__dirname, '../../../openapi.json');

describe('the committed OpenAPI document (apps/api/openapi.json)', () => {
  let generated: string;
  beforeAll(async () => {
    generated = await generateOpenApiText();
  });

  it('is what the controllers and DTOs generate now (regenerate with `npx nx run api:openapi`)', () => {
    const committed = readFileSync(COMMITTED, 'utf8');
    if (committed !== generated) {
      throw new Error('apps/api/openapi.json is stale: the API changed without its description. Run `npx nx run api:openapi` and commit the result.');
    }
  });

  it('describes every endpoint of the API under /v1, plus the probes and metrics', () => {
    const document = JSON.parse(generated);
    const operations = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    expect(operations.sort()).toEqual(
      [
        'POST /v1/guest-sessions',
        'POST /v1/guest-sessions/{token}/messages',
        'GET /v1/guest-sessions/{token}/messages',
        'DELETE /v1/guest-sessions/{token}',
        'POST /v1/conversations/{id}/messages',
        'GET /v1/conversations/{id}/timeline',
        'GET /v1/conversations/search',
        'GET /v1/events',
        'POST /v1/archives',
        'GET /v1/archives/{runId}',
        'GET /v1/archives/conversations/{id}',
        'POST /v1/webhooks/open-messaging',
        'GET /v1/audit',
        'GET /v1/audit/verify',
        'GET /health',
        'GET /health/live',
        'GET /metrics',
      ].sort(),
    );
  });

  it('requires the API key on every operation except the probes and the signed webhook, and documents problem+json errors', () => {
    const document = JSON.parse(generated);
    for (const [path, methods] of Object.entries(document.paths as Record<string, Record<string, { security?: unknown[]; responses: Record<string, { content?: Record<string, unknown> }> }>>)) {
      for (const [method, operation] of Object.entries(methods)) {
        const open = path.startsWith('/health') || path === '/v1/webhooks/open-messaging';
        expect({ route: `${method} ${path}`, secured: operation.security !== undefined }).toEqual({ route: `${method} ${path}`, secured: !open });
        if (!open) {
          expect(operation.responses['401'].content).toHaveProperty(['application/problem+json']);
          expect(operation.responses['403'].content).toHaveProperty(['application/problem+json']);
        }
      }
    }
    expect(document.components.schemas.ProblemDto.properties).toHaveProperty('requestId');
  });

  it('takes its request schemas from the DTOs', () => {
    const { components } = JSON.parse(generated);
    expect(components.schemas.CreateGuestSessionDto.required).toEqual(['deploymentId']);
    expect(components.schemas.SendConversationMessageDto.properties.via.enum).toEqual(['agent', 'agentless']);
    expect(components.schemas.StartArchiveDto.properties.conversationIds.maxItems).toBe(100);
  });

  it('has examples that are valid against their own schemas (Ajv)', () => {
    const document = JSON.parse(generated);
    const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    addFormats(ajv);
    ajv.addSchema(document, 'doc');
    const pointer = (path: string[]) => `doc#/${path.map((segment) => segment.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
    const invalid: string[] = [];
    let checked = 0;
    const check = (schemaPath: string[], value: unknown, where: string[]) => {
      const validate = ajv.compile({ $ref: pointer(schemaPath) });
      checked++;
      if (!validate(value)) invalid.push(`${where.join('/')}: ${ajv.errorsText(validate.errors)}`);
    };
    // a schema's `example`, and a media type's `examples` against the media type's schema
    const visit = (node: unknown, path: string[]) => {
      if (!node || typeof node !== 'object') return;
      const object = node as Record<string, unknown>;
      if ('example' in object && ('type' in object || '$ref' in object || 'enum' in object)) check(path, object['example'], [...path, 'example']);
      if ('examples' in object && 'schema' in object) {
        for (const [name, example] of Object.entries(object['examples'] as Record<string, { value: unknown }>)) check([...path, 'schema'], example.value, [...path, 'examples', name]);
      }
      for (const [key, child] of Object.entries(object)) if (key !== 'example' && key !== 'examples') visit(child, [...path, key]);
    };
    visit(document, []);
    expect(invalid).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  });

  it('types every count, limit and cursor as an integer, with the bounds the validation pipe enforces', () => {
    const { paths, components } = JSON.parse(generated);
    const parameter = (path: string, name: string) => paths[path].get.parameters.find((p: { name: string }) => p.name === name).schema;
    expect(parameter('/v1/audit', 'limit')).toMatchObject({ type: 'integer', minimum: 1, maximum: 500 });
    expect(parameter('/v1/audit', 'after')).toMatchObject({ type: 'integer', minimum: 0 });
    expect(parameter('/v1/guest-sessions/{token}/messages', 'limit')).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000 });
    expect(parameter('/v1/archives/conversations/{id}', 'version')).toMatchObject({ type: 'integer', minimum: 1 });
    expect(parameter('/v1/conversations/search', 'queueIds')).toMatchObject({ type: 'array', items: { type: 'string', format: 'uuid' }, maxItems: 1000 });
    expect(parameter('/v1/archives/{runId}', 'runId')).toMatchObject({ type: 'string', format: 'uuid' });
    expect(components.schemas.AuditPageDto.properties.nextCursor.type).toBe('integer');
    expect(components.schemas.StartArchiveDto.properties.conversationIds).toMatchObject({ minItems: 1, maxItems: 100, uniqueItems: true, items: { format: 'uuid' } });
    for (const [path, status] of [['/v1/audit', '400'], ['/v1/archives/{runId}', '400'], ['/v1/guest-sessions/{token}/messages', '400']]) {
      expect(paths[path].get.responses[status].content['application/problem+json'].examples.validation.value.type).toBe('urn:gcm:problem:validation');
    }
  });
});
