import { deriveSeed, SeededRandom } from '../random/seeded-random';
import { ATTACHMENT_KINDS, generatedAttachmentBytes, sha256Hex } from './attachment-content';
import { ConversationIndex, IndexEntry, IndexFlag, NO_AGENT } from './conversation-index';
import {
  AttachmentRecord,
  ConversationRecord,
  CustomerIdentity,
  MessageRecord,
  MessengerKind,
  ParticipantRecord,
  ReceiptRecord,
} from './conversation-record';
import { agentLine, customerLine, smsLine } from './message-text';
import { PERSON_FIRST_NAMES, PERSON_LAST_NAMES, WorldCatalog } from './world-catalog';

const SECOND = 1000;

const LANGUAGES = ['en-us', 'en-gb', 'fr-fr', 'de-de', 'es-es', 'nl-nl'];
const JOURNEYS = ['order-status', 'returns', 'billing', 'product-question', 'account'];

/**
 * Derives conversation i from (seed, i) alone. `skeleton` builds participants only (cheap:
 * analytics and attribute search use it across thousands of conversations); `full` adds the
 * messages, attachments, receipts and the planted anomalies. Both are pure: the same
 * (seed, i) always gives the same record, whatever else has been generated before.
 */
export class ConversationGenerator {
  private readonly idMaskConversation: number;
  private readonly idMaskMessage: number;

  constructor(
    private readonly seed: number,
    private readonly catalog: WorldCatalog,
    private readonly index: ConversationIndex,
    /** The fixed "now" generation is anchored to: nothing generated happens after it. */
    private readonly generationNowMs: number,
  ) {
    this.idMaskConversation = deriveSeed(seed, 'message-id-mask', 'conversation');
    this.idMaskMessage = deriveSeed(seed, 'message-id-mask', 'message') & 0xffff;
  }

  skeleton(i: number): ConversationRecord {
    const entry = this.index.entry(i);
    const rng = SeededRandom.derive(this.seed, 'conversation-people', i);
    const kind = entry.kind;
    const queue = this.catalog.queues[entry.queueIndex];
    const agent = entry.agentIndex === NO_AGENT ? undefined : this.catalog.agents[entry.agentIndex];
    const channelId =
      kind === 'webmessaging'
        ? this.catalog.webDeployments[0].id
        : kind === 'open'
          ? rng.pick(this.catalog.openIntegrations).id
          : this.catalog.smsNumber;
    const customer = this.customerIdentity(rng, i, kind);
    const start = entry.startTime;
    const end = entry.active ? undefined : entry.lastActivity;
    const agentConnected = start + entry.queueWaitMs;
    const customerLeft = rng.chance(0.35);
    const attributes = this.attributes(i);

    const participants: ParticipantRecord[] = [
      {
        id: rng.uuid(),
        purpose: 'customer',
        name: `${customer.firstName} ${customer.lastName}`,
        communicationId: rng.uuid(),
        address: customer.id,
        startTime: start,
        connectedTime: start,
        endTime: end,
        state: end === undefined ? 'connected' : 'disconnected',
        disconnectType: end === undefined ? undefined : customerLeft || !agent ? 'client' : 'peer',
        held: false,
        wrapupRequired: false,
        attributes,
        messageIds: [],
      },
    ];
    const acdEnd = agent ? agentConnected : end;
    participants.push({
      id: rng.uuid(),
      purpose: 'acd',
      name: queue.name,
      communicationId: rng.uuid(),
      address: queue.name,
      queueId: queue.id,
      startTime: start + 150,
      connectedTime: start + 150,
      endTime: acdEnd,
      state: acdEnd === undefined ? 'connected' : 'disconnected',
      disconnectType: acdEnd === undefined ? undefined : agent ? 'transfer' : 'peer',
      held: false,
      wrapupRequired: false,
      attributes: {},
      messageIds: [],
    });
    if (agent) {
      const alertMs = rng.int(2, 15) * SECOND;
      const wrapupSeconds = rng.int(8, 180);
      const code = rng.pick(this.catalog.wrapupCodes);
      participants.push({
        id: rng.uuid(),
        purpose: 'agent',
        name: agent.name,
        communicationId: rng.uuid(),
        address: '',
        userId: agent.id,
        queueId: queue.id,
        startTime: agentConnected - alertMs,
        startAlertingTime: agentConnected - alertMs,
        connectedTime: agentConnected,
        endTime: end,
        state: end === undefined ? 'connected' : 'disconnected',
        disconnectType: end === undefined ? undefined : customerLeft ? 'peer' : 'client',
        held: false,
        wrapupRequired: true,
        wrapupTimeoutMs: 60_000,
        wrapup:
          end === undefined
            ? undefined
            : { code: code.id, name: code.name, durationSeconds: wrapupSeconds, endTime: end + wrapupSeconds * SECOND },
        attributes: {},
        messageIds: [],
      });
    }

    return {
      id: entry.id,
      index: i,
      kind,
      startTime: start,
      endTime: end,
      originatingDirection: 'inbound',
      divisionId: queue.divisionId,
      queueId: queue.id,
      channelId,
      customer,
      orgAddress: channelId,
      participants,
      messages: [],
    };
  }

  full(i: number): ConversationRecord {
    const record = this.skeleton(i);
    const entry = this.index.entry(i);
    const rng = SeededRandom.derive(this.seed, 'conversation-messages', i);
    const customer = record.participants[0];
    const agent = record.participants.find((p) => p.purpose === 'agent');
    const times = this.messageTimes(rng, entry);
    const agentConnected = agent?.connectedTime ?? Number.POSITIVE_INFINITY;

    let previousInbound = false;
    for (let k = 0; k < times.length; k++) {
      const t = times[k];
      let outbound = false;
      if (k > 0 && agent && t >= agentConnected) outbound = rng.chance(previousInbound ? 0.6 : 0.35);
      const message = this.message(rng, record, entry, k, t, outbound ? agent! : customer);
      record.messages.push(message);
      (outbound ? agent! : customer).messageIds.push(message.id);
      previousInbound = !outbound;
    }
    this.plantAnomalies(rng, record, entry);
    return record;
  }

  /**
   * Generated message ids are 32 hex characters like real ones, but encode (i, k) under a
   * seed-derived mask so a bare message id leads back to its conversation without a
   * global map.
   */
  messageId(rng: SeededRandom, i: number, k: number): string {
    const conv = ((i ^ this.idMaskConversation) >>> 0).toString(16).padStart(8, '0');
    const msg = ((k ^ this.idMaskMessage) & 0xffff).toString(16).padStart(4, '0');
    let tail = '';
    for (let n = 0; n < 3; n++) tail += rng.nextUint32().toString(16).padStart(8, '0');
    return conv + msg + tail.slice(0, 20);
  }

  /** The conversation index a generated message id points at, if it is one. */
  conversationIndexOfMessage(messageId: string): number | undefined {
    if (!/^[0-9a-f]{32}$/.test(messageId)) return undefined;
    const i = (parseInt(messageId.slice(0, 8), 16) ^ this.idMaskConversation) >>> 0;
    return i < this.index.size ? i : undefined;
  }

  /**
   * The customer participant's attributes, from their own stream: attribute search reads
   * them for every conversation without building participants.
   */
  attributes(i: number): Record<string, string> {
    const rng = SeededRandom.derive(this.seed, 'conversation-attributes', i);
    const attributes: Record<string, string> = {
      customerId: `C${rng.int(100000, 999999)}`,
      language: rng.pick(LANGUAGES),
      journey: rng.pick(JOURNEYS),
      'context.firstName': this.customerName(i).firstName,
    };
    if (rng.chance(0.5)) attributes.orderNumber = `A-${rng.int(100000, 999999)}`;
    return attributes;
  }

  private customerName(i: number): { firstName: string; lastName: string } {
    const rng = SeededRandom.derive(this.seed, 'conversation-customer-name', i);
    return { firstName: rng.pick(PERSON_FIRST_NAMES), lastName: rng.pick(PERSON_LAST_NAMES) };
  }

  private customerIdentity(rng: SeededRandom, i: number, kind: MessengerKind): CustomerIdentity {
    const { firstName, lastName } = this.customerName(i);
    const nickname = `${firstName} ${lastName.charAt(0)}.`;
    if (kind === 'sms') {
      return { id: `+1317555${String(rng.int(0, 9999)).padStart(4, '0')}`, idType: 'Phone', firstName, lastName, nickname };
    }
    if (kind === 'open') {
      const local = `${asciiFold(firstName)}.${asciiFold(lastName)}${rng.int(1, 99)}`.toLowerCase();
      return { id: `${local}@example.com`, idType: 'Email', firstName, lastName, nickname };
    }
    return { id: rng.uuid(), idType: 'Opaque', firstName, lastName, nickname };
  }

  private messageTimes(rng: SeededRandom, entry: IndexEntry): number[] {
    const first = entry.startTime + 500;
    const last = Math.max(first, entry.lastActivity - SECOND);
    const times = [first];
    for (let k = 1; k < entry.messageCount; k++) times.push(first + Math.floor(rng.next() * (last - first)));
    times.sort((a, b) => a - b);
    // distinct instants keep "timestamp order" well defined for the integrity checks
    for (let k = 1; k < times.length; k++) if (times[k] <= times[k - 1]) times[k] = times[k - 1] + 1;
    return times;
  }

  private message(
    rng: SeededRandom,
    record: ConversationRecord,
    entry: IndexEntry,
    k: number,
    t: number,
    sender: ParticipantRecord,
  ): MessageRecord {
    const outbound = sender.purpose === 'agent';
    const kind = record.kind;
    const id = this.messageId(rng, entry.index, k);
    const attachments: AttachmentRecord[] = [];
    if (kind !== 'sms' && rng.chance(outbound ? 0.03 : 0.07)) {
      attachments.push(this.attachment(rng, k));
    }
    const attachmentOnly = attachments.length > 0 && rng.chance(0.4);
    const text = attachmentOnly
      ? undefined
      : kind === 'sms'
        ? smsLine(rng, outbound, record.customer.firstName)
        : outbound
          ? agentLine(rng, record.customer.firstName)
          : customerLine(rng);
    const providerMessageId =
      kind === 'sms'
        ? `SM${rng.nextUint32().toString(16).padStart(8, '0')}${rng.nextUint32().toString(16).padStart(8, '0')}`
        : kind === 'open'
          ? `ext-${rng.nextUint32().toString(36)}${rng.nextUint32().toString(36)}`
          : rng.uuid();
    const receipts = outbound ? this.receipts(rng, kind, t) : [];
    return {
      id,
      providerMessageId,
      timestamp: t,
      direction: outbound ? 'outbound' : 'inbound',
      participantId: sender.id,
      text,
      attachments,
      status: outbound ? statusFromReceipts(receipts) : 'received',
      receipts,
      createdByUserId: outbound ? sender.userId : undefined,
      originatingEntity: 'Human',
    };
  }

  private attachment(rng: SeededRandom, k: number): AttachmentRecord {
    const kind = rng.weighted(ATTACHMENT_KINDS.map((a, n) => [a, [0.45, 0.25, 0.2, 0.05, 0.05][n]] as const));
    const id = rng.uuid();
    const size = rng.int(300, 48_000);
    const base = { Image: 'photo', File: 'document', Video: 'clip', Audio: 'voice-note', Link: 'link' }[kind.mediaType];
    return {
      id,
      mediaType: kind.mediaType,
      mime: kind.mime,
      filename: `${base}-${k + 1}.${kind.extension}`,
      contentSizeBytes: size,
      sha256: sha256Hex(generatedAttachmentBytes(this.seed, id, kind.mime, size)),
      source: 'generated',
    };
  }

  /**
   * Receipts of an outbound message. A few are deliberately late (delivered more than 5
   * minutes, or read more than 30 minutes, after sending) so receipt-SLA checks have
   * something to find; receipts that would lie after `now` have not happened yet.
   */
  private receipts(rng: SeededRandom, kind: MessengerKind, sentAt: number): ReceiptRecord[] {
    const nowMs = this.generationNowMs;
    const receipts: ReceiptRecord[] = [];
    if (rng.chance(0.02)) {
      const failedAt = sentAt + rng.int(1, 30) * SECOND;
      if (failedAt <= nowMs) {
        receipts.push({
          status: 'Failed',
          time: failedAt,
          isFinalReceipt: true,
          reasons: [{ code: 'GeneralError', message: 'The recipient could not be reached.' }],
        });
      }
      return receipts;
    }
    const deliveredAt = rng.chance(0.05)
      ? sentAt + rng.int(5 * 60 + 1, 30 * 60) * SECOND
      : sentAt + rng.int(300, 20_000);
    // read receipts come from the web messenger; SMS and Open Messaging report delivery only
    const readable = kind === 'webmessaging' && rng.chance(0.7);
    const readAt = rng.chance(0.05)
      ? sentAt + rng.int(30 * 60 + 1, 3 * 60 * 60) * SECOND
      : deliveredAt + rng.int(3, 600) * SECOND;
    if (deliveredAt <= nowMs) {
      receipts.push({ status: 'Delivered', time: deliveredAt, isFinalReceipt: !readable });
      if (readable && readAt <= nowMs) receipts.push({ status: 'Read', time: Math.max(readAt, deliveredAt + 1), isFinalReceipt: true });
    }
    return receipts;
  }

  private plantAnomalies(rng: SeededRandom, record: ConversationRecord, entry: IndexEntry): void {
    const customer = record.participants[0];
    let nextK = entry.messageCount;
    if (entry.flags & IndexFlag.DuplicateProviderMessageId) {
      const pos = rng.int(0, customer.messageIds.length - 1);
      const original = record.messages.find((m) => m.id === customer.messageIds[pos])!;
      // a redelivery a moment later, but before the next message so time order stays unambiguous
      const next = record.messages[record.messages.indexOf(original) + 1];
      const room = next ? Math.floor((next.timestamp - original.timestamp) / 2) : 900;
      const duplicate: MessageRecord = {
        ...original,
        id: this.messageId(rng, entry.index, nextK++),
        timestamp: original.timestamp + Math.max(1, Math.min(rng.int(150, 900), room)),
        attachments: original.attachments.map((a) => ({ ...a })),
        receipts: [],
        duplicateOf: original.id,
      };
      record.messages.splice(record.messages.indexOf(original) + 1, 0, duplicate);
      customer.messageIds.splice(pos + 1, 0, duplicate.id);
    }
    if (entry.flags & IndexFlag.RepeatedMessageId) {
      const pos = rng.int(0, customer.messageIds.length - 1);
      customer.messageIds.splice(pos + 1 + rng.int(0, 1), 0, customer.messageIds[pos]);
    }
    if (entry.flags & IndexFlag.OutOfOrder) {
      const lists = record.participants.filter((p) => p.messageIds.length >= 2);
      const list = lists.find((p) => p.purpose === 'customer') ?? lists[0];
      if (list) {
        // swap two neighbours whose timestamps differ, so list order contradicts time order
        const ids = list.messageIds;
        const pos = rng.int(0, ids.length - 2);
        for (let p = pos; p < pos + ids.length - 1; p++) {
          const a = p % (ids.length - 1);
          if (ids[a] !== ids[a + 1]) {
            [ids[a], ids[a + 1]] = [ids[a + 1], ids[a]];
            break;
          }
        }
      }
    }
  }
}

export function statusFromReceipts(receipts: ReceiptRecord[]): MessageRecord['status'] {
  const last = receipts[receipts.length - 1];
  if (!last) return 'sent';
  switch (last.status) {
    case 'Read':
      return 'read';
    case 'Delivered':
      return 'delivery-success';
    case 'Failed':
      return 'delivery-failed';
    case 'Published':
      return 'published';
    case 'Removed':
      return 'removed';
    default:
      return 'sent';
  }
}

function asciiFold(value: string): string {
  return value.normalize('NFD').replace(/[^A-Za-z]/g, '');
}
