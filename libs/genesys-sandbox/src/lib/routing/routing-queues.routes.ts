import { ApiErrors } from '../errors/api-error';
import { RequestContext } from '../http/request-context';
import { Router } from '../http/router';
import type { QueueEntity } from '../data/world-catalog';
import { SandboxServices } from '../sandbox-services';

/** `GET /api/v2/routing/queues` accepts page sizes up to 500 (default 25). */
export const QUEUE_PAGE_SIZE_MAX = 500;
const QUEUE_PAGE_SIZE_DEFAULT = 25;

function pageParam(ctx: RequestContext, name: string, fallback: number, max: number): number {
  const raw = ctx.query(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > max) {
    throw ApiErrors.badRequest('{name} must be an integer between 1 and {max}.', { name, max: String(max) }, name);
  }
  return value;
}

/**
 * `name` as Genesys reads it: a case-insensitive match of the whole name, where a leading
 * or trailing `*` stands for anything (`Bill*`, `*Support`, `*help*`).
 */
function nameMatcher(pattern: string | undefined): (name: string) => boolean {
  if (pattern === undefined || pattern === '') return () => true;
  const lower = pattern.toLowerCase();
  const starts = lower.startsWith('*');
  const ends = lower.endsWith('*') && lower.length > 1;
  const core = lower.slice(starts ? 1 : 0, ends ? -1 : undefined);
  return (name) => {
    const candidate = name.toLowerCase();
    if (starts && ends) return candidate.includes(core);
    if (starts) return candidate.endsWith(core);
    if (ends) return candidate.startsWith(core);
    return candidate === core;
  };
}

/**
 * The routing queues of the organisation (`RoutingApi.getRoutingQueues`, permission
 * `routing:queue:view`): a `QueueEntityListing` paged by `pageNumber`/`pageSize`, with
 * `pageCount`, `total` and the page URIs, filtered by `name`, `id` and `divisionId`
 * (both repeatable), sorted by name (`sortOrder` asc|desc).
 */
export function registerRoutingQueueRoutes(router: Router, services: SandboxServices): void {
  const { world } = services;

  const render = (queue: QueueEntity) => {
    const division = world.catalog.divisions.find((d) => d.id === queue.divisionId);
    const members = world.catalog.agents.filter((agent) => agent.divisionId === queue.divisionId).length;
    return {
      id: queue.id,
      name: queue.name,
      division: { id: queue.divisionId, name: division?.name, selfUri: `/api/v2/authorization/divisions/${queue.divisionId}` },
      memberCount: members,
      userMemberCount: members,
      joinedMemberCount: members,
      scoringMethod: 'TimestampAndPriority',
      skillEvaluationMethod: 'ALL',
      selfUri: `/api/v2/routing/queues/${queue.id}`,
    };
  };

  router.get('/api/v2/routing/queues', 'api', (ctx) => {
    const pageSize = pageParam(ctx, 'pageSize', QUEUE_PAGE_SIZE_DEFAULT, QUEUE_PAGE_SIZE_MAX);
    const pageNumber = pageParam(ctx, 'pageNumber', 1, Number.MAX_SAFE_INTEGER);
    const sortOrder = (ctx.query('sortOrder') ?? 'asc').toLowerCase();
    if (sortOrder !== 'asc' && sortOrder !== 'desc') throw ApiErrors.invalidValue('sortOrder', sortOrder, ['asc', 'desc']);
    const ids = new Set(ctx.url.searchParams.getAll('id'));
    const divisionIds = new Set(ctx.url.searchParams.getAll('divisionId'));
    const matches = nameMatcher(ctx.query('name'));
    const queues = world.catalog.queues
      .filter((queue) => matches(queue.name) && (ids.size === 0 || ids.has(queue.id)) && (divisionIds.size === 0 || divisionIds.has(queue.divisionId)))
      .sort((a, b) => a.name.localeCompare(b.name) * (sortOrder === 'asc' ? 1 : -1));
    const total = queues.length;
    const pageCount = Math.ceil(total / pageSize);
    const uri = (page: number) => {
      const query = new URLSearchParams(ctx.url.searchParams);
      query.set('pageSize', String(pageSize));
      query.set('pageNumber', String(page));
      return `/api/v2/routing/queues?${query.toString()}`;
    };
    ctx.sendJson(200, {
      entities: queues.slice((pageNumber - 1) * pageSize, pageNumber * pageSize).map(render),
      pageSize,
      pageNumber,
      total,
      firstUri: uri(1),
      selfUri: uri(pageNumber),
      lastUri: uri(Math.max(pageCount, 1)),
      ...(pageNumber < pageCount ? { nextUri: uri(pageNumber + 1) } : {}),
      ...(pageNumber > 1 ? { previousUri: uri(pageNumber - 1) } : {}),
      pageCount,
    });
  });
}
