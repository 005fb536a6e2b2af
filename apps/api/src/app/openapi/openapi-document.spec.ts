import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
});
