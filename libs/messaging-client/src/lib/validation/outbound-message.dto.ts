import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
  registerDecorator,
  type ValidationArguments,
} from 'class-validator';
import { codePointLength, textLimitFor } from './text-limits';

/** Name under which `MaxTextLength` reports, so the violation mapper can find its limit. */
export const MAX_TEXT_LENGTH = 'maxTextLength';
export const STRING_VALUES = 'stringValues';

export type ChannelOf = string | ((dto: object) => string | undefined);

export function channelFor(dto: object, channel: ChannelOf): string | undefined {
  return typeof channel === 'function' ? channel(dto) : channel;
}

/** Text no longer than the channel's limit, counted in Unicode code points. */
export function MaxTextLength(channel: ChannelOf): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: MAX_TEXT_LENGTH,
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [channel],
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          if (typeof value !== 'string') return true; // @IsString reports the type
          return codePointLength(value) <= textLimitFor(channelFor(args.object, args.constraints[0] as ChannelOf));
        },
      },
    });
}

/** A flat object of string values (custom attributes). */
export function IsStringRecord(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: STRING_VALUES,
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate(value: unknown) {
          if (value === undefined || value === null) return true;
          if (typeof value !== 'object' || Array.isArray(value)) return false;
          return Object.values(value as Record<string, unknown>).every((v) => typeof v === 'string');
        },
      },
    });
}

export class MessagingTemplateParameterDto {
  @IsString()
  @IsNotEmpty()
  id!: string;

  @IsString()
  value!: string;
}

export class MessagingTemplateDto {
  @IsString()
  @IsNotEmpty()
  responseId!: string;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => MessagingTemplateParameterDto)
  parameters?: MessagingTemplateParameterDto[];
}

/** AdditionalMessage of an agent, plus the channel it goes to (for the text limit). */
export class AgentMessageDto {
  @IsOptional()
  @IsString()
  @MaxTextLength((dto) => (dto as AgentMessageDto).messengerType)
  textBody?: string;

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  mediaIds?: string[];

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => MessagingTemplateDto)
  messagingTemplate?: MessagingTemplateDto;

  /** Not sent: the channel of the conversation, which sets the text limit. */
  @IsOptional()
  @IsString()
  messengerType?: string;
}

export class AgentlessMessageDto {
  @IsString()
  @IsNotEmpty()
  fromAddress!: string;

  @IsString()
  @IsNotEmpty()
  toAddress!: string;

  @IsIn(['sms', 'whatsapp', 'open'])
  toAddressMessengerType!: 'sms' | 'whatsapp' | 'open';

  @IsOptional()
  @IsString()
  externalContactId?: string;

  @IsOptional()
  @IsString()
  @MaxTextLength((dto) => (dto as AgentlessMessageDto).toAddressMessengerType)
  textBody?: string;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => MessagingTemplateDto)
  messagingTemplate?: MessagingTemplateDto;

  @IsOptional()
  @IsBoolean()
  useExistingActiveConversation?: boolean;
}

/** What a guest sends over the web messaging socket. */
export class GuestMessageDto {
  @IsOptional()
  @IsString()
  @MaxTextLength('webmessaging')
  text?: string;

  @IsOptional()
  @IsObject()
  @IsStringRecord()
  customAttributes?: Record<string, string>;
}

export class AttachmentDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  fileName!: string;

  @IsString()
  @Matches(/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/, { message: 'mimeType must look like type/subtype' })
  mimeType!: string;

  @IsInt()
  @Min(1)
  sizeBytes!: number;
}

export class OpenMessagingFromDto {
  @IsString()
  @IsNotEmpty()
  id!: string;

  @IsIn(['Email', 'Phone', 'Opaque'])
  idType!: string;

  @IsOptional() @IsString() nickname?: string;
  @IsOptional() @IsString() firstName?: string;
  @IsOptional() @IsString() lastName?: string;
  @IsOptional() @IsString() email?: string;
  @IsOptional() @IsString() image?: string;
}

export class OpenInboundChannelDto {
  @IsObject()
  @ValidateNested()
  @Type(() => OpenMessagingFromDto)
  from!: OpenMessagingFromDto;

  @IsISO8601()
  time!: string;

  @IsOptional()
  @IsString()
  messageId?: string;
}

export class OpenInboundMessageDto {
  @IsObject()
  @ValidateNested()
  @Type(() => OpenInboundChannelDto)
  channel!: OpenInboundChannelDto;

  @IsOptional()
  @IsString()
  @MaxTextLength('open')
  text?: string;

  @IsOptional()
  @IsArray()
  content?: unknown[];

  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export class OpenInboundReceiptDto {
  @IsString()
  @IsNotEmpty()
  id!: string;

  @IsIn(['Sent', 'Delivered', 'Failed', 'Published', 'Removed'])
  status!: string;

  @IsOptional()
  @IsBoolean()
  isFinalReceipt?: boolean;

  @IsOptional()
  @IsArray()
  reasons?: unknown[];
}
