import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ProblemResponse, UpstreamProblems } from '../problem/problem-response.decorator';
import { Audited } from '../audit/audited.decorator';
import type { ApiKeyDefinition } from '../auth/api-key';
import { RequireScope } from '../auth/auth.decorators';
import { CurrentKey } from '../auth/current-key.decorator';
import { guestSessionRef } from './guest-token';
import {
  CreateGuestSessionDto,
  GuestHistoryDto,
  GuestHistoryQueryDto,
  GuestSessionDto,
  SendGuestMessageDto,
  SentGuestMessageDto,
} from './guest-sessions.dto';
import { GuestSessionsService } from './guest-sessions.service';

const TOKEN_PARAM = { name: 'token', description: 'The session token returned when the session was opened' };
const tokenTarget = (request: { params: Record<string, string> }) => guestSessionRef(request.params['token']);

@ApiTags('guest sessions')
@Controller('guest-sessions')
export class GuestSessionsController {
  constructor(private readonly guests: GuestSessionsService) {}

  @Post()
  @RequireScope('write')
  @Audited('guest-session.open')
  @ApiOperation({ summary: 'Open a web messaging guest session', description: 'Connects a guest to the deployment over the web messaging guest WebSocket and returns its token, limits and expiry.' })
  @ApiCreatedResponse({ type: GuestSessionDto })
  @ProblemResponse(400, 'Invalid body; `errors` names the fields', ['validation', 'malformed-body'])
  @ProblemResponse(422, 'Web messaging refused the deployment (unknown, inactive, or not open to GCM_API_GUEST_ORIGIN)', ['deployment-refused'])
  @UpstreamProblems()
  open(@CurrentKey() key: ApiKeyDefinition, @Body() body: CreateGuestSessionDto): Promise<GuestSessionDto> {
    return this.guests.open(key, body);
  }

  @Post(':token/messages')
  @RequireScope('write', { description: "The key's rate limit, or the session's 2 messages a second, is exhausted; see Retry-After", types: ['rate-limited', 'guest-rate-limited'] })
  @Audited('guest-session.message.send', { target: tokenTarget })
  @ApiOperation({ summary: 'Send a guest message', description: "Validated against the session's limits before it is sent; paced to web messaging's 2 messages a second." })
  @ApiParam(TOKEN_PARAM)
  @ApiCreatedResponse({ type: SentGuestMessageDto })
  @ProblemResponse(400, 'Invalid message; `errors` names the fields', ['validation', 'malformed-body'])
  @ProblemResponse(404, 'No such session for this key', ['guest-session-not-found'])
  @ProblemResponse(410, 'The session has ended on Genesys; open a new one', ['guest-session-ended'])
  @ProblemResponse(422, 'Web messaging refused the message (an attachment it no longer has, a feature not enabled)', ['guest-refused'])
  @UpstreamProblems()
  send(@CurrentKey() key: ApiKeyDefinition, @Param('token') token: string, @Body() body: SendGuestMessageDto): Promise<SentGuestMessageDto> {
    return this.guests.send(key, token, body);
  }

  @Get(':token/messages')
  @RequireScope('read')
  @ApiOperation({ summary: "The guest's conversation history, newest first", description: 'Read as the guest sees it (GET /api/v2/webmessaging/messages with the session\'s guest JWT); `truncated` says when more messages exist beyond `limit`.' })
  @ApiParam(TOKEN_PARAM)
  @ApiOkResponse({ type: GuestHistoryDto })
  @ProblemResponse(400, 'Invalid limit; `errors` names it', ['validation'])
  @ProblemResponse(404, 'No such session for this key', ['guest-session-not-found'])
  @ProblemResponse(410, 'The session has ended on Genesys; open a new one', ['guest-session-ended'])
  @UpstreamProblems()
  history(@CurrentKey() key: ApiKeyDefinition, @Param('token') token: string, @Query() query: GuestHistoryQueryDto): Promise<GuestHistoryDto> {
    return this.guests.history(key, token, query.limit ?? 100);
  }

  @Delete(':token')
  @HttpCode(204)
  @RequireScope('write')
  @Audited('guest-session.close', { target: tokenTarget })
  @ApiOperation({ summary: 'Close a guest session', description: 'Ends the session on Genesys (closeSession) and forgets the token.' })
  @ApiParam(TOKEN_PARAM)
  @ApiNoContentResponse({ description: 'Closed' })
  @ProblemResponse(404, 'No such session for this key', ['guest-session-not-found'])
  @ProblemResponse(410, 'The session had already ended on Genesys', ['guest-session-ended'])
  @UpstreamProblems()
  async close(@CurrentKey() key: ApiKeyDefinition, @Param('token') token: string): Promise<void> {
    await this.guests.close(key, token);
  }
}
