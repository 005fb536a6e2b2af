import type { MessageMediaParticipant } from '@gcm/messaging-client';
import { epochMs, isoUtc } from '../instant';
import { ParticipantStateMachine, type ParticipantTransition, type TransitionViolation } from './participant-state-machine';

interface Step {
  at: number;
  order: number;
  snapshot: { id: string; state?: string; wrapupRequired?: boolean; wrapup?: { code?: string } };
}

/**
 * A participant's state history rebuilt from the timings a REST read carries
 * (startAlertingTime, connectedTime, endTime, wrapup.endTime), replayed through the state
 * machine so the same rules judge history and the live stream. Hold periods leave no
 * timestamps in a REST read, so they are not part of it.
 */
export function participantStateHistory(participant: MessageMediaParticipant): {
  history: ParticipantTransition[];
  violations: TransitionViolation[];
} {
  const id = participant.id;
  const steps: Step[] = [];
  const add = (time: string | undefined, snapshot: Step['snapshot']) => {
    const at = epochMs(time);
    if (Number.isFinite(at)) steps.push({ at, order: steps.length, snapshot });
  };
  const state = participant.state;
  const ended = state === 'disconnected' || state === 'terminated';

  add(participant.startAlertingTime, { id, state: 'alerting' });
  add(participant.connectedTime, { id, state: 'connected' });
  add(participant.endTime, { id, state: ended ? state : 'disconnected', wrapupRequired: participant.wrapupRequired });
  if (participant.wrapup?.code) {
    add(participant.wrapup.endTime ?? participant.endTime, { id, state: ended ? state : 'disconnected', wrapup: { code: participant.wrapup.code } });
  }
  if (steps.length === 0) add(participant.startTime, { id, state: state ?? 'none' });
  steps.sort((a, b) => a.at - b.at || a.order - b.order);
  // a participant still in the conversation whose current state its timings do not show (e.g. parked now)
  const last = steps[steps.length - 1];
  if (!ended && state && last && last.snapshot.state !== state) {
    steps.push({ at: last.at, order: steps.length, snapshot: { id, state } });
  }

  const machine = new ParticipantStateMachine();
  for (const step of steps) machine.apply({ participants: [step.snapshot] }, isoUtc(step.at));
  return { history: machine.history(id), violations: machine.violations(id) };
}
