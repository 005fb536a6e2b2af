import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ProblemResponse, UpstreamProblems } from '../problem/problem-response.decorator';
import { Audited } from '../audit/audited.decorator';
import { RequireScope } from '../auth/auth.decorators';
import type { ApiRequest, ApiResponse } from '../http/api-request';
import { abortOnClose } from '../http/abort-on-close';
import { ConversationParams, SendConversationMessageDto, SentConversationMessageDto, TimelineDto, TimelineQueryDto } from './conversations.dto';
import { ConversationsService } from './conversations.service';
import type { Timeline } from '@gcm/history-timeline';

const CONTENT_TYPES = { markdown: 'text/markdown; charset=utf-8', text: 'text/plain; charset=utf-8' } as const;

@ApiTags('conversations')
@Controller('conversations')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  @Post(':id/messages')
  @RequireScope('write')
  @Audited('conversation.message.send', { target: (request) => request.params['id'] })
  @ApiOperation({ summary: 'Send a message into a conversation', description: 'As its connected agent, or agentless where GCM_API_AGENTLESS_FROM is configured. Validated (one body kind, channel text limit) before it is sent.' })
  @ApiCreatedResponse({ type: SentConversationMessageDto })
  @ProblemResponse(400, 'Invalid message or conversation id; `errors` names the fields', ['validation', 'malformed-body', 'upstream-validation'])
  @ProblemResponse(404, 'Genesys does not know the conversation', ['not-found'])
  @ProblemResponse(409, 'No connected agent to send as', ['no-agent-communication', 'conflict'])
  @ProblemResponse(422, 'Agentless sending is not available for this conversation', ['agentless-unavailable'])
  @UpstreamProblems()
  send(@Param() params: ConversationParams, @Body() body: SendConversationMessageDto): Promise<SentConversationMessageDto> {
    return this.conversations.send(params.id, body);
  }

  @Get(':id/timeline')
  @RequireScope('read')
  @ApiOperation({ summary: 'The verified timeline of a conversation', description: 'Read from Genesys (conversation, message ids, bulk bodies), ordered and checked: integrity report and receipt SLA included. As JSON, or as a Markdown or plain-text transcript.' })
  @ApiExtraModels(TimelineDto)
  @ApiOkResponse({
    description: 'JSON timeline (format=json), or the transcript (format=markdown|text)',
    content: { 'application/json': { schema: { $ref: getSchemaPath(TimelineDto) } }, 'text/markdown': { schema: { type: 'string' } }, 'text/plain': { schema: { type: 'string' } } },
  })
  @ProblemResponse(400, 'Invalid parameters; `errors` names the fields', ['validation', 'upstream-validation'])
  @ProblemResponse(404, 'Genesys does not know the conversation', ['not-found'])
  @UpstreamProblems()
  async timeline(
    @Param() params: ConversationParams,
    @Query() query: TimelineQueryDto,
    @Req() request: ApiRequest,
    @Res({ passthrough: true }) response: ApiResponse,
  ): Promise<Timeline | string> {
    const rendered = await this.conversations.timeline(params.id, query, abortOnClose(request, response));
    if (rendered.format === 'json') return rendered.timeline;
    response.setHeader('Content-Type', CONTENT_TYPES[rendered.format]);
    return rendered.transcript;
  }
}
