import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsInt, IsOptional, IsString, IsUUID, MaxLength, Min } from 'class-validator';

export class StartArchiveDto {
  @ApiPropertyOptional({ maxLength: 100, description: 'Archive every conversation of a window again: "<start>/<end>" in ISO-8601 (end exclusive). Exactly one of window or conversationIds', example: '2026-02-01T00:00:00Z/2026-02-02T00:00:00Z' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  window?: string;

  @ApiPropertyOptional({ type: 'array', items: { type: 'string', format: 'uuid' }, description: 'Archive these conversations now (at most 100, no repeats)', minItems: 1, maxItems: 100, uniqueItems: true })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsUUID('all', { each: true, message: 'each value in conversationIds must be a conversation id (UUID)' })
  conversationIds?: string[];
}

export class RunIdParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'must be a run id (UUID)' })
  runId!: string;
}

export class ArchivedConversationOutcomeDto {
  @ApiProperty({ format: 'uuid' })
  conversationId!: string;

  @ApiProperty({ enum: ['archived', 'unchanged', 'failed'] })
  outcome!: 'archived' | 'unchanged' | 'failed';

  @ApiPropertyOptional({ type: 'integer', minimum: 1 })
  version?: number;

  @ApiPropertyOptional()
  contentHash?: string;

  @ApiPropertyOptional()
  error?: string;
}

export class ArchiveRunDto {
  @ApiProperty({ format: 'uuid' })
  runId!: string;

  @ApiProperty({ enum: ['window', 'conversations'] })
  kind!: 'window' | 'conversations';

  @ApiProperty({ enum: ['running', 'succeeded', 'partial', 'failed', 'cancelled', 'skipped', 'idle'] })
  status!: string;

  @ApiPropertyOptional({ description: 'The backfilled window, for window runs' })
  window?: string;

  @ApiProperty({ description: 'ISO-8601' })
  startedAt!: string;

  @ApiPropertyOptional({ description: 'ISO-8601' })
  finishedAt?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'Conversations found (window runs) or asked for' })
  found?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0 })
  archived?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0 })
  unchanged?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0 })
  failed?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'Window runs: conversations dead-lettered after their last attempt' })
  parked?: number;

  @ApiPropertyOptional({ type: [ArchivedConversationOutcomeDto], description: 'Conversation runs: one entry per id' })
  conversations?: ArchivedConversationOutcomeDto[];

  @ApiPropertyOptional({ description: 'Why the run failed or was skipped' })
  error?: string;
}

export class ArchiveVersionDto {
  @ApiProperty({ type: 'integer', minimum: 1 })
  version!: number;

  @ApiProperty({ description: 'hex sha256 of the stored document' })
  contentHash!: string;

  @ApiProperty({ description: "Where the sink keeps it" })
  location!: string;

  @ApiProperty({ description: 'ISO-8601' })
  archivedAt!: string;
}

export class ArchiveQueryDto {
  @ApiPropertyOptional({ type: 'integer', description: 'The version to return the document of (default: the latest)', minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;
}

export class ConversationArchiveDto {
  @ApiProperty()
  conversationId!: string;

  @ApiProperty({ type: [ArchiveVersionDto], description: 'Every archived version, oldest first' })
  versions!: ArchiveVersionDto[];

  @ApiProperty({ type: 'integer', minimum: 1, description: 'The version whose document follows' })
  version!: number;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The archive record (schema version 1) as stored, contentHash included' })
  document!: Record<string, unknown>;
}
