import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import type { SessionResponse } from '../models/web-messaging.model';
import { ContentPolicy, type ContentPolicyOptions } from './content-policy';
import { textPolicyViolations } from './text-policy.check';
import { MessageValidationError, ViolationCode, type MessageViolation } from './message-validation.error';
import {
  AgentMessageDto,
  AgentlessMessageDto,
  AttachmentDto,
  GuestMessageDto,
  MAX_TEXT_LENGTH,
  OpenInboundMessageDto,
  OpenInboundReceiptDto,
  STRING_VALUES,
} from './outbound-message.dto';
import { codePointLength, formatCount, textLimitFor } from './text-limits';

/** Limits of one attachment, from the guest session or the caller's own configuration. */
export interface AttachmentRules {
  /** MIME types or patterns ("image/*", "*\/*"); `undefined` means any type. */
  allowedMimeTypes?: readonly string[];
  maxSizeBytes?: number;
  /** Extensions with or without the dot ("exe", ".bat"), compared case-insensitively. */
  blockedExtensions?: readonly string[];
}

export interface AttachmentInput {
  fileName: string;
  mimeType: string;
  sizeBytes: number;
}

export interface GuestMessageInput {
  text?: string;
  customAttributes?: Record<string, string>;
  attachment?: AttachmentInput;
}

/** What a guest session's SessionResponse allows. */
export interface GuestSessionLimits extends AttachmentRules {
  maxCustomDataBytes?: number;
  readOnly?: boolean;
}

/** Reads the attachment and custom-data limits out of a SessionResponse. */
export function guestLimitsFromSession(session: SessionResponse): GuestSessionLimits {
  const inbound = session.allowedMedia?.inbound;
  return {
    // no inbound media in the session means the deployment accepts no attachments
    allowedMimeTypes: (inbound?.fileTypes ?? []).map((fileType) => fileType.type),
    maxSizeBytes: typeof inbound?.maxFileSizeKB === 'number' ? inbound.maxFileSizeKB * 1024 : undefined,
    blockedExtensions: session.blockedExtensions ?? [],
    maxCustomDataBytes: typeof session.maxCustomDataBytes === 'number' && session.maxCustomDataBytes >= 0 ? session.maxCustomDataBytes : undefined,
    readOnly: session.readOnly === true,
  };
}

export interface MessageValidatorOptions {
  contentPolicy?: ContentPolicy | ContentPolicyOptions;
}

/**
 * The validation pipeline every send goes through before any network call: class-validator
 * DTOs for shape, types and per-channel text length, then the rules that need context
 * (one body kind per request, session attachment limits, custom data size, content policy).
 * `check*` returns the violations; `validate*` throws a MessageValidationError.
 */
export class MessageValidator {
  readonly contentPolicy: ContentPolicy;

  constructor(options: MessageValidatorOptions = {}) {
    this.contentPolicy =
      options.contentPolicy instanceof ContentPolicy ? options.contentPolicy : new ContentPolicy(options.contentPolicy);
  }

  checkAgentMessage(body: object, messengerType?: string): MessageViolation[] {
    const input: Record<string, unknown> = { ...(body as Record<string, unknown>), messengerType };
    const violations = this.shape(AgentMessageDto, input);
    const kinds = (['textBody', 'mediaIds', 'messagingTemplate'] as const).filter((key) => {
      const value = input[key];
      return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0) && value !== '';
    });
    if (kinds.length === 0) {
      violations.push({
        field: 'textBody',
        code: ViolationCode.EmptyBody,
        limit: 'one of textBody, mediaIds, messagingTemplate',
        actual: 'none',
        message: 'the message has no body: send one of textBody, mediaIds or messagingTemplate',
      });
    } else if (kinds.length > 1) {
      violations.push({
        field: kinds[1],
        code: ViolationCode.AmbiguousBody,
        limit: 'one body kind per request',
        actual: kinds.join(' + '),
        message: `the message has ${kinds.join(' and ')}: send one body kind per request (text, media ids or a template)`,
      });
    }
    violations.push(...textPolicyViolations(input.textBody, 'textBody', 'message'));
    violations.push(...this.contentPolicy.check(stringOrUndefined(input.textBody), 'textBody'));
    return violations;
  }

  checkAgentlessMessage(request: object): MessageViolation[] {
    const input = request as Record<string, unknown>;
    const violations = this.shape(AgentlessMessageDto, input);
    const hasText = typeof input.textBody === 'string' && input.textBody !== '';
    const hasTemplate = input.messagingTemplate !== undefined && input.messagingTemplate !== null;
    if (input.toAddressMessengerType === 'whatsapp' && !hasTemplate) {
      violations.push({
        field: 'messagingTemplate',
        code: ViolationCode.TemplateRequired,
        limit: 'required for whatsapp',
        actual: 'missing',
        message: 'messagingTemplate is required for an agentless WhatsApp message',
      });
    } else if (!hasText && !hasTemplate) {
      violations.push({
        field: 'textBody',
        code: ViolationCode.EmptyBody,
        limit: 'textBody or messagingTemplate',
        actual: 'none',
        message: 'the message has no body: send textBody or messagingTemplate',
      });
    } else if (hasText && hasTemplate) {
      violations.push({
        field: 'messagingTemplate',
        code: ViolationCode.AmbiguousBody,
        limit: 'one body kind per request',
        actual: 'textBody + messagingTemplate',
        message: 'the message has textBody and messagingTemplate: send one of them',
      });
    }
    violations.push(...textPolicyViolations(input.textBody, 'textBody', 'message'));
    violations.push(...this.contentPolicy.check(stringOrUndefined(input.textBody), 'textBody'));
    return violations;
  }

  checkGuestMessage(input: GuestMessageInput, limits: GuestSessionLimits = {}): MessageViolation[] {
    const violations = this.shape(GuestMessageDto, { text: input.text, customAttributes: input.customAttributes });
    if (limits.readOnly) {
      violations.push({
        field: 'session',
        code: ViolationCode.SessionReadOnly,
        limit: 'read-only session',
        actual: 'send',
        message: 'the session is read-only (the conversation was disconnected): start a new session to send',
      });
    }
    if ((input.text === undefined || input.text === '') && !input.attachment) {
      violations.push({
        field: 'text',
        code: ViolationCode.EmptyBody,
        limit: 'text or an attachment',
        actual: 'none',
        message: 'the message has neither text nor an attachment',
      });
    }
    if (input.customAttributes !== undefined) {
      violations.push(...this.checkCustomAttributes(input.customAttributes, limits.maxCustomDataBytes));
    }
    if (input.attachment) violations.push(...this.checkAttachment(input.attachment, limits, 'attachment'));
    violations.push(...textPolicyViolations(input.text, 'text', 'message'));
    violations.push(...this.contentPolicy.check(input.text, 'text'));
    return violations;
  }

  /** Custom attributes are measured as their UTF-8 JSON encoding, as they travel. */
  checkCustomAttributes(attributes: Record<string, unknown>, maxBytes?: number, field = 'customAttributes'): MessageViolation[] {
    const violations: MessageViolation[] = [];
    for (const [key, value] of Object.entries(attributes)) violations.push(...textPolicyViolations(value, `${field}.${key}`, 'attribute'));
    if (maxBytes === undefined) return violations;
    const bytes = Buffer.byteLength(JSON.stringify(attributes), 'utf8');
    if (bytes > maxBytes) {
      violations.push({
        field,
        code: ViolationCode.CustomAttributesTooLarge,
        limit: maxBytes,
        actual: bytes,
        message: `${field} is ${formatCount(bytes)} bytes as JSON; the session allows at most ${formatCount(maxBytes)} bytes (maxCustomDataBytes)`,
      });
    }
    return violations;
  }

  checkAttachment(file: AttachmentInput, rules: AttachmentRules = {}, prefix = 'attachment'): MessageViolation[] {
    const violations = this.shape(AttachmentDto, { ...file }, prefix);
    violations.push(...textPolicyViolations(file.fileName, `${prefix}.fileName`, 'fileName'));
    if (typeof file.fileName === 'string') {
      const extension = extensionOf(file.fileName);
      const blocked = (rules.blockedExtensions ?? []).map((e) => e.toLowerCase().replace(/^\./, ''));
      if (extension && blocked.includes(extension)) {
        violations.push({
          field: `${prefix}.fileName`,
          code: ViolationCode.BlockedExtension,
          limit: blocked.map((e) => `.${e}`),
          actual: `.${extension}`,
          message: `${prefix}.fileName has the blocked extension .${extension}; the session blocks ${blocked.map((e) => `.${e}`).join(', ')}`,
        });
      }
    }
    if (typeof file.mimeType === 'string' && rules.allowedMimeTypes !== undefined) {
      const mime = file.mimeType.split(';')[0].trim().toLowerCase();
      if (!rules.allowedMimeTypes.some((pattern) => mimeMatches(pattern, mime))) {
        const allowed = rules.allowedMimeTypes.length > 0 ? rules.allowedMimeTypes.join(', ') : 'none (attachments are disabled)';
        violations.push({
          field: `${prefix}.mimeType`,
          code: ViolationCode.AttachmentTypeNotAllowed,
          limit: [...rules.allowedMimeTypes],
          actual: mime,
          message: `${prefix}.mimeType ${mime} is not allowed; allowed types: ${allowed}`,
        });
      }
    }
    if (typeof file.sizeBytes === 'number' && rules.maxSizeBytes !== undefined && file.sizeBytes > rules.maxSizeBytes) {
      violations.push({
        field: `${prefix}.sizeBytes`,
        code: ViolationCode.AttachmentTooLarge,
        limit: rules.maxSizeBytes,
        actual: file.sizeBytes,
        message: `${prefix}.sizeBytes is ${formatCount(file.sizeBytes)} bytes; the limit is ${formatCount(rules.maxSizeBytes)} bytes`,
      });
    }
    return violations;
  }

  checkOpenInboundMessage(message: object): MessageViolation[] {
    const input = message as Record<string, unknown>;
    const violations = this.shape(OpenInboundMessageDto, input);
    const hasText = typeof input.text === 'string' && input.text !== '';
    const hasContent = Array.isArray(input.content) && input.content.length > 0;
    if (!hasText && !hasContent) {
      violations.push({
        field: 'text',
        code: ViolationCode.EmptyBody,
        limit: 'text or content',
        actual: 'none',
        message: 'an inbound open message needs text or content',
      });
    }
    violations.push(...textPolicyViolations(input.text, 'text', 'message'));
    violations.push(...this.contentPolicy.check(stringOrUndefined(input.text), 'text'));
    return violations;
  }

  checkOpenReceipt(receipt: object): MessageViolation[] {
    return this.shape(OpenInboundReceiptDto, receipt as Record<string, unknown>);
  }

  /** Throws a MessageValidationError when there are violations. */
  assertValid(violations: readonly MessageViolation[], subject?: string): void {
    if (violations.length > 0) throw new MessageValidationError(violations, subject);
  }

  validateAgentMessage(body: object, messengerType?: string): void {
    this.assertValid(this.checkAgentMessage(body, messengerType));
  }

  validateAgentlessMessage(request: object): void {
    this.assertValid(this.checkAgentlessMessage(request));
  }

  validateGuestMessage(input: GuestMessageInput, limits?: GuestSessionLimits): void {
    this.assertValid(this.checkGuestMessage(input, limits));
  }

  validateAttachment(file: AttachmentInput, rules?: AttachmentRules): void {
    this.assertValid(this.checkAttachment(file, rules), 'Attachment');
  }

  validateOpenInboundMessage(message: object): void {
    this.assertValid(this.checkOpenInboundMessage(message));
  }

  validateOpenReceipt(receipt: object): void {
    this.assertValid(this.checkOpenReceipt(receipt), 'Receipt');
  }

  private shape<T extends object>(dto: new () => T, input: Record<string, unknown>, prefix = ''): MessageViolation[] {
    if (input === null || typeof input !== 'object') {
      return [{ field: prefix || 'body', code: ViolationCode.InvalidType, limit: 'object', actual: typeof input, message: `${prefix || 'body'} must be an object` }];
    }
    const instance = plainToInstance(dto, input, { enableImplicitConversion: false });
    return flatten(validateSync(instance, { forbidUnknownValues: false }), prefix);
  }
}

function flatten(errors: ValidationError[], prefix: string): MessageViolation[] {
  const out: MessageViolation[] = [];
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) out.push(toViolation(error, field));
    if (error.children?.length) out.push(...flatten(error.children, field));
  }
  return out;
}

function toViolation(error: ValidationError, field: string): MessageViolation {
  const constraints = error.constraints ?? {};
  const value = error.value as unknown;
  if (MAX_TEXT_LENGTH in constraints && typeof value === 'string') {
    const channel = findChannel(error);
    const limit = textLimitFor(channel);
    const actual = codePointLength(value);
    return {
      field,
      code: ViolationCode.TextTooLong,
      limit,
      actual,
      message: `${field} is ${formatCount(actual)} characters (Unicode code points); the limit for ${channel ? `${channel} messages` : 'non-SMS channels'} is ${formatCount(limit)}`,
    };
  }
  if (value === undefined || value === null || (value === '' && 'isNotEmpty' in constraints)) {
    return { field, code: ViolationCode.Required, actual: 'missing', message: `${field} is required` };
  }
  if ('maxLength' in constraints && typeof value === 'string') {
    const limit = Number(error.constraints?.maxLength.match(/(\d+)/)?.[1] ?? NaN);
    return {
      field,
      code: ViolationCode.TextTooLong,
      limit,
      actual: value.length,
      message: `${field} is ${formatCount(value.length)} characters; the limit is ${formatCount(limit)}`,
    };
  }
  if ('isIn' in constraints) {
    const allowed = (error.constraints?.isIn.match(/: (.*)$/)?.[1] ?? '').split(', ').filter(Boolean);
    return {
      field,
      code: ViolationCode.InvalidValue,
      limit: allowed,
      actual: String(value),
      message: `${field} is "${String(value)}"; allowed values: ${allowed.join(', ')}`,
    };
  }
  const typeChecks = ['isString', 'isArray', 'isObject', 'isInt', 'isBoolean', STRING_VALUES, 'nestedValidation'];
  const code = typeChecks.some((name) => name in constraints) ? ViolationCode.InvalidType : ViolationCode.InvalidValue;
  return {
    field,
    code,
    actual: Array.isArray(value) ? 'array' : typeof value,
    message: Object.values(constraints)
      .map((text) => text.replace(new RegExp(`^${escapeRegExp(error.property)}\\b`), field))
      .join(', '),
  };
}

function findChannel(error: ValidationError): string | undefined {
  const target = error.target as object | undefined;
  if (target instanceof AgentMessageDto) return target.messengerType;
  if (target instanceof AgentlessMessageDto) return target.toAddressMessengerType;
  if (target instanceof OpenInboundMessageDto) return 'open';
  return 'webmessaging';
}

/** Lower-case extension after the last dot; trailing dots and spaces (a Windows trick) ignored. */
export function extensionOf(fileName: string): string | undefined {
  const trimmed = fileName.replace(/[.\s]+$/, '');
  const dot = trimmed.lastIndexOf('.');
  if (dot <= 0 && !trimmed.startsWith('.')) return undefined;
  return trimmed.slice(dot + 1).toLowerCase() || undefined;
}

function mimeMatches(pattern: string, mime: string): boolean {
  const [type, subtype] = pattern.trim().toLowerCase().split('/');
  const [actualType, actualSubtype] = mime.split('/');
  if (type === '*') return true;
  return type === actualType && (subtype === '*' || subtype === actualSubtype);
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
