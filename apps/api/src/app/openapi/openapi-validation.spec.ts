import { getMetadataStorage } from 'class-validator';
import { ArchiveQueryDto, RunIdParams, StartArchiveDto } from '../archives/archives.dto';
import { AuditQueryDto } from '../audit/audit.dto';
import { ConversationParams, MessageTemplateDto, SendConversationMessageDto, TemplateParameterDto, TimelineQueryDto } from '../conversations/conversations.dto';
import { EventsQueryDto } from '../events/events.dto';
import { CreateGuestSessionDto, GuestAttachmentDto, GuestHistoryQueryDto, SendGuestMessageDto } from '../guest-sessions/guest-sessions.dto';
import { SearchQueryDto } from '../search/search.dto';
import { OpenMessagingChannelDto, OpenMessagingWebhookDto } from '../webhooks/webhooks.dto';
import { generateOpenApiText } from './openapi-generator';

type Schema = Record<string, unknown> & { items?: Schema };
type Dto = new () => object;

/** Body DTOs are components; parameter DTOs become the parameters of these operations. */
const BODIES: Dto[] = [CreateGuestSessionDto, SendGuestMessageDto, GuestAttachmentDto, SendConversationMessageDto, MessageTemplateDto, TemplateParameterDto, StartArchiveDto, OpenMessagingWebhookDto, OpenMessagingChannelDto];
const PARAMETERS: Array<[Dto, string, string]> = [
  [GuestHistoryQueryDto, 'get', '/v1/guest-sessions/{token}/messages'],
  [ConversationParams, 'post', '/v1/conversations/{id}/messages'],
  [ConversationParams, 'get', '/v1/conversations/{id}/timeline'],
  [TimelineQueryDto, 'get', '/v1/conversations/{id}/timeline'],
  [SearchQueryDto, 'get', '/v1/conversations/search'],
  [EventsQueryDto, 'get', '/v1/events'],
  [RunIdParams, 'get', '/v1/archives/{runId}'],
  [ConversationParams, 'get', '/v1/archives/conversations/{id}'],
  [ArchiveQueryDto, 'get', '/v1/archives/conversations/{id}'],
  [AuditQueryDto, 'get', '/v1/audit'],
];

/** What a class-validator constraint requires of the property's schema (`each` ones: of its items). */
function expected(name: string, constraints: unknown[] | undefined): Schema | undefined {
  const [first] = constraints ?? [];
  switch (name) {
    case 'isInt':
      return { type: 'integer' };
    case 'min':
      return { minimum: first };
    case 'max':
      return { maximum: first };
    case 'maxLength':
      return { maxLength: first };
    case 'arrayMaxSize':
      return { maxItems: first };
    case 'arrayMinSize':
      return { minItems: first };
    case 'arrayUnique':
      return { uniqueItems: true };
    case 'isUuid':
      return { format: 'uuid' };
    case 'isIn':
      return { enum: [...(first as unknown[])] };
    case 'isBoolean':
      return { type: 'boolean' };
    case 'matches':
      return { pattern: (first as RegExp).source };
    default:
      return undefined;
  }
}

describe('the OpenAPI document says what the validation pipe enforces', () => {
  let document: { paths: Record<string, Record<string, { parameters?: Array<{ name: string; schema: Schema }> }>>; components: { schemas: Record<string, { properties: Record<string, Schema> }> } };
  beforeAll(async () => {
    document = JSON.parse(await generateOpenApiText());
  });

  const mismatches = (dto: Dto, schemaOf: (property: string) => Schema | undefined, where: string): string[] => {
    const found: string[] = [];
    for (const metadata of getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false)) {
      const requirement = expected(metadata.name ?? '', metadata.constraints);
      if (!requirement) continue;
      const schema = schemaOf(metadata.propertyName);
      const target = metadata.each ? schema?.items : schema;
      for (const [keyword, value] of Object.entries(requirement)) {
        // a pattern is compared as the RegExp it makes (a RegExp's source escapes "/")
        const actual = keyword === 'pattern' && typeof target?.[keyword] === 'string' ? new RegExp(target[keyword] as string).source : target?.[keyword];
        if (JSON.stringify(actual) !== JSON.stringify(value)) {
          found.push(`${where} ${metadata.propertyName}${metadata.each ? '[]' : ''}: ${metadata.name} needs ${keyword} ${JSON.stringify(value)}, the document says ${JSON.stringify(actual)}`);
        }
      }
    }
    return found;
  };

  it('for every body field (type, bounds, lengths, item counts, formats, enums, patterns)', () => {
    const found = BODIES.flatMap((dto) => mismatches(dto, (property) => document.components.schemas[dto.name]?.properties[property], dto.name));
    expect(found).toEqual([]);
  });

  it('for every query and path parameter', () => {
    const found = PARAMETERS.flatMap(([dto, method, path]) =>
      mismatches(dto, (property) => document.paths[path][method].parameters?.find((parameter) => parameter.name === property)?.schema, `${method.toUpperCase()} ${path}`),
    );
    expect(found).toEqual([]);
  });
});
