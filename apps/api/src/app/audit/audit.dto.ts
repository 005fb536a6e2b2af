import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

/** The zone an instant must end with (the ISO-8601 check itself is class-validator's). */
const ZONED_INSTANT_PATTERN = '(Z|[+-]\\d\\d:?\\d\\d)$';

export class AuditQueryDto {
  @ApiPropertyOptional({ description: 'Exact actor, e.g. key:crm-backend', maxLength: 256 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  actor?: string;

  @ApiPropertyOptional({ description: 'Exact action, e.g. guest-session.open', maxLength: 128 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  action?: string;

  @ApiPropertyOptional({ description: 'Actions starting with this, e.g. guest-session.', maxLength: 128 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  actionPrefix?: string;

  @ApiPropertyOptional({ description: 'Exact target, e.g. a conversation id', maxLength: 256 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  target?: string;

  @ApiPropertyOptional({ enum: ['success', 'failure', 'partial'] })
  @IsOptional()
  @IsIn(['success', 'failure', 'partial'])
  outcome?: 'success' | 'failure' | 'partial';

  @ApiPropertyOptional({ pattern: ZONED_INSTANT_PATTERN, description: 'Records at or after this instant (ISO-8601 with a zone)', example: '2026-02-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(/(Z|[+-]\d\d:?\d\d)$/i, { message: 'must carry a zone (Z or ±hh:mm)' })
  from?: string;

  @ApiPropertyOptional({ pattern: ZONED_INSTANT_PATTERN, description: 'Records before this instant (ISO-8601 with a zone)', example: '2026-02-08T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(/(Z|[+-]\d\d:?\d\d)$/i, { message: 'must carry a zone (Z or ±hh:mm)' })
  to?: string;

  @ApiPropertyOptional({ type: 'integer', description: 'The nextCursor of the previous page', minimum: 0, maximum: Number.MAX_SAFE_INTEGER })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  after?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class AuditRecordDto {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'Position in the hash chain, from 1' })
  seq!: number;

  @ApiProperty({ description: 'ISO-8601 UTC' })
  ts!: string;

  @ApiProperty({ example: 'key:crm-backend' })
  actor!: string;

  @ApiProperty({ example: 'guest-session.message.send' })
  action!: string;

  @ApiProperty({ nullable: true, type: String })
  target!: string | null;

  @ApiProperty({ enum: ['success', 'failure', 'partial'] })
  outcome!: string;

  @ApiProperty({ nullable: true, type: Number })
  latencyMs!: number | null;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Request id, route, status and action-specific facts (redacted)' })
  details!: Record<string, unknown>;

  @ApiProperty({ description: 'Hash of the previous record' })
  prevHash!: string;

  @ApiProperty({ description: 'sha256 of this record\'s canonical JSON without `hash`' })
  hash!: string;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditRecordDto] })
  items!: AuditRecordDto[];

  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'Pass as `after` to read the next page; absent on the last page' })
  nextCursor?: number;
}

export class AuditIssueDto {
  @ApiProperty({ enum: ['hash-mismatch', 'chain-break', 'missing-records', 'out-of-order', 'malformed-line', 'torn-line', 'missing-tail', 'head-mismatch'] })
  kind!: string;

  @ApiProperty()
  file!: string;

  @ApiProperty({ type: 'integer', minimum: 0 })
  line!: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0 })
  seq?: number;

  @ApiProperty()
  message!: string;
}

export class AuditVerificationDto {
  @ApiProperty({ description: 'true when every record verifies and the chain is unbroken' })
  ok!: boolean;

  @ApiProperty({ type: 'integer', minimum: 0 })
  files!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  records!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  lastSeq!: number;

  @ApiProperty()
  lastHash!: string;

  @ApiProperty({ type: [AuditIssueDto] })
  issues!: AuditIssueDto[];

  @ApiProperty()
  issuesTruncated!: boolean;
}
