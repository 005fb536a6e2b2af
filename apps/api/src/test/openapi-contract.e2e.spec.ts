import type { AddressInfo } from 'node:net';
import { Controller, Get, HttpCode, Module, Query } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ApiOkResponse, ApiProperty, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ContractViolationError, OpenApiContract } from './openapi-contract';
import { startApiHarness, type ApiHarness } from './api-harness';

class CountDto {
  @ApiProperty({ type: 'integer' })
  count!: number;

  @ApiProperty()
  label!: string;
}

/** A controller that contradicts its own description, as a regression would. */
@Controller('drifting')
class DriftingController {
  @Get('count')
  @ApiOkResponse({ type: CountDto })
  count(@Query('as') as?: string): CountDto {
    // the description says an integer count and a string label
    return as === 'string' ? ({ count: '3', label: 'three' } as unknown as CountDto) : { count: 3, label: 'three' };
  }

  @Get('counted')
  @ApiOkResponse({ type: CountDto, headers: { 'X-Total-Count': { description: 'All there are', required: true, schema: { type: 'integer' } } } })
  counted(): CountDto {
    // documents X-Total-Count, never sends it
    return { count: 2, label: 'two' };
  }

  @Get('teapot')
  @HttpCode(418)
  @ApiOkResponse({ type: CountDto })
  teapot(): CountDto {
    return { count: 1, label: 'one' };
  }
}

@Module({ controllers: [DriftingController] })
class DriftingModule {}

describe('the OpenAPI contract check of the e2e harness', () => {
  describe('fails a response that contradicts the document', () => {
    let app: NestExpressApplication;
    let contract: OpenApiContract;
    let baseUrl: string;

    beforeAll(async () => {
      app = await NestFactory.create<NestExpressApplication>(DriftingModule, { logger: false });
      contract = new OpenApiContract(JSON.parse(JSON.stringify(SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('drifting').build()))), "the drifting controller's document");
      await app.listen(0, '127.0.0.1');
      baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      await app?.close();
    });

    const observe = async (path: string) => {
      const response = await fetch(`${baseUrl}${path}`);
      return contract.check({ method: 'GET', url: path, status: response.status, headers: response.headers, text: await response.text() });
    };

    it('passes the answer the controller documents', async () => {
      expect(await observe('/drifting/count')).toMatchObject({ operation: 'GET /drifting/count', status: 200, violations: [] });
    });

    it('names the operation, the status and the schema path of a field of the wrong type', async () => {
      const check = await observe('/drifting/count?as=string');
      expect(check.violations).toEqual(['body.count must be integer (schema #/components/schemas/CountDto/properties/count/type)']);
      expect(new ContractViolationError(check).message).toBe(
        "GET /drifting/count answered 200, which contradicts the drifting controller's document:\n  - body.count must be integer (schema #/components/schemas/CountDto/properties/count/type)",
      );
    });

    it('names a required header the answer lacks', async () => {
      const check = await observe('/drifting/counted');
      expect(check.violations).toEqual(['required header X-Total-Count is missing (#/paths/~1drifting~1counted/get/responses/200/headers/X-Total-Count)']);
    });

    it('names an undocumented status and the documented ones', async () => {
      const check = await observe('/drifting/teapot');
      expect(check).toMatchObject({ operation: 'GET /drifting/teapot', status: 418, violations: ['status 418 is not documented for GET /drifting/teapot (documented: 200)'] });
    });
  });

  describe('the API answers what its operations document (issue #24)', () => {
    let api: ApiHarness;

    beforeAll(async () => {
      api = await startApiHarness();
    });

    afterAll(async () => {
      await api?.close();
    });

    // each request below is checked against apps/api/openapi.json by the harness itself
    it('GET /v1/audit?limit=501 is a documented 400 problem naming limit', async () => {
      const response = await api.request('GET', '/v1/audit?limit=501', { key: api.keys.admin });
      expect(response.status).toBe(400);
      expect(response.json).toMatchObject({ type: 'urn:gcm:problem:validation', errors: [{ field: 'limit', message: 'must not be greater than 500' }] });
    });

    it('GET /v1/archives/not-a-uuid is a documented 400 problem naming runId', async () => {
      const response = await api.request('GET', '/v1/archives/not-a-uuid', { key: api.keys.reader });
      expect(response.status).toBe(400);
      expect(response.json).toMatchObject({ type: 'urn:gcm:problem:validation', errors: [{ field: 'runId' }] });
    });

    it('GET /v1/guest-sessions/{token}/messages?limit=2.5 is a documented 400 problem naming limit', async () => {
      const response = await api.request('GET', '/v1/guest-sessions/3f6c2a9e-8d1b-4e7a-9c55-0b2d4e6f8a1c/messages?limit=2.5', { key: api.keys.reader });
      expect(response.status).toBe(400);
      expect(response.json).toMatchObject({ type: 'urn:gcm:problem:validation', errors: [{ field: 'limit', message: 'must be an integer number' }] });
    });

    it("the signed webhook's per-address rate limit is a documented 429 with Retry-After", async () => {
      const limited = await startApiHarness({ reuseSandbox: api.sandbox, env: { GCM_API_ANONYMOUS_RATE_LIMIT: '1' } });
      try {
        const first = await limited.request('POST', '/v1/webhooks/open-messaging', { body: {} });
        expect(first.status).toBe(401);
        const second = await limited.request('POST', '/v1/webhooks/open-messaging', { body: {} });
        expect(second.status).toBe(429);
        expect(second.json).toMatchObject({ type: 'urn:gcm:problem:rate-limited' });
        expect(second.headers.get('retry-after')).toMatch(/^\d+$/);
      } finally {
        await limited.close();
      }
    });

    it('a harness request whose answer the document does not describe throws ContractViolationError', async () => {
      const document = JSON.parse(JSON.stringify(OpenApiContract.fromFile().document));
      delete document.paths['/v1/audit'].get.responses['400'];
      const strict = await startApiHarness({ reuseSandbox: api.sandbox, contract: new OpenApiContract(document) });
      try {
        await expect(strict.request('GET', '/v1/audit?limit=501', { key: strict.keys.admin })).rejects.toThrow('GET /v1/audit answered 400, which contradicts apps/api/openapi.json:\n  - status 400 is not documented for GET /v1/audit');
      } finally {
        await strict.close();
      }
    });
  });
});
