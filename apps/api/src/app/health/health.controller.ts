import { Controller, Get, Res, ServiceUnavailableException, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { ClientCredentialsTokenProvider } from '@gcm/genesys-auth';
import { StoreDatabase } from '@gcm/store';
import { OpenRoute } from '../auth/auth.decorators';
import type { ApiResponse } from '../http/api-request';

/**
 * Probes for orchestrators, without an API key: liveness says the process answers;
 * readiness checks the database (a round trip) and that a Genesys token can be had
 * (cached, so a probe costs a token request only when the token is due for renewal).
 * Failures name the dependency, never a secret.
 */
@ApiTags('health')
@Controller({ path: 'health', version: VERSION_NEUTRAL })
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly store: StoreDatabase,
    private readonly tokens: ClientCredentialsTokenProvider,
  ) {}

  @Get('live')
  @OpenRoute('probe')
  @ApiOperation({ summary: 'Liveness: the process answers', description: 'No key, no rate limit, no dependency checked.' })
  @ApiOkResponse({ description: 'The process answers', schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get()
  @OpenRoute('probe')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: database and Genesys token', description: 'A database round trip and a (cached) Genesys token; 503 names the dependency that is down.' })
  @ApiOkResponse({ description: 'Terminus result, status ok' })
  @ApiServiceUnavailableResponse({ description: 'Terminus result naming the dependency that is down' })
  async ready(@Res({ passthrough: true }) response: ApiResponse): Promise<HealthCheckResult> {
    try {
      return await this.check();
    } catch (error) {
      // terminus reports a failed check as a 503 carrying its result: that result is the answer
      if (!(error instanceof ServiceUnavailableException)) throw error;
      response.statusCode = 503;
      return error.getResponse() as HealthCheckResult;
    }
  }

  private check(): Promise<HealthCheckResult> {
    return this.health.check([
      async () => {
        const check = this.indicators.check('database');
        try {
          await this.store.ping();
          return check.up({ engine: this.store.engine });
        } catch (error) {
          return check.down({ engine: this.store.engine, message: (error as Error).message });
        }
      },
      async () => {
        const check = this.indicators.check('genesys');
        try {
          await this.tokens.getToken();
          return check.up();
        } catch (error) {
          return check.down({ message: (error as Error).message });
        }
      },
    ]);
  }
}
