import { ParticipantStateMachine, type ParticipantTransition, type TransitionViolation } from '@gcm/history-timeline';
import type { ConversationSnapshot, SnapshotParticipant } from '@gcm/messaging-client';
import type { LiveEvent, LiveEventOrigin, ParticipantRef } from '../events/live-event.model';

/** A message of a followed conversation, as far as we know it. */
export interface TrackedMessage {
  id: string;
  participantId: string;
  senderPurpose?: string;
  /** The snapshot's `messageStatus`, last seen. */
  status?: string;
  /** Epoch ms from the snapshot's `messageTime` (NaN when absent). */
  listedAt: number;
  /** Set once the message event went out (or the message predates what we announce). */
  announced: boolean;
  direction?: 'inbound' | 'outbound';
  /** Epoch ms the message was sent (its body's timestamp). */
  sentAt?: number;
  /** Receipt statuses already announced. */
  receiptStatuses: Set<string>;
  receipts: Array<{ status: string; time?: string; isFinal?: boolean; reasons?: Array<{ code?: string; message?: string }> }>;
  /** SLA breach kinds already announced. */
  breaches: Set<string>;
  /** Delivered, read or failed: a delivery-missing breach no longer applies. */
  settled: boolean;
}

/** What a snapshot changed, before message bodies are read. */
export interface SnapshotDelta {
  events: LiveEvent[];
  /** Messages seen for the first time, to announce once their bodies are read. */
  newMessages: TrackedMessage[];
  /** Known outbound (or not yet known) messages whose status moved: their receipts need reading. */
  statusChanged: TrackedMessage[];
  ended: boolean;
}

const ENDED = new Set(['disconnected', 'terminated']);
/** Statuses a receipt produced: worth reading the body for. */
const RECEIPT_STATUSES = new Set(['delivery-success', 'read', 'delivery-failed', 'failed']);

/**
 * One conversation followed through its snapshots: the participants through the state
 * machine of history-timeline, the messages by id. Applying a snapshot returns what
 * changed; applying the same snapshot again returns nothing, so a repeated or re-read
 * snapshot never produces an event twice.
 */
export class ConversationTracker {
  readonly messages = new Map<string, TrackedMessage>();
  readonly queueIds = new Set<string>();
  ended = false;
  private seen = false;
  private readonly machine: ParticipantStateMachine;
  /** The last snapshot of each participant, without its message list (the messages are in `messages`). */
  private readonly participants = new Map<string, Omit<SnapshotParticipant, 'messages'>>();
  private readonly transitionCounts = new Map<string, number>();

  constructor(
    readonly conversationId: string,
    /** Messages listed before this instant (epoch ms) are taken as known, not announced. */
    private readonly announceSince: number,
    now: () => number,
  ) {
    // no transition log: a conversation followed for hours would keep every hold and move
    this.machine = new ParticipantStateMachine({ now, keepLog: false });
  }

  apply(snapshot: ConversationSnapshot, origin: LiveEventOrigin, observedAt: number): SnapshotDelta {
    const observed = new Date(observedAt).toISOString();
    for (const p of snapshot.participants) {
      if (p.queueId) this.queueIds.add(p.queueId);
      const { messages: _listed, ...rest } = p;
      this.participants.set(p.id, { ...this.participants.get(p.id), ...rest });
    }
    const delta: SnapshotDelta = { events: [], newMessages: [], statusChanged: [], ended: false };

    const { transitions, violations } = this.machine.apply(
      {
        id: snapshot.conversationId,
        participants: snapshot.participants.map((p) => ({
          id: p.id,
          state: p.state,
          initialState: p.initialState,
          held: p.held,
          wrapupRequired: p.wrapupRequired,
          wrapup: p.wrapup,
          purpose: p.purpose,
        })),
      },
      observedAt,
    );
    const first = !this.seen;
    this.seen = true;
    // a conversation first seen after it was over (a re-read after a gap finds recently ended ones) is history
    const history = first && endedBefore(snapshot, this.announceSince);
    if (history) this.ended = true;
    else for (const transition of transitions) delta.events.push(this.transitionEvent(transition, violations, origin, observed));

    for (const participant of snapshot.participants) {
      for (const listed of participant.messages) {
        const known = this.messages.get(listed.id);
        if (!known) {
          const listedAt = listed.time === undefined ? Number.NaN : Date.parse(listed.time);
          const message: TrackedMessage = {
            id: listed.id,
            participantId: participant.id,
            senderPurpose: participant.purpose,
            status: listed.status,
            listedAt,
            announced: listedAt < this.announceSince,
            receiptStatuses: new Set(),
            receipts: [],
            breaches: new Set(),
            settled: false,
          };
          this.messages.set(listed.id, message);
          // one listed before we started is known already; its receipts may be newer than that (read after a restart)
          if (!message.announced) delta.newMessages.push(message);
          else if (RECEIPT_STATUSES.has(listed.status ?? '') && isOrgPurpose(participant.purpose)) delta.statusChanged.push(message);
        } else if (listed.status !== known.status) {
          known.status = listed.status;
          if (known.direction !== 'inbound') delta.statusChanged.push(known);
        }
      }
    }

    if (!this.ended && snapshot.participants.length > 0 && snapshot.participants.every((p) => ENDED.has(p.state ?? ''))) {
      this.ended = true;
      delta.ended = true;
    }
    return delta;
  }

  participantRef(participantId: string): ParticipantRef {
    const p = this.participants.get(participantId);
    return dropUndefined({ participantId, purpose: p?.purpose, name: p?.name, userId: p?.userId, queueId: p?.queueId });
  }

  participantStates(): Array<ParticipantRef & { state: string }> {
    return this.machine.statusesList().map((status) => ({ ...this.participantRef(status.participantId), state: status.state }));
  }

  /** The state machine's view of every participant (tests compare it with the truth). */
  statuses() {
    return this.machine.statusesList();
  }

  private transitionEvent(transition: ParticipantTransition, violations: TransitionViolation[], origin: LiveEventOrigin, observedAt: string): LiveEvent {
    const participant = this.participantRef(transition.participantId);
    const snapshot = this.participants.get(transition.participantId);
    const base = {
      conversationId: this.conversationId,
      queueIds: [...this.queueIds],
      observedAt,
      origin,
    };
    const key = `${transition.participantId}:${transition.kind}:${transition.to ?? ''}`;
    const occurrence = (this.transitionCounts.get(key) ?? 0) + 1;
    this.transitionCounts.set(key, occurrence);
    const idPrefix = `${this.conversationId}:participant:${transition.participantId}`;
    switch (transition.kind) {
      case 'joined':
        return { ...base, id: `${idPrefix}:joined`, type: 'participant.joined', occurredAt: transition.at, participant: { ...participant, state: transition.to ?? 'none' } };
      case 'held':
      case 'unheld':
        return {
          ...base,
          id: `${idPrefix}:${transition.kind}#${occurrence}`,
          type: transition.kind === 'held' ? 'participant.held' : 'participant.resumed',
          occurredAt: transition.at,
          participant,
        };
      case 'wrapup':
        return {
          ...base,
          id: `${idPrefix}:wrapup:${transition.wrapupCode}`,
          type: 'participant.wrapup',
          occurredAt: transition.at,
          participant,
          wrapupCode: transition.wrapupCode ?? '',
          ...(typeof snapshot?.wrapup?.name === 'string' ? { wrapupName: snapshot.wrapup.name } : {}),
        };
      case 'state': {
        const violation = violations.find((v) => v.participantId === transition.participantId && v.code === 'illegal-transition');
        return {
          ...base,
          id: `${idPrefix}:state:${transition.to}#${occurrence}`,
          type: 'participant.state.changed',
          occurredAt: stateTime(transition, snapshot) ?? transition.at,
          participant,
          from: transition.from ?? 'none',
          to: transition.to ?? 'none',
          ...(violation ? { violation: { code: violation.code, message: violation.message } } : {}),
        };
      }
    }
  }
}

/** The participant's own timestamp for the state it reached, when Genesys gives one. */
function stateTime(transition: ParticipantTransition, participant: Pick<SnapshotParticipant, 'connectedTime' | 'endTime'> | undefined): string | undefined {
  const candidate = transition.to === 'connected' ? participant?.connectedTime : ENDED.has(transition.to ?? '') ? participant?.endTime : undefined;
  if (candidate === undefined) return undefined;
  const ms = Date.parse(candidate);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** Every participant had left before `instant` (epoch ms). */
function endedBefore(snapshot: ConversationSnapshot, instant: number): boolean {
  if (snapshot.participants.length === 0) return false;
  return snapshot.participants.every((p) => {
    const end = p.endTime === undefined ? Number.NaN : Date.parse(p.endTime);
    return ENDED.has(p.state ?? '') && Number.isFinite(end) && end < instant;
  });
}

/** Purposes that send outbound messages (the organisation's side). */
export function isOrgPurpose(purpose: string | undefined): boolean {
  return purpose !== 'customer' && purpose !== 'external';
}

function dropUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as Array<keyof T>) if (value[key] === undefined) delete value[key];
  return value;
}
