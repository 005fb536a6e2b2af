import { GenesysNotFoundError } from '@gcm/genesys-auth';
import type { BulkOptions, BulkResult, CallOptions, Conversation, MessageConversation, MessageData } from '@gcm/messaging-client';
import type { HistorySource } from '../lib/history-sync.service';
import type { ConversationFixture } from './conversation-fixture';

type Read = 'getConversation' | 'getMessageConversation' | 'getMessagesBulk';

/**
 * A HistorySource over fixtures, for tests of code that syncs history without a server.
 * Unknown conversations answer 404 like Genesys; `fail(id, error)` makes every read of a
 * conversation throw; `calls` records each read; `rewriteMessage` changes what later reads
 * return (e.g. a freshly signed media URL).
 */
export class InMemoryHistorySource implements HistorySource {
  readonly calls: Array<{ read: Read; conversationId: string; ids?: number }> = [];
  /** Reads running right now, and the most seen at once. */
  inFlight = 0;
  maxInFlight = 0;
  private readonly conversations = new Map<string, ConversationFixture>();
  private readonly failures = new Map<string, { error: unknown; reads?: ReadonlySet<Read> }>();
  private rewrite?: (message: MessageData, read: number) => MessageData;
  private bulkReads = 0;

  constructor(
    fixtures: Iterable<ConversationFixture> = [],
    /** Called around every read, e.g. to hold it open until the test releases it. */
    private readonly gate: (conversationId: string, read: Read) => Promise<void> = () => Promise.resolve(),
  ) {
    for (const fixture of fixtures) this.add(fixture);
  }

  add(fixture: ConversationFixture): this {
    this.conversations.set(fixture.messageConversation.id, structuredClone(fixture));
    return this;
  }

  fail(conversationId: string, error: unknown, reads?: Read[]): this {
    this.failures.set(conversationId, { error, reads: reads && new Set(reads) });
    return this;
  }

  /** Transforms every message body returned from now on; `read` counts bulk reads from 1. */
  rewriteMessage(rewrite: (message: MessageData, read: number) => MessageData): this {
    this.rewrite = rewrite;
    return this;
  }

  getConversation(conversationId: string, options: CallOptions = {}): Promise<Conversation> {
    return this.read('getConversation', conversationId, options, (fixture) => fixture.conversation);
  }

  getMessageConversation(conversationId: string, options: CallOptions = {}): Promise<MessageConversation> {
    return this.read('getMessageConversation', conversationId, options, (fixture) => fixture.messageConversation);
  }

  getMessagesBulk(conversationId: string, messageIds: readonly string[], options: BulkOptions = {}): Promise<BulkResult> {
    return this.read(
      'getMessagesBulk',
      conversationId,
      options,
      (fixture) => {
        const read = ++this.bulkReads;
        const byId = new Map(fixture.messages.map((m) => [m.id, m]));
        const result: BulkResult = { messages: [], missingIds: [] };
        for (const id of new Set(messageIds)) {
          const message = byId.get(id);
          if (message) result.messages.push(this.rewrite ? this.rewrite(structuredClone(message), read) : message);
          else result.missingIds.push(id);
        }
        return result;
      },
      messageIds.length,
    );
  }

  private async read<T>(read: Read, conversationId: string, options: CallOptions, answer: (fixture: ConversationFixture) => T, ids?: number): Promise<T> {
    this.calls.push({ read, conversationId, ids });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.gate(conversationId, read);
      options.signal?.throwIfAborted();
      const failure = this.failures.get(conversationId);
      if (failure && (!failure.reads || failure.reads.has(read))) throw failure.error;
      const fixture = this.conversations.get(conversationId);
      if (!fixture) {
        throw new GenesysNotFoundError({
          message: `Genesys GET /api/v2/conversations/messages/${conversationId} failed with 404 not.found: The requested resource was not found.`,
          status: 404,
          code: 'not.found',
        });
      }
      return structuredClone(answer(fixture));
    } finally {
      this.inFlight--;
    }
  }
}
