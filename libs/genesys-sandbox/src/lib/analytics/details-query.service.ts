import { SandboxClock } from '../clock/sandbox-clock';
import { SandboxWorld } from '../data/sandbox-world';
import { ApiErrors } from '../errors/api-error';
import { JsonObject, optionalArray, optionalEnum, optionalInteger, optionalObject, requireObject } from '../http/body-validation';
import { renderAnalyticsConversation } from '../render/analytics-conversation.mapper';
import { parseFilters } from './analytics-filter';
import { OrderBy, parseInterval, selectConversations, SelectionSpec, SortOrder } from './conversation-selection';

export const DETAILS_QUERY_PAGE_SIZE_DEFAULT = 25;
export const DETAILS_QUERY_PAGE_SIZE_MAX = 100;

const ORDERS: readonly SortOrder[] = ['asc', 'desc', 'unordered'];
const ORDER_BYS: readonly OrderBy[] = ['conversationStart', 'conversationEnd', 'segmentStart', 'segmentEnd'];

/** Reads the parts a ConversationQuery and an AsyncConversationQuery share. */
export function parseSelection(body: JsonObject, matching: SelectionSpec['matching']): SelectionSpec {
  const spec: SelectionSpec = {
    interval: parseInterval(body.interval),
    conversationFilters: parseFilters(body.conversationFilters, 'conversationFilters'),
    segmentFilters: parseFilters(body.segmentFilters, 'segmentFilters'),
    order: optionalEnum(body, 'order', ORDERS) ?? 'asc',
    orderBy: optionalEnum(body, 'orderBy', ORDER_BYS) ?? 'conversationStart',
    matching,
  };
  // the sandbox has no evaluations, surveys or resolutions: a filter on them matches nothing
  for (const field of ['evaluationFilters', 'surveyFilters', 'resolutionFilters']) {
    if ((optionalArray(body, field) ?? []).length > 0) spec.limit = 0;
  }
  return spec;
}

/** POST /api/v2/analytics/conversations/details/query: page-numbered, with totalHits. */
export class DetailsQueryService {
  constructor(
    private readonly world: SandboxWorld,
    private readonly clock: SandboxClock,
  ) {}

  query(rawBody: unknown): Record<string, unknown> {
    const body = requireObject(rawBody);
    const spec = parseSelection(body, 'startedOnTouchedDay');
    const paging = optionalObject(body, 'paging') ?? {};
    const pageSize = optionalInteger(paging, 'pageSize') ?? DETAILS_QUERY_PAGE_SIZE_DEFAULT;
    const pageNumber = optionalInteger(paging, 'pageNumber') ?? 1;
    if (pageSize < 1 || pageSize > DETAILS_QUERY_PAGE_SIZE_MAX) {
      throw ApiErrors.badRequest(
        'paging.pageSize must be between 1 and {max}, got {pageSize}.',
        { max: String(DETAILS_QUERY_PAGE_SIZE_MAX), pageSize: String(pageSize) },
        'paging.pageSize',
      );
    }
    if (pageNumber < 1) {
      throw ApiErrors.badRequest('paging.pageNumber must be at least 1, got {pageNumber}.', { pageNumber: String(pageNumber) }, 'paging.pageNumber');
    }
    const selected = selectConversations(this.world, this.clock.now(), spec);
    const page = selected.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
    const response: Record<string, unknown> = {};
    // like the real API, an empty page carries no conversations array at all
    if (page.length > 0) {
      response.conversations = page.map((c) => renderAnalyticsConversation(this.world.skeletonById(c.id)!));
    }
    response.totalHits = selected.length;
    return response;
  }
}
