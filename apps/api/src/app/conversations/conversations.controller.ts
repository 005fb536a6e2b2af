import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ProblemResponse } from '../problem/problem-response.decorator';
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
  @ProblemResponse(400, 'Invalid message; `errors` names the fields')
  @ProblemResponse(404, 'Genesys does not know the conversation')
  @ProblemResponse(409, 'No connected agent to send as')
  @ProblemResponse(422, 'Agentless sending is not available for this conversation')
  send(@Param() params: ConversationParams, @Body() body: SendConversationMessageDto): Promise<SentConversationMessageDto> {
    return this.conversations.send(params.id, body);
  }

  @Get(':id/timeline')
  @RequireScope('read')
  @ApiOperation({ summary: 'The verified timeline of a conversation', description: 'Read from Genesys (conversation, message ids, bulk bodies), ordered and checked: integrity report and receipt SLA included. As JSON, or as a Markdown or plain-text transcript.' })
  @ApiProduces('application/json', 'text/markdown', 'text/plain')
  @ApiOkResponse({ type: TimelineDto, description: 'JSON timeline (format=json), or the transcript (format=markdown|text)' })
  @ProblemResponse(400, 'Invalid parameters')
  @ProblemResponse(404, 'Genesys does not know the conversation')
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
