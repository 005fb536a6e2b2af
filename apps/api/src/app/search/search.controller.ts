import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ProblemResponse, UpstreamProblems } from '../problem/problem-response.decorator';
import { RequireScope } from '../auth/auth.decorators';
import { abortOnClose } from '../http/abort-on-close';
import type { ApiRequest, ApiResponse } from '../http/api-request';
import { GcmLogger } from '@gcm/logging';
import { MetricsService } from '../metrics/metrics.service';
import { problemOf } from '../problem/problem-details.filter';
import { toApiError } from '../problem/library-error.mapper';
import { NdjsonWriter } from './ndjson-writer';
import { SearchQueryDto } from './search.dto';
import { isAbort, SearchService } from './search.service';

export const NDJSON_CONTENT_TYPE = 'application/x-ndjson';

@ApiTags('conversations')
@Controller('conversations/search')
export class SearchController {
  constructor(
    private readonly search: SearchService,
    private readonly metrics: MetricsService,
    private readonly logger: GcmLogger,
  ) {}

  @Get()
  @RequireScope('read')
  @ApiOperation({
    summary: 'Stream the conversations matching a search, as NDJSON',
    description: [
      'One JSON object per line, in four kinds:',
      '`{"type":"conversation","conversation":{…}}` per result;',
      '`{"type":"checkpoint","results":n,"resumeToken":"…"}` every `checkpointEvery` results;',
      '`{"type":"end","results":n,"complete":bool,"resumeToken":"…"}` last on success (complete is false when `limit` stopped it);',
      '`{"type":"error","results":n,"resumeToken":"…","problem":{…}}` last when the search failed mid-way.',
      'Pass a resumeToken back (same criteria) to continue where a stream stopped. The stream follows the reader: a slow reader slows the search.',
    ].join(' '),
  })
  @ApiProduces(NDJSON_CONTENT_TYPE)
  @ApiOkResponse({ description: 'The NDJSON stream', content: { [NDJSON_CONTENT_TYPE]: { schema: { type: 'string' } } } })
  @ProblemResponse(400, 'Invalid criteria or resume token; `errors` names the fields', ['validation', 'upstream-validation'])
  @ProblemResponse(409, 'The resume token cannot continue the search exactly', ['resume-not-exact'])
  @UpstreamProblems()
  async stream(@Query() query: SearchQueryDto, @Req() request: ApiRequest, @Res() response: ApiResponse): Promise<void> {
    const signal = abortOnClose(request, response);
    const { stream, iterator, first } = await this.search.open(query, signal);
    response.statusCode = 200;
    response.setHeader('Content-Type', `${NDJSON_CONTENT_TYPE}; charset=utf-8`);
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('X-Accel-Buffering', 'no');
    const writer = new NdjsonWriter(response);
    const checkpointEvery = query.checkpointEvery ?? 1_000;
    let results = 0;
    try {
      let next = first;
      while (!next.done) {
        await writer.write({ type: 'conversation', conversation: next.value });
        results++;
        this.metrics.searchResults.inc();
        if (checkpointEvery > 0 && results % checkpointEvery === 0) await writer.write({ type: 'checkpoint', results, resumeToken: stream.resumeToken() });
        next = await iterator.next();
      }
      await writer.write({ type: 'end', results, complete: query.limit === undefined || results < query.limit, resumeToken: stream.resumeToken() });
    } catch (error) {
      if (writer.isClosed || isAbort(error)) {
        await iterator.return?.().catch(() => undefined);
        return;
      }
      const problem = toApiError(error);
      if (problem.status >= 500) this.logger.write('warn', `Search stream failed after ${results} results`, { context: 'Search', requestId: request.gcm?.requestId, problem: problem.slug, error: problem.message });
      await writer.write({ type: 'error', results, resumeToken: stream.resumeToken(), problem: problemOf(problem, request) }).catch(() => undefined);
    } finally {
      writer.end();
    }
  }
}
