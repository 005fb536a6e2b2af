import { Inject, Injectable } from '@nestjs/common';
import { HistorySync, renderTranscriptMarkdown, renderTranscriptText, type Timeline } from '@gcm/history-timeline';
import { MessageValidationError, MessagingClient, type AdditionalMessage, type Conversation, type MessagingTemplate } from '@gcm/messaging-client';
import { performance } from 'node:perf_hooks';
import { API_CONFIG } from '../config/api-config.token';
import type { ApiConfig } from '../config/api-config';
import { RequestValidationError } from '../problem/request-validation.error';
import { AgentlessUnavailableError } from './agentless-unavailable.error';
import type { MessageTemplateDto, SendConversationMessageDto, SentConversationMessageDto, TimelineQueryDto } from './conversations.dto';
import { NoAgentCommunicationError } from './no-agent-communication.error';

/** A message communication of a participant, as GET /api/v2/conversations/{id} lists it. */
interface Communication {
  id?: string;
  state?: string;
  type?: string;
  fromAddress?: { addressNormalized?: string };
  toAddress?: { addressNormalized?: string };
}

/** Genesys names the request fields differently from this API; violations are reported under the API's names. */
const FIELD_NAMES: Record<string, string> = { textBody: 'text', messagingTemplate: 'template', body: 'text' };

export type RenderedTimeline = { format: 'json'; timeline: Timeline } | { format: 'markdown' | 'text'; transcript: string };

@Injectable()
export class ConversationsService {
  constructor(
    private readonly messaging: MessagingClient,
    private readonly history: HistorySync,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async send(conversationId: string, request: SendConversationMessageDto): Promise<SentConversationMessageDto> {
    const via = request.via ?? 'agent';
    const started = performance.now();
    const conversation = await this.messaging.getConversation(conversationId);
    try {
      const sent = via === 'agent' ? await this.sendAsAgent(conversation, request) : await this.sendAgentless(conversation, request);
      return { ...sent, via, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
    } catch (error) {
      if (error instanceof MessageValidationError) {
        throw new RequestValidationError(
          error.violations.map((v) => ({ field: renamed(v.field), message: renamedText(v.message), code: v.code })),
          'The message',
        );
      }
      throw error;
    }
  }

  async timeline(conversationId: string, query: TimelineQueryDto, signal?: AbortSignal): Promise<RenderedTimeline> {
    const timeline = await this.history.sync(conversationId, {
      ...(query.from !== undefined || query.to !== undefined ? { window: { from: query.from, to: query.to } } : {}),
      ...(query.messageTypes ? { messageTypes: query.messageTypes } : {}),
      signal,
    });
    const format = query.format ?? 'json';
    if (format === 'json') return { format, timeline };
    const options = { integrity: true, receipts: query.receipts ?? false };
    return { format, transcript: format === 'markdown' ? renderTranscriptMarkdown(timeline, options) : renderTranscriptText(timeline, options) };
  }

  private async sendAsAgent(conversation: Conversation, request: SendConversationMessageDto) {
    const agent = [...conversation.participants]
      .reverse()
      .filter((p) => p.purpose === 'agent' || p.purpose === 'user')
      .map((p) => communications(p).find((c) => c.state === 'connected' && typeof c.id === 'string'))
      .find((c) => c !== undefined);
    if (!agent) throw new NoAgentCommunicationError(conversation.id);
    // the client validates one-body-kind-per-message at run time (400 AMBIGUOUS_BODY / EMPTY_BODY)
    const body = {
      ...(request.text != null ? { textBody: request.text } : {}),
      ...(request.mediaIds ? { mediaIds: request.mediaIds } : {}),
      ...(request.template ? { messagingTemplate: template(request.template) } : {}),
    } as AdditionalMessage;
    const message = await this.messaging.sendAgentMessage(conversation.id, agent.id as string, body, { messengerType: agent.type });
    return {
      messageId: message.id,
      conversationId: conversation.id,
      ...(agent.type ? { messengerType: agent.type } : {}),
      ...(message.timestamp ? { timestamp: message.timestamp } : {}),
    };
  }

  private async sendAgentless(conversation: Conversation, request: SendConversationMessageDto) {
    if (request.mediaIds) {
      throw new RequestValidationError([{ field: 'mediaIds', message: 'cannot be sent agentless; send text or a template', code: 'INVALID_VALUE' }]);
    }
    const from = this.config.agentlessFrom;
    if (!from) throw new AgentlessUnavailableError('This API has no agentless sender configured.');
    const customer = conversation.participants.find((p) => p.purpose === 'customer' || p.purpose === 'external');
    const channel = customer ? communications(customer)[0] : undefined;
    const type = channel?.type;
    if (type !== 'sms' && type !== 'open') {
      throw new AgentlessUnavailableError(`Conversation ${conversation.id} is a ${type ?? 'non-message'} conversation; agentless sending reaches SMS and Open Messaging customers only.`);
    }
    const fromAddress = from[type];
    if (!fromAddress) throw new AgentlessUnavailableError(`No agentless ${type} sender is configured.`);
    const toAddress = channel?.fromAddress?.addressNormalized ?? (typeof customer?.['address'] === 'string' ? customer['address'] : undefined);
    if (!toAddress) throw new AgentlessUnavailableError(`Conversation ${conversation.id} shows no customer address to send to.`);
    const response = await this.messaging.sendAgentlessMessage({
      fromAddress,
      toAddress,
      toAddressMessengerType: type,
      useExistingActiveConversation: true,
      ...(request.text != null ? { textBody: request.text } : {}),
      ...(request.template ? { messagingTemplate: template(request.template) } : {}),
    });
    return {
      messageId: response.message?.id ?? response.id,
      conversationId: response.conversationId ?? conversation.id,
      messengerType: type,
      ...(response.timestamp ? { timestamp: response.timestamp } : {}),
    };
  }
}

function template(dto: MessageTemplateDto): MessagingTemplate {
  return { responseId: dto.responseId, ...(dto.parameters ? { parameters: dto.parameters.map((p) => ({ id: p.id, value: p.value })) } : {}) };
}

function communications(participant: Record<string, unknown>): Communication[] {
  const messages = participant['messages'];
  return Array.isArray(messages) ? (messages as Communication[]) : [];
}

function renamedText(text: string): string {
  return text.replace(/\b(textBody|messagingTemplate)\b/g, (name) => FIELD_NAMES[name]);
}

function renamed(field: string): string {
  const [head, ...rest] = field.split('.');
  return [FIELD_NAMES[head] ?? head, ...rest].join('.');
}
