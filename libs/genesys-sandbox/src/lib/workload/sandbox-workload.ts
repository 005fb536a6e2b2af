import type { ConversationChange } from '../data/sandbox-world';
import type { RunningSandbox } from '../start-sandbox';

export type WorkloadOperation = 'new-conversation' | 'customer-message' | 'assign-agent' | 'agent-message' | 'receipt' | 'hold' | 'end' | 'wrapup';

/** What the workload did, for comparing against the events. */
export interface WorkloadLog {
  /** Every message the workload created: id → conversation, direction, text. */
  messages: Map<string, { conversationId: string; direction: 'inbound' | 'outbound'; text: string; sentAt: number }>;
  /** Every receipt applied: `${messageId}:${status}` → receipt time. */
  receipts: Map<string, number>;
  /** Conversations the workload touched (created or changed). */
  conversations: Set<string>;
  /** Held toggles to true, per participant. */
  holds: Map<string, number>;
  /** World changes seen (`conversation.changed`). */
  changes: ConversationChange[];
  operations: Record<WorkloadOperation, number>;
}

interface Active {
  id: string;
  customer?: { id: string; nickname: string };
  generated: boolean;
}

/**
 * Drives the sandbox world with realistic mutations (the same calls the sandbox's REST and
 * guest routes make): conversations arriving in a queue, agents assigned, messages both
 * ways, delivery and read receipts, holds, disconnects and wrap-ups. Deterministic from the
 * random source.
 */
export class SandboxWorkload {
  readonly log: WorkloadLog = {
    messages: new Map(),
    receipts: new Map(),
    conversations: new Set(),
    holds: new Map(),
    changes: [],
    operations: { 'new-conversation': 0, 'customer-message': 0, 'assign-agent': 0, 'agent-message': 0, receipt: 0, hold: 0, end: 0, wrapup: 0 },
  };
  private readonly active: Active[] = [];
  private readonly ended: string[] = [];
  private customers = 0;
  private messageCount = 0;
  /** Participants (and conversations) already changed in the current gap, which must change at most once each. */
  private gapTouched?: Set<string>;

  constructor(
    private readonly sandbox: RunningSandbox,
    private readonly random: () => number,
    generatedOngoing: readonly string[],
  ) {
    sandbox.world.on('conversation.changed', (change) => this.log.changes.push(change));
    for (const id of generatedOngoing) this.active.push({ id, generated: true });
  }

  get changeCount(): number {
    return this.log.changes.length;
  }

  /** From now on, changes a participant at most once (no holds) until `endGap()`: what a gap can be checked against. */
  beginGap(): void {
    this.gapTouched = new Set();
  }

  endGap(): void {
    this.gapTouched = undefined;
  }

  /** Performs one random operation; returns what it did. */
  step(): WorkloadOperation {
    for (;;) {
      const kind = this.pick();
      if (kind && this.perform(kind)) {
        this.log.operations[kind]++;
        return kind;
      }
    }
  }

  private pick(): WorkloadOperation | undefined {
    const r = this.random();
    if (this.active.length < 6 || r < 0.1) return 'new-conversation';
    if (r < 0.22) return 'customer-message';
    if (r < 0.32) return 'assign-agent';
    if (r < 0.55) return 'agent-message';
    if (r < 0.8) return 'receipt';
    if (r < 0.88) return this.gapTouched ? undefined : 'hold';
    if (r < 0.95) return this.active.length > 8 ? 'end' : undefined;
    return this.ended.length > 0 ? 'wrapup' : undefined;
  }

  private perform(kind: WorkloadOperation): boolean {
    const world = this.sandbox.world;
    const catalog = this.sandbox.truth.catalog;
    const now = this.sandbox.clock.now();
    switch (kind) {
      case 'new-conversation': {
        const n = ++this.customers;
        const customer = { id: `workload-customer-${n}`, nickname: `customer ${n}` };
        const text = this.text('hello from a new customer');
        const { conversation, message } = world.receiveInbound({
          kind: 'open',
          channelId: catalog.openIntegrations[0].id,
          from: { id: customer.id, idType: 'Opaque', firstName: 'Cus', lastName: `Tomer${n}`, nickname: customer.nickname },
          time: now,
          text,
          attachments: [],
        });
        this.active.push({ id: conversation.id, customer, generated: false });
        this.touch(conversation.id);
        this.log.conversations.add(conversation.id);
        this.log.messages.set(message.id, { conversationId: conversation.id, direction: 'inbound', text, sentAt: now });
        return true;
      }
      case 'customer-message': {
        const target = this.choose(this.active.filter((a) => a.customer && this.untouched(a.id)));
        if (!target?.customer) return false;
        const text = this.text('customer follow-up');
        const { conversation, message } = world.receiveInbound({
          kind: 'open',
          channelId: catalog.openIntegrations[0].id,
          from: { id: target.customer.id, idType: 'Opaque', firstName: 'Cus', lastName: 'Tomer', nickname: target.customer.nickname },
          time: now,
          text,
          attachments: [],
        });
        if (conversation.id !== target.id) throw new Error('the follow-up opened another conversation');
        this.touch(target.id);
        this.log.messages.set(message.id, { conversationId: target.id, direction: 'inbound', text, sentAt: now });
        return true;
      }
      case 'assign-agent': {
        const target = this.choose(this.active.filter((a) => !a.generated && !this.agentOf(a.id) && this.untouched(a.id)));
        if (!target) return false;
        const agent = catalog.agents[Math.floor(this.random() * catalog.agents.length)];
        world.assignAgent(target.id, { id: agent.id, name: agent.name });
        this.touch(target.id);
        return true;
      }
      case 'agent-message': {
        const target = this.choose(this.active.filter((a) => this.agentOf(a.id) && this.untouched(a.id)));
        const agent = target && this.agentOf(target.id);
        if (!target || !agent) return false;
        const text = this.text('agent answer');
        const message = world.sendOutbound(target.id, agent.communicationId, { text });
        this.touch(target.id);
        this.log.conversations.add(target.id);
        this.log.messages.set(message.id, { conversationId: target.id, direction: 'outbound', text, sentAt: now });
        return true;
      }
      case 'receipt': {
        const candidates = [...this.log.messages].filter(([id, m]) => m.direction === 'outbound' && !this.log.receipts.has(`${id}:Read`) && this.untouched(m.conversationId));
        const [messageId, message] = this.choose(candidates) ?? [];
        if (!messageId || !message) return false;
        const status = this.log.receipts.has(`${messageId}:Delivered`) ? 'Read' : 'Delivered';
        world.applyReceipt(messageId, { status, time: now, isFinalReceipt: status === 'Read' });
        this.touch(message.conversationId);
        this.log.receipts.set(`${messageId}:${status}`, now);
        return true;
      }
      case 'hold': {
        const target = this.choose(this.active.filter((a) => this.agentOf(a.id)));
        const agent = target && this.agentOf(target.id);
        if (!target || !agent) return false;
        const held = !this.participantRecord(target.id, agent.id)?.held;
        world.patchParticipant(target.id, agent.id, { held });
        if (held) this.log.holds.set(agent.id, (this.log.holds.get(agent.id) ?? 0) + 1);
        this.log.conversations.add(target.id);
        return true;
      }
      case 'end': {
        // in a gap, an agent on hold would need two changes (resume, disconnect) whose order a re-read cannot tell
        const target = this.choose(this.active.filter((a) => this.agentOf(a.id) && this.untouched(a.id) && !(this.gapTouched && this.agentOf(a.id)?.held)));
        const agent = target && this.agentOf(target.id);
        if (!target || !agent) return false;
        if (this.participantRecord(target.id, agent.id)?.held) world.patchParticipant(target.id, agent.id, { held: false });
        world.patchParticipant(target.id, agent.id, { state: 'disconnected' });
        this.touch(target.id);
        this.log.conversations.add(target.id);
        this.active.splice(this.active.indexOf(target), 1);
        this.ended.push(target.id);
        return true;
      }
      case 'wrapup': {
        const id = this.ended.find((c) => this.untouched(c) && this.sandbox.world.conversation(c)?.participants.some((p) => p.purpose === 'agent' && p.userId && !p.wrapup));
        if (!id) return false;
        const agent = this.sandbox.world.conversation(id)!.participants.find((p) => p.purpose === 'agent' && p.userId && !p.wrapup)!;
        const code = catalog.wrapupCodes[Math.floor(this.random() * catalog.wrapupCodes.length)];
        world.patchParticipant(id, agent.id, { wrapup: { code: code.id, name: code.name, durationSeconds: 30 } });
        this.touch(id);
        return true;
      }
    }
  }

  private agentOf(conversationId: string) {
    return this.sandbox.world.conversation(conversationId)?.participants.find((p) => p.purpose === 'agent' && p.userId && p.state === 'connected');
  }

  private participantRecord(conversationId: string, participantId: string) {
    return this.sandbox.world.conversation(conversationId)?.participants.find((p) => p.id === participantId);
  }

  /** During a gap every conversation changes at most once, so nothing collapses. */
  private untouched(conversationId: string): boolean {
    return !this.gapTouched?.has(conversationId);
  }

  private touch(conversationId: string): void {
    this.gapTouched?.add(conversationId);
  }

  private choose<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[Math.floor(this.random() * items.length)];
  }

  private text(prefix: string): string {
    return `${prefix} #${++this.messageCount} — ünïcødé 👋`;
  }
}
