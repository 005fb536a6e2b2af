import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProblemResponse } from '../problem/problem-response.decorator';
import { Audited } from '../audit/audited.decorator';
import { RequireScope } from '../auth/auth.decorators';
import { ConversationParams } from '../conversations/conversations.dto';
import { ArchiveQueryDto, ArchiveRunDto, ConversationArchiveDto, RunIdParams, StartArchiveDto } from './archives.dto';
import { ArchivesService } from './archives.service';

@ApiTags('archives')
@Controller('archives')
export class ArchivesController {
  constructor(private readonly archives: ArchivesService) {}

  @Post()
  @HttpCode(202)
  @RequireScope('admin')
  @Audited('archive.run.start')
  @ApiOperation({
    summary: 'Start an archive run',
    description: 'A window is backfilled by the archive job (resumable; it shares the run lease with the scheduler). Conversation ids are archived now. Either way the run goes on in the background: poll GET /v1/archives/{runId}.',
  })
  @ApiAcceptedResponse({ type: ArchiveRunDto })
  @ProblemResponse(400, 'Neither or both of window and conversationIds, or a malformed one; `errors` names the fields', ['validation', 'malformed-body'])
  @ProblemResponse(409, 'A run is already in progress on this instance, or another replica holds the archive job', ['archive-run-in-progress', 'archive-busy'])
  @ProblemResponse(503, 'The database is unavailable', ['database-unavailable'])
  start(@Body() body: StartArchiveDto): ArchiveRunDto {
    return this.archives.start(body);
  }

  @Get('conversations/:id')
  @RequireScope('read')
  @ApiOperation({ summary: "A conversation's archive: every version, and the latest (or the asked-for) document", description: 'Read from the archive index and sink; the document is the archive record as stored, verifiable with its contentHash.' })
  @ApiOkResponse({ type: ConversationArchiveDto })
  @ProblemResponse(400, 'Not a conversation id (UUID), or a bad version; `errors` names the field', ['validation'])
  @ProblemResponse(404, 'Not archived', ['archive-not-found'])
  @ProblemResponse(503, 'The database is unavailable', ['database-unavailable'])
  conversation(@Param() params: ConversationParams, @Query() query: ArchiveQueryDto): Promise<ConversationArchiveDto> {
    return this.archives.conversation(params.id, query.version);
  }

  @Get(':runId')
  @RequireScope('read')
  @ApiOperation({ summary: 'Status of an archive run started by this instance', description: 'Counts while it runs, the outcome per conversation when it ends. Runs are tracked by the instance that started them (the last 200).' })
  @ApiOkResponse({ type: ArchiveRunDto })
  @ProblemResponse(400, 'Not a run id (UUID); `errors` names it', ['validation'])
  @ProblemResponse(404, 'Unknown run', ['archive-run-not-found'])
  run(@Param() params: RunIdParams): ArchiveRunDto {
    return this.archives.get(params.runId);
  }
}
