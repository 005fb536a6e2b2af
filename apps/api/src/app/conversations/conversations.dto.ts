import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { PolicyText } from '../problem/policy-text.validator';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsISO8601, IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';

export class ConversationParams {
  @ApiProperty({ description: 'Genesys conversation id (UUID)', format: 'uuid' })
  @Transform(({ value }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @IsUUID('all', { message: 'must be a Genesys conversation id (UUID)' })
  id!: string;
}

export class TemplateParameterDto {
  @ApiProperty({ maxLength: 255 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  id!: string;

  @ApiProperty({ maxLength: 2_000 })
  @IsString()
  @MaxLength(2_000)
  @PolicyText('attribute')
  value!: string;
}

export class MessageTemplateDto {
  @ApiProperty({ maxLength: 255, description: 'Id of the canned response / WhatsApp template' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  responseId!: string;

  @ApiPropertyOptional({ type: [TemplateParameterDto], maxItems: 50 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => TemplateParameterDto)
  parameters?: TemplateParameterDto[];
}

export const SEND_VIA = ['agent', 'agentless'] as const;
export type SendVia = (typeof SEND_VIA)[number];

export class SendConversationMessageDto {
  @ApiPropertyOptional({ description: "Up to 765 characters (Unicode code points) for SMS, 2,000 for other channels. Exactly one of text, mediaIds or template", example: 'Your parcel left our warehouse today.' })
  @IsOptional()
  @IsString()
  @PolicyText('message')
  text?: string;

  @ApiPropertyOptional({ type: 'array', items: { type: 'string', maxLength: 128 }, minItems: 1, maxItems: 10, description: 'Ids of media uploaded to the conversation (agent sends only)' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(128, { each: true })
  mediaIds?: string[];

  @ApiPropertyOptional({ type: MessageTemplateDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => MessageTemplateDto)
  template?: MessageTemplateDto;

  @ApiPropertyOptional({
    enum: SEND_VIA,
    default: 'agent',
    description:
      'agent: as the connected agent of the conversation (POST …/communications/{commId}/messages). agentless: through the agentless API from the number or integration configured in GCM_API_AGENTLESS_FROM (SMS and Open Messaging conversations)',
  })
  @IsOptional()
  @IsIn(SEND_VIA)
  via?: SendVia;
}

export class SentConversationMessageDto {
  @ApiProperty({ description: 'Genesys message id' })
  messageId!: string;

  @ApiProperty({ description: 'The conversation the message went to (agentless sends may start a new one when the old one ended)' })
  conversationId!: string;

  @ApiProperty({ enum: SEND_VIA })
  via!: SendVia;

  @ApiPropertyOptional({ example: 'webmessaging' })
  messengerType?: string;

  @ApiPropertyOptional({ description: 'Genesys timestamp of the message (ISO-8601)' })
  timestamp?: string;

  @ApiProperty({ description: 'Time spent on the Genesys calls of this send', example: 84.2 })
  latencyMs!: number;
}

export const TIMELINE_FORMATS = ['json', 'markdown', 'text'] as const;
export type TimelineFormat = (typeof TIMELINE_FORMATS)[number];
const MESSAGE_TYPES = ['Text', 'Structured', 'Receipt', 'Event', 'Message', 'Unknown'] as const;

const commaList = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.split(',').map((item) => item.trim()).filter(Boolean) : value;

export class TimelineQueryDto {
  @ApiPropertyOptional({ enum: TIMELINE_FORMATS, default: 'json', description: 'json: the verified timeline (integrity and SLA included); markdown / text: a transcript with the integrity summary' })
  @IsOptional()
  @IsIn(TIMELINE_FORMATS)
  format?: TimelineFormat;

  @ApiPropertyOptional({ description: 'Keep messages at or after this instant (ISO-8601)', example: '2026-02-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Keep messages before this instant (ISO-8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ type: 'array', items: { type: 'string', enum: [...MESSAGE_TYPES] }, maxItems: MESSAGE_TYPES.length, description: `Message types to keep, comma-separated (or repeated): ${MESSAGE_TYPES.join(', ')}`, example: ['Text', 'Structured'] })
  @IsOptional()
  @Transform(commaList)
  @IsArray()
  @ArrayMaxSize(MESSAGE_TYPES.length)
  @IsIn(MESSAGE_TYPES, { each: true })
  messageTypes?: string[];

  @ApiPropertyOptional({ description: 'Transcripts: show delivery and read receipts', default: false })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  receipts?: boolean;
}

export class TimelineDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'id, startTime, endTime, state, messengerType, divisionIds, externalTag' })
  conversation!: Record<string, unknown>;

  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'In timestamp order: id, timestamp, direction, type, senderRole, text, attachments, status, receipts' })
  messages!: Array<Record<string, unknown>>;

  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Redelivered copies kept aside' })
  droppedDuplicates!: Array<Record<string, unknown>>;

  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Participants with their state history' })
  participants!: Array<Record<string, unknown>>;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Integrity report: clean, outOfOrder, duplicates, missing, outsideConversation, gaps, checks' })
  integrity!: Record<string, unknown>;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Receipt SLA: outbound, delivered, read, failed, pending, breaches' })
  sla!: Record<string, unknown>;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'How and when the timeline was read' })
  sync!: Record<string, unknown>;
}
