import { detailsJobBody, detailsQueryBody, attributeSearchBody } from './analytics-request';
import { ConversationFilter } from './conversation-filter.builder';
import { normalizeCriteria } from './search-criteria';
import { SearchCriteriaError, SearchStreamErrorCode } from './search-stream.error';

const JAN1 = '2026-01-01T00:00:00.000Z';
const JAN2 = '2026-01-02T00:00:00.000Z';

function errorOf(fn: () => unknown): SearchCriteriaError {
  try {
    fn();
  } catch (error) {
    return error as SearchCriteriaError;
  }
  throw new Error('expected an error');
}

describe('ConversationFilter', () => {
  it('builds the real details query body with and/or filters', () => {
    const criteria = ConversationFilter.between(JAN1, JAN2)
      .mediaType('message')
      .messageTypes('webmessaging', 'open')
      .queueIds('q2', 'q1', 'q2')
      .divisionIds('d1')
      .conversationIds('c1', 'c2')
      .direction('inbound')
      .externalTag('vip')
      .build();
    expect(detailsQueryBody(criteria, criteria.interval, { pageSize: 100, pageNumber: 3 })).toEqual({
      interval: `${JAN1}/${JAN2}`,
      order: 'asc',
      orderBy: 'conversationStart',
      paging: { pageSize: 100, pageNumber: 3 },
      conversationFilters: [
        {
          type: 'or',
          predicates: [
            { type: 'dimension', dimension: 'conversationId', operator: 'matches', value: 'c1' },
            { type: 'dimension', dimension: 'conversationId', operator: 'matches', value: 'c2' },
          ],
        },
        { type: 'or', predicates: [{ type: 'dimension', dimension: 'divisionId', operator: 'matches', value: 'd1' }] },
        { type: 'and', predicates: [{ type: 'dimension', dimension: 'originatingDirection', operator: 'matches', value: 'inbound' }] },
        { type: 'and', predicates: [{ type: 'dimension', dimension: 'externalTag', operator: 'matches', value: 'vip' }] },
      ],
      segmentFilters: [
        { type: 'and', predicates: [{ type: 'dimension', dimension: 'mediaType', operator: 'matches', value: 'message' }] },
        {
          type: 'or',
          predicates: [
            { type: 'dimension', dimension: 'messageType', operator: 'matches', value: 'open' },
            { type: 'dimension', dimension: 'messageType', operator: 'matches', value: 'webmessaging' },
          ],
        },
        {
          type: 'or',
          predicates: [
            { type: 'dimension', dimension: 'queueId', operator: 'matches', value: 'q1' },
            { type: 'dimension', dimension: 'queueId', operator: 'matches', value: 'q2' },
          ],
        },
      ],
    });
  });

  it('builds a job body without paging and omits empty filter lists', () => {
    const criteria = ConversationFilter.interval(`${JAN1}/${JAN2}`).build();
    expect(detailsJobBody(criteria, { startMs: Date.parse(JAN1), endMs: Date.parse(JAN2) })).toEqual({
      interval: `${JAN1}/${JAN2}`,
      order: 'asc',
      orderBy: 'conversationStart',
    });
  });

  it('builds the attribute search body with a DATE_RANGE on startTime and a cursor', () => {
    const criteria = ConversationFilter.between(JAN1, JAN2).divisionIds('d1').build();
    expect(attributeSearchBody(criteria, criteria.interval, 'cur')).toEqual({
      query: [
        { type: 'DATE_RANGE', fields: ['startTime'], startValue: JAN1, endValue: JAN2 },
        { type: 'EXACT', fields: ['divisionId'], values: ['d1'], operator: 'AND' },
      ],
      sortOrder: 'ASC',
      sortBy: 'startTime',
      cursor: 'cur',
    });
  });

  it('shares a base filter without mutating it', () => {
    const base = ConversationFilter.between(JAN1, JAN2).mediaType('message');
    const web = base.messageTypes('webmessaging').build();
    expect(web.messageTypes).toEqual(['webmessaging']);
    expect(base.build().messageTypes).toEqual([]);
  });

  it('last({days}) ends at the given instant', () => {
    const criteria = ConversationFilter.last({ days: 30 }, JAN2).build();
    expect(criteria.interval).toEqual({ startMs: Date.parse(JAN2) - 30 * 86_400_000, endMs: Date.parse(JAN2) });
  });
});

describe('criteria validation', () => {
  it('refuses an interval that ends before it starts, naming the field', () => {
    const error = errorOf(() => ConversationFilter.between(JAN2, JAN1).build());
    expect(error).toBeInstanceOf(SearchCriteriaError);
    expect(error.code).toBe(SearchStreamErrorCode.InvalidCriteria);
    expect(error.field).toBe('interval.end');
    expect(error.message).toBe(`Invalid search interval.end: the end (${JAN1}) must be after the start (${JAN2})`);
  });

  it('refuses an empty interval', () => {
    expect(errorOf(() => ConversationFilter.between(JAN1, JAN1).build()).field).toBe('interval.end');
  });

  it('refuses instants without a time zone and garbage', () => {
    expect(errorOf(() => ConversationFilter.between('2026-01-01T00:00:00', JAN2).build()).message).toMatch(
      /interval.start: "2026-01-01T00:00:00" has no time zone/,
    );
    expect(errorOf(() => ConversationFilter.between('yesterdayZ', JAN2).build()).field).toBe('interval.start');
    expect(errorOf(() => normalizeCriteria({ interval: 'just-one-part' })).field).toBe('interval');
  });

  it('refuses unknown enum values with the allowed list', () => {
    const error = errorOf(() => normalizeCriteria({ interval: `${JAN1}/${JAN2}`, messageTypes: ['pigeon' as never] }));
    expect(error.field).toBe('messageTypes');
    expect(error.message).toMatch(/"pigeon" is not one of webmessaging, open, sms/);
    expect(errorOf(() => normalizeCriteria({ interval: `${JAN1}/${JAN2}`, direction: 'up' as never })).field).toBe('direction');
    expect(errorOf(() => normalizeCriteria({ interval: `${JAN1}/${JAN2}`, mediaType: 'fax' as never })).field).toBe('mediaType');
  });

  it('refuses blank ids and too many ids, naming the limit', () => {
    expect(errorOf(() => ConversationFilter.between(JAN1, JAN2).queueIds('q1', ' ').build()).field).toBe('queueIds[1]');
    const many = Array.from({ length: 1_001 }, (_, i) => `c${i}`);
    const error = errorOf(() => ConversationFilter.between(JAN1, JAN2).conversationIds(...many).build());
    expect(error.field).toBe('conversationIds');
    expect(error.message).toMatch(/1001 values is more than the limit of 1000/);
    expect(errorOf(() => ConversationFilter.between(JAN1, JAN2).externalTag('').build()).field).toBe('externalTag');
  });
});
