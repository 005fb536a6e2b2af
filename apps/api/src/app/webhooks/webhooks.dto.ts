import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsIn, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';

export class OpenMessagingChannelDto {
  @ApiPropertyOptional({ maxLength: 128, description: 'The Open Messaging integration id' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  id?: string;

  @ApiPropertyOptional({ maxLength: 64, description: 'ISO-8601' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  time?: string;

  @ApiPropertyOptional({ maxLength: 256 })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  messageId?: string;
}

/**
 * The outbound Open Messaging message Genesys POSTs (NormalizedMessage). Read tolerantly:
 * the fields recorded are checked, anything else Genesys adds is ignored, never refused —
 * a refused webhook is retried five times and then lost.
 */
export class OpenMessagingWebhookDto {
  @ApiProperty({ maxLength: 256, description: 'Genesys message id' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  id!: string;

  @ApiProperty({ maxLength: 64, example: 'Text' })
  @IsString()
  @MaxLength(64)
  type!: string;

  @ApiPropertyOptional({ enum: ['Inbound', 'Outbound'] })
  @IsOptional()
  @IsIn(['Inbound', 'Outbound'])
  direction?: 'Inbound' | 'Outbound';

  @ApiPropertyOptional({ maxLength: 64, enum: ['Human', 'Bot'] })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  originatingEntity?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  text?: string;

  @ApiPropertyOptional({ type: 'array', items: { type: 'object' } })
  @IsOptional()
  @IsArray()
  content?: unknown[];

  @ApiPropertyOptional({ maxLength: 128 })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  conversationId?: string;

  @ApiPropertyOptional({ type: OpenMessagingChannelDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => OpenMessagingChannelDto)
  channel?: OpenMessagingChannelDto;
}

export class WebhookReceiptDto {
  @ApiProperty({ description: 'true when the message was recorded now; false for a repeat delivery or a message that is not an outbound one' })
  recorded!: boolean;

  @ApiProperty()
  messageId!: string;

  @ApiPropertyOptional({ enum: ['duplicate', 'not-outbound'] })
  skipped?: 'duplicate' | 'not-outbound';
}
