import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DIRECTIONS, MAX_IDS_PER_FILTER, MEDIA_TYPES, MESSAGE_TYPES } from '@gcm/search-stream';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsISO8601, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';

const commaList = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.split(',').map((item) => item.trim()).filter(Boolean) : value;

/** The zone an instant must end with (the ISO-8601 check itself is class-validator's). */
const ZONED_INSTANT_PATTERN = '(Z|[+-]\\d\\d:?\\d\\d)$';

/** The search criteria and options, all as query parameters. */
export class SearchQueryDto {
  @ApiProperty({ pattern: ZONED_INSTANT_PATTERN, description: 'Window start, inclusive (ISO-8601 with a zone)', example: '2026-02-01T00:00:00Z' })
  @IsISO8601({ strict: true })
  @Matches(/(Z|[+-]\d\d:?\d\d)$/i, { message: 'must carry a zone (Z or ±hh:mm)' })
  from!: string;

  @ApiProperty({ pattern: ZONED_INSTANT_PATTERN, description: 'Window end, exclusive (ISO-8601 with a zone)', example: '2026-02-08T00:00:00Z' })
  @IsISO8601({ strict: true })
  @Matches(/(Z|[+-]\d\d:?\d\d)$/i, { message: 'must carry a zone (Z or ±hh:mm)' })
  to!: string;

  @ApiPropertyOptional({ enum: ['started', 'activity'], default: 'started', description: 'started: conversations that started in the window; activity: any activity in it' })
  @IsOptional()
  @IsIn(['started', 'activity'])
  match?: 'started' | 'activity';

  @ApiPropertyOptional({ enum: ['auto', 'query', 'jobs'], default: 'auto', description: 'Analytics details query (short windows) or details jobs (long windows)' })
  @IsOptional()
  @IsIn(['auto', 'query', 'jobs'])
  strategy?: 'auto' | 'query' | 'jobs';

  @ApiPropertyOptional({ enum: MEDIA_TYPES })
  @IsOptional()
  @IsIn(MEDIA_TYPES)
  mediaType?: (typeof MEDIA_TYPES)[number];

  @ApiPropertyOptional({ type: 'array', items: { type: 'string', enum: [...MESSAGE_TYPES] }, maxItems: MESSAGE_TYPES.length, description: `Comma-separated (or repeated): ${MESSAGE_TYPES.join(', ')}`, example: ['webmessaging', 'open'] })
  @IsOptional()
  @Transform(commaList)
  @IsArray()
  @ArrayMaxSize(MESSAGE_TYPES.length)
  @IsIn(MESSAGE_TYPES, { each: true })
  messageTypes?: Array<(typeof MESSAGE_TYPES)[number]>;

  @ApiPropertyOptional({ type: 'array', items: { type: 'string', format: 'uuid' }, maxItems: MAX_IDS_PER_FILTER, description: 'Queue ids, comma-separated (or repeated)' })
  @IsOptional()
  @Transform(commaList)
  @IsArray()
  @ArrayMaxSize(MAX_IDS_PER_FILTER)
  @IsUUID('all', { each: true })
  queueIds?: string[];

  @ApiPropertyOptional({ type: 'array', items: { type: 'string', format: 'uuid' }, maxItems: MAX_IDS_PER_FILTER, description: 'Division ids, comma-separated (or repeated)' })
  @IsOptional()
  @Transform(commaList)
  @IsArray()
  @ArrayMaxSize(MAX_IDS_PER_FILTER)
  @IsUUID('all', { each: true })
  divisionIds?: string[];

  @ApiPropertyOptional({ enum: DIRECTIONS, description: 'The direction the conversation started in' })
  @IsOptional()
  @IsIn(DIRECTIONS)
  direction?: (typeof DIRECTIONS)[number];

  @ApiPropertyOptional({ maxLength: 256 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  externalTag?: string;

  @ApiPropertyOptional({ type: 'integer', description: 'Stop after this many results; the end line carries the token to continue', minimum: 1, maximum: 10_000_000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  limit?: number;

  @ApiPropertyOptional({ type: 'integer', description: 'Emit a checkpoint line with a resume token every this many results (0: never)', default: 1000, minimum: 0, maximum: 1_000_000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  checkpointEvery?: number;

  @ApiPropertyOptional({ description: 'A resume token from a checkpoint, end or error line of the same search', maxLength: 65_536 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(65_536)
  resumeToken?: string;
}
