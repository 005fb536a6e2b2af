import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_PREFIX } from './problem-details';
import { answersWith, problemExample, type ProblemSlug } from './problem-types';

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

  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, example: 400 })
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

/** The problem+json content of an error answer, with one example per problem type it can carry. */
export function problemContent(status: number, types: readonly ProblemSlug[]) {
  return {
    [PROBLEM_CONTENT_TYPE]: {
      schema: { $ref: getSchemaPath(ProblemDto) },
      ...(types.length > 0 ? { examples: Object.fromEntries(types.map((slug) => [slug, problemExample(slug, status)])) } : {}),
    },
  };
}

/** The description of an error answer, naming its problem types. */
export function problemDescription(description: string, types: readonly ProblemSlug[]): string {
  return types.length > 0 ? `${description}. Problem type${types.length === 1 ? '' : 's'}: ${types.map((slug) => `\`${PROBLEM_TYPE_PREFIX}${slug}\``).join(', ')}` : description;
}

/** Documents an error answer as problem+json, and the problem types it carries (each of that status). */
export const ProblemResponse = (status: number, description: string, types: readonly ProblemSlug[]) => {
  const foreign = types.filter((slug) => !answersWith(slug, status));
  if (foreign.length > 0) throw new Error(`ProblemResponse(${status}): ${foreign.join(', ')} answer another status`);
  return applyDecorators(ApiExtraModels(ProblemDto, FieldProblemDto), ApiResponse({ status, description: problemDescription(description, types), content: problemContent(status, types) }));
};

/** The answers of an operation that calls Genesys Cloud when Genesys (or the database) fails it. */
export const UpstreamProblems = () =>
  applyDecorators(
    ProblemResponse(502, 'Genesys Cloud failed or refused the API\'s credentials', ['upstream-unavailable', 'upstream-auth', 'upstream-permission']),
    ProblemResponse(503, 'Genesys Cloud rate limits the API after retries (see Retry-After), the database is unavailable, or the API is shutting down', ['upstream-rate-limited', 'database-unavailable', 'aborted']),
    ProblemResponse(504, 'Genesys Cloud did not answer in time', ['upstream-timeout', 'upstream-unavailable']),
  );
