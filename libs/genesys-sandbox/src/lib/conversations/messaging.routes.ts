import { isoString } from '../clock/sandbox-clock';
import { attachmentKindFor } from '../data/attachment-content';
import { AttachmentRecord, CustomerIdentity, MessengerKind, ReceiptStatus } from '../data/conversation-record';
import { ApiErrors } from '../errors/api-error';
import {
  JsonObject,
  optionalArray,
  optionalBoolean,
  optionalEnum,
  optionalObject,
  optionalString,
  parseInstant,
  requireObject,
  requireString,
} from '../http/body-validation';
import { Router } from '../http/router';
import { renderMessageData, renderNormalizedMessage } from '../render/message-data.mapper';
import { SandboxServices } from '../sandbox-services';

/** Text limit of an outbound message: 765 characters for SMS, 2,000 for other channels. */
export function maxTextLength(kind: MessengerKind | 'whatsapp'): number {
  return kind === 'sms' ? 765 : 2000;
}

function checkTextLength(text: string, kind: MessengerKind, field: string): void {
  const length = [...text].length;
  const max = maxTextLength(kind);
  if (length > max) {
    throw ApiErrors.badRequest(
      'The message text is {length} characters long; {messengerType} messages allow at most {max} characters.',
      { length: String(length), max: String(max), messengerType: kind },
      field,
    );
  }
}

function templateText(template: JsonObject): string {
  const responseId = requireString(template, 'responseId');
  const parameters = (optionalArray(template, 'parameters') ?? []).map((p) => {
    const param = requireObject(p, 'messagingTemplate.parameters');
    return `${optionalString(param, 'id') ?? ''}=${optionalString(param, 'value') ?? ''}`;
  });
  return parameters.length > 0 ? `[template ${responseId}] ${parameters.join(' ')}` : `[template ${responseId}]`;
}

const RECEIPT_STATUSES: readonly ReceiptStatus[] = ['Sent', 'Delivered', 'Failed', 'Published', 'Removed'];
const ID_TYPES: ReadonlyArray<CustomerIdentity['idType']> = ['Email', 'Phone', 'Opaque'];

/** Sending: agent messages, media uploads, agentless messages, Open Messaging inbound (§4). */
export function registerMessagingRoutes(router: Router, services: SandboxServices): void {
  const { world } = services;
  const base = () => services.apiBaseUrl();

  router.post('/api/v2/conversations/messages/:conversationId/communications/:communicationId/messages', 'api', async (ctx) => {
    const body = requireObject(await ctx.json());
    const conversation = world.requireConversation(ctx.params.conversationId);
    const textBody = optionalString(body, 'textBody');
    const mediaIds = optionalArray(body, 'mediaIds') ?? [];
    if (mediaIds.some((id) => typeof id !== 'string')) throw ApiErrors.badRequest('mediaIds must be an array of strings.', {}, 'mediaIds');
    const template = optionalObject(body, 'messagingTemplate');
    if (template && (textBody || mediaIds.length > 0)) {
      throw ApiErrors.badRequest('Send either textBody/mediaIds or a messagingTemplate, not both.', {}, 'messagingTemplate');
    }
    if (!template && !textBody && mediaIds.length === 0) {
      throw ApiErrors.badRequest('The message needs a textBody, mediaIds or a messagingTemplate.', {}, 'textBody');
    }
    const text = template ? templateText(template) : textBody || undefined;
    if (text !== undefined) checkTextLength(text, conversation.kind, 'textBody');
    const message = world.sendOutbound(conversation.id, ctx.params.communicationId, { text, mediaIds: mediaIds as string[] });
    ctx.sendJson(200, renderMessageData(base(), world.requireConversation(conversation.id), message));
  });

  router.post(
    '/api/v2/conversations/messages/:conversationId/communications/:communicationId/messages/media/uploads',
    'api',
    async (ctx) => {
      const body = requireObject(await ctx.json());
      const fileName = requireString(body, 'fileName');
      const length = body.contentLengthBytes;
      if (typeof length !== 'number' || !Number.isInteger(length) || length < 1) {
        throw ApiErrors.badRequest('contentLengthBytes is required and must be a positive integer.', {}, 'contentLengthBytes');
      }
      const max = world.config.uploadMaxBytes;
      if (length > max) {
        throw ApiErrors.badRequest(
          'The file is {length} bytes; at most {max} bytes can be uploaded.',
          { length: String(length), max: String(max) },
          'contentLengthBytes',
        );
      }
      const upload = world.createUpload(ctx.params.conversationId, ctx.params.communicationId, fileName, length);
      ctx.sendJson(200, {
        id: upload.id,
        uploadUrl: `${base()}/uploads/${upload.id}`,
        uploadHeaders: { 'Content-Type': upload.mime },
      });
    },
  );

  router.get(
    '/api/v2/conversations/messages/:conversationId/communications/:communicationId/messages/media/:mediaId',
    'api',
    (ctx) => {
      const upload = world.upload(ctx.params.mediaId);
      if (!upload || upload.conversationId !== ctx.params.conversationId || upload.communicationId !== ctx.params.communicationId) {
        throw ApiErrors.notFound('mediaId', ctx.params.mediaId);
      }
      ctx.sendJson(200, {
        id: upload.id,
        name: upload.fileName,
        url: upload.bytes ? `${base()}/media/${upload.conversationId}/${upload.id}/${encodeURIComponent(upload.fileName)}` : undefined,
        mediaType: upload.mime,
        contentLengthBytes: upload.contentLengthBytes,
        uploadUrl: `${base()}/uploads/${upload.id}`,
        status: upload.bytes ? 'valid' : 'uploading',
        conversationId: upload.conversationId,
        communicationId: upload.communicationId,
        selfUri: ctx.path,
      });
    },
  );

  router.post('/api/v2/conversations/messages/agentless', 'api', async (ctx) => {
    const body = requireObject(await ctx.json());
    const fromAddress = requireString(body, 'fromAddress');
    const toAddress = requireString(body, 'toAddress');
    const messengerType = optionalEnum(body, 'toAddressMessengerType', ['sms', 'whatsapp', 'open'] as const);
    if (!messengerType) throw ApiErrors.badRequest('toAddressMessengerType is required.', {}, 'toAddressMessengerType');
    if (messengerType === 'whatsapp') {
      throw ApiErrors.badRequest('The sandbox has no WhatsApp integration; use sms or open.', {}, 'toAddressMessengerType');
    }
    const { catalog } = world;
    if (messengerType === 'sms' && fromAddress !== catalog.smsNumber) {
      throw ApiErrors.badRequest('fromAddress {fromAddress} is not a provisioned SMS number of this organization.', { fromAddress }, 'fromAddress');
    }
    if (messengerType === 'open' && !catalog.openIntegrations.some((i) => i.id === fromAddress)) {
      throw ApiErrors.badRequest('fromAddress {fromAddress} is not an Open Messaging integration id.', { fromAddress }, 'fromAddress');
    }
    const template = optionalObject(body, 'messagingTemplate');
    const textBody = optionalString(body, 'textBody');
    if (!textBody && !template) throw ApiErrors.badRequest('textBody or messagingTemplate is required.', {}, 'textBody');
    const text = template ? templateText(template) : textBody!;
    checkTextLength(text, messengerType, 'textBody');
    const useExisting = optionalBoolean(body, 'useExistingActiveConversation') ?? false;
    const { conversation, message } = world.sendAgentless({
      kind: messengerType,
      fromAddress,
      toAddress,
      text,
      useExistingActiveConversation: useExisting,
    });
    ctx.sendJson(200, {
      id: message.id,
      conversationId: conversation.id,
      fromAddress,
      toAddress,
      messengerType,
      useExistingActiveConversation: useExisting,
      timestamp: isoString(message.timestamp),
      selfUri: `/api/v2/conversations/messages/agentless/${message.id}`,
      message: renderMessageData(base(), conversation, message),
    });
  });

  router.post('/api/v2/conversations/messages/:integrationId/inbound/open/message', 'api', async (ctx) => {
    const body = requireObject(await ctx.json());
    const channel = optionalObject(body, 'channel');
    if (!channel) throw ApiErrors.badRequest('channel is required.', {}, 'channel');
    const fromObj = optionalObject(channel, 'from');
    if (!fromObj) throw ApiErrors.badRequest('channel.from is required.', {}, 'channel.from');
    const idType = optionalEnum(fromObj, 'idType', ID_TYPES);
    if (!idType) throw ApiErrors.badRequest('channel.from.idType is required.', {}, 'channel.from.idType');
    const from: CustomerIdentity = {
      id: requireString(fromObj, 'id'),
      idType,
      firstName: optionalString(fromObj, 'firstName') ?? '',
      lastName: optionalString(fromObj, 'lastName') ?? '',
      nickname: optionalString(fromObj, 'nickname') ?? optionalString(fromObj, 'id')!,
    };
    const time = parseInstant(requireString(channel, 'time'), 'channel.time');
    const text = optionalString(body, 'text');
    const attachments = (optionalArray(body, 'content') ?? []).map((c, n) =>
      inboundAttachment(c, n, () => world.ids.uuid('inbound-attachment')),
    );
    if (!text && attachments.length === 0) throw ApiErrors.badRequest('An inbound message needs text or content.', {}, 'text');
    if (text) checkTextLength(text, 'open', 'text');
    const { conversation, message } = world.receiveInbound({
      kind: 'open',
      channelId: ctx.params.integrationId,
      from,
      providerMessageId: optionalString(channel, 'messageId'),
      time,
      text,
      attachments,
    });
    // OpenMessageNormalizedMessage: the conversation message's normalized form without its direction
    const { direction: _direction, ...normalized } = renderNormalizedMessage(base(), conversation, message);
    const metadata = optionalObject(body, 'metadata');
    if (metadata) normalized.metadata = metadata;
    if (ctx.query('prefetchConversationId') === 'true') normalized.conversationId = conversation.id;
    ctx.sendJson(200, normalized);
  });

  router.post('/api/v2/conversations/messages/:integrationId/inbound/open/receipt', 'api', async (ctx) => {
    const body = requireObject(await ctx.json());
    const id = requireString(body, 'id');
    const status = optionalEnum(body, 'status', RECEIPT_STATUSES);
    if (!status) throw ApiErrors.badRequest('status is required.', {}, 'status');
    const channel = optionalObject(body, 'channel');
    const timeText = channel ? optionalString(channel, 'time') : undefined;
    const time = timeText ? parseInstant(timeText, 'channel.time') : services.clock.now();
    const reasons = (optionalArray(body, 'reasons') ?? []).map((r) => {
      const reason = requireObject(r, 'reasons');
      return { code: optionalString(reason, 'code') ?? 'GeneralError', message: optionalString(reason, 'message') ?? '' };
    });
    const isFinalReceipt = optionalBoolean(body, 'isFinalReceipt') ?? false;
    const found = world.findMessage(id);
    if (!found || found.conversation.channelId !== ctx.params.integrationId) throw ApiErrors.notFound('id', id);
    const { conversation, message } = world.applyReceipt(id, {
      status,
      time,
      isFinalReceipt,
      reasons: reasons.length > 0 ? reasons : undefined,
    });
    ctx.sendJson(200, {
      id,
      channel: {
        id: ctx.params.integrationId,
        platform: 'Open',
        messageId: message.providerMessageId,
        to: { id: conversation.customer.id },
        // required in OpenMessagingChannel: the request's sender, else the conversation's customer
        from: channel?.from ?? { id: conversation.customer.id, idType: conversation.customer.idType },
        time: isoString(time),
      },
      type: 'Receipt',
      status,
      reasons: reasons.length > 0 ? reasons : undefined,
      isFinalReceipt,
      direction: 'Outbound',
    });
  });
}

function inboundAttachment(content: unknown, n: number, newId: () => string): AttachmentRecord {
  const item = requireObject(content, 'content');
  const attachment = optionalObject(item, 'attachment');
  if (!attachment) throw ApiErrors.badRequest('content[{n}].attachment is required.', { n: String(n) }, 'content');
  const url = requireString(attachment, 'url');
  const mime = optionalString(attachment, 'mime') ?? 'application/octet-stream';
  const mediaType = optionalEnum(attachment, 'mediaType', ['Image', 'Video', 'Audio', 'File', 'Link'] as const);
  return {
    id: optionalString(attachment, 'id') ?? newId(),
    mediaType: mediaType ?? attachmentKindFor(mime)?.mediaType ?? 'File',
    mime,
    filename: optionalString(attachment, 'filename') ?? url.split('/').pop() ?? `attachment-${n + 1}`,
    contentSizeBytes: typeof attachment.contentSizeBytes === 'number' ? attachment.contentSizeBytes : 0,
    sha256: optionalString(attachment, 'sha256') ?? '',
    source: 'external',
    externalUrl: url,
  };
}
