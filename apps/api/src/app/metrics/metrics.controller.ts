import { Controller, Get, Res, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/auth.decorators';
import type { ApiResponse } from '../http/api-request';
import { MetricsService } from './metrics.service';

@ApiTags('metrics')
@Controller({ path: 'metrics', version: VERSION_NEUTRAL })
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @RequireScope('metrics')
  @ApiOperation({ summary: 'Prometheus metrics', description: 'Needs a key with the metrics (or admin) scope: give the scraper a key of its own.' })
  @ApiOkResponse({ description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } })
  async scrape(@Res() response: ApiResponse): Promise<void> {
    const body = await this.metrics.registry.metrics();
    response.statusCode = 200;
    response.setHeader('Content-Type', this.metrics.registry.contentType);
    response.end(body);
  }
}
