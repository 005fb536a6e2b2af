import { isoUtc, type Instant } from '../instant';

/** Participant states of the Platform API (MessageMediaParticipant.state, genesys-api.md §3). */
export const PARTICIPANT_STATES = [
  'alerting',
  'dialing',
  'contacting',
  'offering',
  'connected',
  'disconnected',
  'terminated',
  'converting',
  'uploading',
  'transmitting',
  'parked',
  'none',
] as const;

export type ParticipantStateName = (typeof PARTICIPANT_STATES)[number];

/**
 * Where each state may go next. Genesys publishes no state machine (§5: "any state machine
 * is the client's own"); this one encodes what a media participant can physically do:
 * ringing/dialing states lead to connected or an end, connected can be parked or end, and
 * the end states never lead back. A state not listed for `from` is an illegal transition.
 */
export const LEGAL_TRANSITIONS: Readonly<Record<ParticipantStateName, readonly ParticipantStateName[]>> = {
  none: ['alerting', 'dialing', 'contacting', 'offering', 'connected', 'disconnected', 'terminated', 'converting', 'uploading', 'transmitting', 'parked'],
  dialing: ['contacting', 'alerting', 'offering', 'connected', 'disconnected', 'terminated'],
  contacting: ['alerting', 'offering', 'connected', 'disconnected', 'terminated'],
  offering: ['alerting', 'connected', 'disconnected', 'terminated'],
  alerting: ['offering', 'connected', 'converting', 'disconnected', 'terminated'],
  connected: ['parked', 'converting', 'uploading', 'transmitting', 'disconnected', 'terminated'],
  parked: ['connected', 'disconnected', 'terminated'],
  converting: ['connected', 'disconnected', 'terminated'],
  uploading: ['transmitting', 'connected', 'disconnected', 'terminated'],
  transmitting: ['connected', 'disconnected', 'terminated'],
  disconnected: ['terminated'],
  terminated: [],
};

/** States in which a participant is still part of the conversation, so hold makes sense. */
const HOLDABLE: ReadonlySet<string> = new Set(['connected', 'parked']);
const ENDED: ReadonlySet<string> = new Set(['disconnected', 'terminated']);

/**
 * One participant of a conversation snapshot, shaped like the notifications `eventBody`
 * (`participants[].{id, state, initialState, held, wrapupRequired, purpose, wrapup, …}`)
 * and like MessageMediaParticipant, so REST reads and the live stream feed the same machine.
 */
export interface ParticipantSnapshot {
  id: string;
  state?: string;
  initialState?: string;
  held?: boolean;
  wrapupRequired?: boolean;
  wrapup?: { code?: string; name?: string; [field: string]: unknown } | null;
  purpose?: string;
  name?: string;
  [field: string]: unknown;
}

export interface ConversationSnapshot {
  id?: string;
  participants?: ParticipantSnapshot[];
  [field: string]: unknown;
}

export type TransitionKind = 'joined' | 'state' | 'held' | 'unheld' | 'wrapup';

export interface ParticipantTransition {
  participantId: string;
  kind: TransitionKind;
  /** ISO 8601 UTC. */
  at: string;
  from?: string;
  to?: string;
  /** The wrap-up code, for `wrapup`. */
  wrapupCode?: string;
}

export type ViolationCode =
  /** `from → to` is not in LEGAL_TRANSITIONS (e.g. disconnected → connected). */
  | 'illegal-transition'
  /** A state the API does not define. */
  | 'unknown-state'
  /** held = true while not connected or parked. */
  | 'hold-while-not-connected'
  /** A wrap-up code arrived while the participant was still in the conversation. */
  | 'wrapup-before-disconnect';

export interface TransitionViolation {
  participantId: string;
  code: ViolationCode;
  at: string;
  from?: string;
  to?: string;
  message: string;
}

/** Where a participant stands after the snapshots applied so far. */
export interface ParticipantStatus {
  participantId: string;
  purpose?: string;
  state: string;
  initialState?: string;
  held: boolean;
  wrapupRequired: boolean;
  wrapupCode?: string;
  /** Disconnected, wrap-up required and none given yet. */
  awaitingWrapup: boolean;
}

export interface ApplyResult {
  transitions: ParticipantTransition[];
  violations: TransitionViolation[];
}

export interface ParticipantStateMachineOptions {
  /** Time stamped on snapshots applied without an explicit instant. */
  now?: () => number;
  /**
   * Keep every transition and violation for `history()` / `violations()`. Default true. A
   * machine that follows a live conversation for hours turns it off: `apply` still returns
   * what each snapshot changed, and memory stays one status per participant.
   */
  keepLog?: boolean;
}

export function isParticipantState(value: string): value is ParticipantStateName {
  return (PARTICIPANT_STATES as readonly string[]).includes(value);
}

export function isLegalTransition(from: string, to: string): boolean {
  if (from === to) return true;
  return isParticipantState(from) && isParticipantState(to) && LEGAL_TRANSITIONS[from].includes(to);
}

/**
 * Follows each participant of a conversation through successive snapshots (REST reads now,
 * the notifications stream later). Whatever a snapshot says is taken as the new state —
 * Genesys is the authority — and a move the rules forbid is *reported* as a violation, never
 * thrown: a live stream must survive a surprising event.
 */
export class ParticipantStateMachine {
  private readonly statuses = new Map<string, ParticipantStatus>();
  private readonly transitionLog: ParticipantTransition[] = [];
  private readonly violationLog: TransitionViolation[] = [];
  private readonly now: () => number;
  private readonly keepLog: boolean;

  constructor(options: ParticipantStateMachineOptions = {}) {
    this.now = options.now ?? Date.now;
    this.keepLog = options.keepLog ?? true;
  }

  /** Applies one snapshot; `at` defaults to the clock. Participants absent from it are left as they were. */
  apply(snapshot: ConversationSnapshot, at?: Instant): ApplyResult {
    const when = isoUtc(at) ?? new Date(this.now()).toISOString();
    const result: ApplyResult = { transitions: [], violations: [] };
    for (const participant of snapshot.participants ?? []) {
      if (participant?.id) this.applyParticipant(participant, when, result);
    }
    if (this.keepLog) {
      this.transitionLog.push(...result.transitions);
      this.violationLog.push(...result.violations);
    }
    return result;
  }

  status(participantId: string): ParticipantStatus | undefined {
    const status = this.statuses.get(participantId);
    return status && { ...status };
  }

  statusesList(): ParticipantStatus[] {
    return [...this.statuses.values()].map((status) => ({ ...status }));
  }

  /** Every transition so far, optionally of one participant, in the order applied (empty with `keepLog: false`). */
  history(participantId?: string): ParticipantTransition[] {
    return this.transitionLog.filter((t) => participantId === undefined || t.participantId === participantId);
  }

  violations(participantId?: string): TransitionViolation[] {
    return this.violationLog.filter((v) => participantId === undefined || v.participantId === participantId);
  }

  private applyParticipant(snapshot: ParticipantSnapshot, at: string, result: ApplyResult): void {
    const id = snapshot.id;
    const previous = this.statuses.get(id);
    const violate = (code: ViolationCode, message: string, from?: string, to?: string) =>
      result.violations.push({ participantId: id, code, at, from, to, message });

    const state = snapshot.state ?? previous?.state ?? snapshot.initialState ?? 'none';
    if (snapshot.state !== undefined && !isParticipantState(snapshot.state)) {
      violate('unknown-state', `Participant ${id} reported state "${snapshot.state}", which the Platform API does not define.`, previous?.state, snapshot.state);
    }

    if (!previous) {
      result.transitions.push({ participantId: id, kind: 'joined', at, to: state });
    } else if (previous.state !== state) {
      if (isParticipantState(previous.state) && isParticipantState(state) && !isLegalTransition(previous.state, state)) {
        violate('illegal-transition', `Participant ${id} moved from ${previous.state} to ${state}, which a participant cannot do; kept the reported state.`, previous.state, state);
      }
      result.transitions.push({ participantId: id, kind: 'state', at, from: previous.state, to: state });
    }

    const held = snapshot.held ?? previous?.held ?? false;
    if (held !== (previous?.held ?? false)) {
      result.transitions.push({ participantId: id, kind: held ? 'held' : 'unheld', at, from: state, to: state });
    }
    if (held && !HOLDABLE.has(state) && (held !== (previous?.held ?? false) || previous?.state !== state)) {
      violate('hold-while-not-connected', `Participant ${id} is on hold while ${state}; only a connected or parked participant can be held.`, previous?.state, state);
    }

    const wrapupCode = snapshot.wrapup === null ? undefined : (snapshot.wrapup?.code ?? previous?.wrapupCode);
    if (wrapupCode !== undefined && wrapupCode !== previous?.wrapupCode) {
      if (!ENDED.has(state)) {
        violate('wrapup-before-disconnect', `Participant ${id} received wrap-up ${wrapupCode} while ${state}; wrap-up follows the disconnect.`, previous?.state, state);
      }
      result.transitions.push({ participantId: id, kind: 'wrapup', at, from: state, to: state, wrapupCode });
    }

    const wrapupRequired = snapshot.wrapupRequired ?? previous?.wrapupRequired ?? false;
    this.statuses.set(id, {
      participantId: id,
      purpose: snapshot.purpose ?? previous?.purpose,
      state,
      initialState: previous?.initialState ?? snapshot.initialState ?? state,
      held,
      wrapupRequired,
      wrapupCode,
      awaitingWrapup: ENDED.has(state) && wrapupRequired && wrapupCode === undefined,
    });
  }
}
