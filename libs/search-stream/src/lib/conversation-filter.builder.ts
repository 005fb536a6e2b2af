import {
  normalizeCriteria,
  parseInterval,
  type Direction,
  type Instant,
  type MediaType,
  type MessageType,
  type SearchCriteria,
  type SearchCriteriaInput,
  type SearchIntervalInput,
} from './search-criteria';

/**
 * Typed, chainable way to write search criteria. Every call returns a new builder,
 * so a base filter can be shared and specialised. `build()` validates and throws a
 * `SearchCriteriaError` naming the field at fault.
 *
 * ```ts
 * const criteria = ConversationFilter.between('2026-01-01T00:00:00Z', '2026-01-31T00:00:00Z')
 *   .mediaType('message')
 *   .messageTypes('webmessaging', 'open')
 *   .queueIds(queueId)
 *   .build();
 * ```
 */
export class ConversationFilter {
  private constructor(private readonly input: SearchCriteriaInput) {}

  static between(start: Instant, end: Instant): ConversationFilter {
    return new ConversationFilter({ interval: { start, end } });
  }

  static interval(interval: SearchIntervalInput): ConversationFilter {
    return new ConversationFilter({ interval });
  }

  /** The `days` days (or `ms`) before `end`, e.g. `ConversationFilter.last({ days: 30 }, now)`. */
  static last(span: { days?: number; hours?: number }, end: Instant): ConversationFilter {
    const { endMs } = parseInterval({ start: end, end });
    const ms = (span.days ?? 0) * 86_400_000 + (span.hours ?? 0) * 3_600_000;
    return new ConversationFilter({ interval: { start: endMs - ms, end: endMs } });
  }

  mediaType(mediaType: MediaType): ConversationFilter {
    return this.with({ mediaType });
  }

  /** Conversations of any of these messenger types. */
  messageTypes(...messageTypes: MessageType[]): ConversationFilter {
    return this.with({ messageTypes: [...(this.input.messageTypes ?? []), ...messageTypes] });
  }

  /** Conversations routed through any of these queues. */
  queueIds(...queueIds: string[]): ConversationFilter {
    return this.with({ queueIds: [...(this.input.queueIds ?? []), ...queueIds] });
  }

  /** Conversations in any of these divisions. */
  divisionIds(...divisionIds: string[]): ConversationFilter {
    return this.with({ divisionIds: [...(this.input.divisionIds ?? []), ...divisionIds] });
  }

  /** Only these conversations (any of them). */
  conversationIds(...conversationIds: string[]): ConversationFilter {
    return this.with({ conversationIds: [...(this.input.conversationIds ?? []), ...conversationIds] });
  }

  direction(direction: Direction): ConversationFilter {
    return this.with({ direction });
  }

  externalTag(externalTag: string): ConversationFilter {
    return this.with({ externalTag });
  }

  build(): SearchCriteria {
    return normalizeCriteria(this.input);
  }

  private with(change: Partial<SearchCriteriaInput>): ConversationFilter {
    return new ConversationFilter({ ...this.input, ...change });
  }
}
