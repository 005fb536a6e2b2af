import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBase64, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateNested, registerDecorator } from 'class-validator';
import { checkText } from '@gcm/text-policy';
import { PolicyText } from '../problem/policy-text.validator';

/** Custom attributes: a flat object of string values with sane keys, at most 50 of them. */
export function IsCustomAttributes(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'customAttributes',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate(value: unknown) {
          if (value === undefined) return true;
          if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
          const entries = Object.entries(value as Record<string, unknown>);
          return entries.length <= 50 && entries.every(([key, item]) => /^[A-Za-z0-9_.-]{1,64}$/.test(key) && typeof item === 'string' && !checkText(item, 'attribute'));
        },
        defaultMessage: (args) => {
          const value = args?.value as Record<string, unknown> | undefined;
          const unsafe = value && typeof value === 'object' ? Object.entries(value).find(([, item]) => typeof item === 'string' && checkText(item, 'attribute')) : undefined;
          if (unsafe) return `has a value "${unsafe[0].slice(0, 64)}" that ${checkText(unsafe[1] as string, 'attribute')?.message}`;
          return 'must be an object of at most 50 string values whose keys are 1-64 letters, digits, ".", "_" or "-"';
        },
      },
    });
}

const CUSTOM_ATTRIBUTES_SCHEMA = {
  type: 'object',
  additionalProperties: { type: 'string' },
  maxProperties: 50,
  example: { orderId: 'A-1042', language: 'en-gb' },
} as const;

export class CreateGuestSessionDto {
  @ApiProperty({ description: 'The web messaging deployment the guest talks to (a UUID)', example: '5b6a1d5e-0d2f-4c8e-9a4b-1f2e3d4c5b6a', format: 'uuid' })
  @IsString()
  @IsUUID('all', { message: 'must be a web messaging deployment id (a UUID)' })
  deploymentId!: string;

  @ApiPropertyOptional({ ...CUSTOM_ATTRIBUTES_SCHEMA, description: 'Sent with every message of the session as channel.metadata.customAttributes (checked against the session\'s maxCustomDataBytes)' })
  @IsOptional()
  @IsCustomAttributes()
  customAttributes?: Record<string, string>;
}

export class GuestSessionLimitsDto {
  @ApiProperty({ type: 'integer', description: 'Text limit in Unicode code points', example: 2000 })
  maxTextLength!: number;

  @ApiProperty({ type: [String], description: 'MIME types an attachment may have (wildcards allowed); empty: attachments disabled', example: ['image/png', 'application/pdf'] })
  allowedMimeTypes!: string[];

  @ApiPropertyOptional({ type: 'integer', description: 'Largest attachment, in bytes', example: 10485760 })
  maxAttachmentBytes?: number;

  @ApiProperty({ type: [String], example: ['.exe'] })
  blockedExtensions!: string[];

  @ApiPropertyOptional({ type: 'integer', description: 'UTF-8 size limit of the custom attributes as JSON', example: 2048 })
  maxCustomDataBytes?: number;

  @ApiProperty({ description: 'The guest may only read (its conversation was disconnected)' })
  readOnly!: boolean;

  @ApiProperty({ type: 'integer', description: 'Messages per second the session may send (queued by the API above it)', example: 2 })
  messagesPerSecond!: number;
}

export class GuestSessionDto {
  @ApiProperty({ description: "The session's token: the guest's credential. Keep it secret; use it in the paths below", example: '3f6c2a9e-8d1b-4e7a-9c55-0b2d4e6f8a1c' })
  token!: string;

  @ApiProperty()
  deploymentId!: string;

  @ApiProperty({ description: 'false when Genesys resumed an existing session' })
  newSession!: boolean;

  @ApiPropertyOptional({ description: 'When Genesys ends the session (ISO-8601)', example: '2026-03-04T12:00:00.000Z' })
  expiresAt?: string;

  @ApiPropertyOptional({ type: 'integer', example: 259200 })
  durationSeconds?: number;

  @ApiProperty({ type: GuestSessionLimitsDto })
  limits!: GuestSessionLimitsDto;
}

export class GuestAttachmentDto {
  @ApiProperty({ example: 'receipt.pdf', maxLength: 255 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  @PolicyText('fileName')
  fileName!: string;

  @ApiProperty({ example: 'application/pdf', pattern: '^[\\w.+-]+/[\\w.+-]+$' })
  @IsString()
  @Matches(/^[\w.+-]+\/[\w.+-]+$/, { message: 'must be a MIME type such as image/png' })
  mimeType!: string;

  @ApiProperty({ description: 'The file, base64-encoded (the body limit GCM_API_BODY_LIMIT applies)', format: 'byte' })
  @IsString()
  @IsNotEmpty()
  @IsBase64()
  contentBase64!: string;
}

export class SendGuestMessageDto {
  @ApiPropertyOptional({ description: 'Up to 2,000 Unicode code points', example: 'Hello, where is my order?' })
  @IsOptional()
  @IsString()
  @PolicyText('message')
  text?: string;

  @ApiPropertyOptional({ ...CUSTOM_ATTRIBUTES_SCHEMA, description: "Merged over the session's custom attributes for this message" })
  @IsOptional()
  @IsCustomAttributes()
  customAttributes?: Record<string, string>;

  @ApiPropertyOptional({ type: GuestAttachmentDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => GuestAttachmentDto)
  attachment?: GuestAttachmentDto;
}

export class SentGuestMessageDto {
  @ApiProperty({ description: 'The Genesys message id of the echoed message', example: '9a374b66298f220fd5687c735607381e' })
  messageId!: string;

  @ApiProperty({ description: 'From the request to the server echo, queueing for the 2 msg/s limit included', example: 41.7 })
  latencyMs!: number;

  @ApiPropertyOptional({ description: 'Id of the uploaded attachment, when one was sent' })
  attachmentId?: string;
}

export class GuestHistoryQueryDto {
  @ApiPropertyOptional({ type: 'integer', description: 'Messages to return at most (newest first)', minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000)
  limit?: number;
}

export class GuestHistoryMessageDto {
  @ApiProperty()
  id!: string;

  @ApiProperty({ enum: ['Text', 'Structured', 'Receipt', 'Event'] })
  type!: string;

  @ApiPropertyOptional({ enum: ['Inbound', 'Outbound'] })
  direction?: string;

  @ApiPropertyOptional()
  text?: string;

  @ApiPropertyOptional({ description: 'ISO-8601' })
  time?: string;

  @ApiPropertyOptional({ enum: ['Human', 'Bot'] })
  originatingEntity?: string;

  @ApiPropertyOptional({ type: 'array', items: { type: 'object' } })
  content?: Array<Record<string, unknown>>;
}

export class GuestHistoryDto {
  @ApiProperty({ type: [GuestHistoryMessageDto] })
  items!: GuestHistoryMessageDto[];

  @ApiProperty({ description: 'true when more messages exist beyond `limit`' })
  truncated!: boolean;
}
