import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

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

  @ApiPropertyOptional({ description: 'Records at or after this instant (ISO-8601 with a zone)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(/(Z|[+-]\d\d:?\d\d)$/i, { message: 'must carry a zone (Z or ±hh:mm)' })
  from?: string;

  @ApiPropertyOptional({ description: 'Records before this instant (ISO-8601 with a zone)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(/(Z|[+-]\d\d:?\d\d)$/i, { message: 'must carry a zone (Z or ±hh:mm)' })
  to?: string;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page', minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  after?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class AuditRecordDto {
  @ApiProperty({ description: 'Position in the hash chain, from 1' })
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

  @ApiPropertyOptional({ description: 'Pass as `after` to read the next page; absent on the last page' })
  nextCursor?: number;
}

export class AuditIssueDto {
  @ApiProperty({ enum: ['hash-mismatch', 'chain-break', 'missing-records', 'out-of-order', 'malformed-line', 'torn-line', 'missing-tail', 'head-mismatch'] })
  kind!: string;

  @ApiProperty()
  file!: string;

  @ApiProperty()
  line!: number;

  @ApiPropertyOptional()
  seq?: number;

  @ApiProperty()
  message!: string;
}

export class AuditVerificationDto {
  @ApiProperty({ description: 'true when every record verifies and the chain is unbroken' })
  ok!: boolean;

  @ApiProperty()
  files!: number;

  @ApiProperty()
  records!: number;

  @ApiProperty()
  lastSeq!: number;

  @ApiProperty()
  lastHash!: string;

  @ApiProperty({ type: [AuditIssueDto] })
  issues!: AuditIssueDto[];

  @ApiProperty()
  issuesTruncated!: boolean;
}
