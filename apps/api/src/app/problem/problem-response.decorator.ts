import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from './problem-details';

export class FieldProblemDto {
  @ApiProperty({ description: 'Dotted path into the body, or the parameter name', example: 'attachment.fileName' })
  field!: string;

  @ApiProperty({ example: 'must be a MIME type such as image/png' })
  message!: string;

  @ApiPropertyOptional({ description: 'Machine-readable reason', example: 'TEXT_TOO_LONG' })
  code?: string;
}

/** RFC 9457 problem details, as every error of the API is answered. */
export class ProblemDto {
  @ApiProperty({ description: 'urn:gcm:problem:<slug>, or about:blank for plain HTTP errors', example: 'urn:gcm:problem:validation' })
  type!: string;

  @ApiProperty({ example: 'The request is invalid' })
  title!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiProperty({ example: 'The request has 1 problem: text is 2,001 characters (Unicode code points); the limit for webmessaging messages is 2,000.' })
  detail!: string;

  @ApiPropertyOptional({ description: 'The request path', example: '/v1/guest-sessions/3f6c2a9e-8d1b-4e7a-9c55-0b2d4e6f8a1c/messages' })
  instance?: string;

  @ApiPropertyOptional({ description: 'Also in the X-Request-Id header' })
  requestId?: string;

  @ApiPropertyOptional({ type: [FieldProblemDto], description: 'Validation failures, one per field problem' })
  errors?: FieldProblemDto[];

  @ApiPropertyOptional({ type: [String], description: 'The fields named in errors' })
  fields?: string[];
}

/** Documents an error answer as problem+json. */
export const ProblemResponse = (status: number, description: string) =>
  applyDecorators(
    ApiExtraModels(ProblemDto, FieldProblemDto),
    ApiResponse({ status, description, content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDto) } } } }),
  );
