import {
  LEGAL_TRANSITIONS,
  PARTICIPANT_STATES,
  ParticipantStateMachine,
  isLegalTransition,
  type ParticipantSnapshot,
} from './participant-state-machine';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (seconds: number) => T0 + seconds * 1000;

/** Applies the snapshots of one participant, one second apart. */
function run(...snapshots: Array<Omit<ParticipantSnapshot, 'id'>>): ParticipantStateMachine {
  const machine = new ParticipantStateMachine();
  snapshots.forEach((snapshot, i) => machine.apply({ participants: [{ id: 'p1', ...snapshot }] }, at(i)));
  return machine;
}

describe('ParticipantStateMachine', () => {
  describe('state transitions', () => {
    it.each([
      ['alerting', 'connected'],
      ['alerting', 'disconnected'],
      ['dialing', 'contacting'],
      ['contacting', 'connected'],
      ['offering', 'connected'],
      ['connected', 'parked'],
      ['parked', 'connected'],
      ['connected', 'disconnected'],
      ['connected', 'converting'],
      ['converting', 'connected'],
      ['uploading', 'transmitting'],
      ['disconnected', 'terminated'],
      ['none', 'alerting'],
    ])('%s → %s is legal', (from, to) => {
      const machine = run({ state: from }, { state: to });
      expect(machine.violations()).toEqual([]);
      expect(machine.history('p1').map((t) => [t.kind, t.from, t.to])).toEqual([
        ['joined', undefined, from],
        ['state', from, to],
      ]);
      expect(machine.status('p1')?.state).toBe(to);
    });

    it.each([
      ['disconnected', 'connected'],
      ['disconnected', 'alerting'],
      ['terminated', 'connected'],
      ['terminated', 'disconnected'],
      ['connected', 'alerting'],
      ['connected', 'dialing'],
      ['parked', 'alerting'],
    ])('%s → %s is illegal: reported, not thrown, and the reported state is adopted', (from, to) => {
      const machine = run({ state: from }, { state: to });
      expect(machine.violations()).toEqual([
        {
          participantId: 'p1',
          code: 'illegal-transition',
          at: new Date(at(1)).toISOString(),
          from,
          to,
          message: `Participant p1 moved from ${from} to ${to}, which a participant cannot do; kept the reported state.`,
        },
      ]);
      expect(machine.status('p1')?.state).toBe(to);
    });

    it('the transition table covers every API state and never leaves the end states except disconnected → terminated', () => {
      expect(Object.keys(LEGAL_TRANSITIONS).sort()).toEqual([...PARTICIPANT_STATES].sort());
      for (const state of PARTICIPANT_STATES) {
        expect(isLegalTransition(state, state)).toBe(true);
        expect(isLegalTransition('terminated', state)).toBe(state === 'terminated');
        expect(isLegalTransition('disconnected', state)).toBe(state === 'disconnected' || state === 'terminated');
      }
    });

    it('a participant first seen in any state joins without a violation (the stream may start mid-conversation)', () => {
      for (const state of PARTICIPANT_STATES) {
        expect(run({ state }).violations()).toEqual([]);
      }
    });

    it('repeating a snapshot records nothing new', () => {
      const machine = run({ state: 'connected' }, { state: 'connected' }, { state: 'connected' });
      expect(machine.history()).toHaveLength(1);
    });

    it('reports a state the API does not define, and carries on', () => {
      const machine = run({ state: 'connected' }, { state: 'exploded' }, { state: 'disconnected' });
      expect(machine.violations().map((v) => v.code)).toEqual(['unknown-state']);
      expect(machine.status('p1')?.state).toBe('disconnected');
    });
  });

  describe('hold', () => {
    it('toggles while connected: held, unheld, held', () => {
      const machine = run({ state: 'connected', held: false }, { state: 'connected', held: true }, { state: 'connected', held: false }, { state: 'connected', held: true });
      expect(machine.history('p1').map((t) => t.kind)).toEqual(['joined', 'held', 'unheld', 'held']);
      expect(machine.violations()).toEqual([]);
      expect(machine.status('p1')?.held).toBe(true);
    });

    it('a snapshot without `held` keeps the previous value', () => {
      const machine = run({ state: 'connected', held: true }, { state: 'connected' });
      expect(machine.status('p1')?.held).toBe(true);
      expect(machine.history('p1').map((t) => t.kind)).toEqual(['joined', 'held']);
    });

    it('held while disconnected or alerting is reported', () => {
      expect(run({ state: 'disconnected', held: true }).violations().map((v) => v.code)).toEqual(['hold-while-not-connected']);
      expect(run({ state: 'alerting' }, { state: 'alerting', held: true }).violations().map((v) => v.code)).toEqual(['hold-while-not-connected']);
    });
  });

  describe('wrap-up', () => {
    it('after the disconnect is legal; until then the participant awaits wrap-up', () => {
      const machine = run(
        { state: 'alerting', wrapupRequired: true },
        { state: 'connected' },
        { state: 'disconnected' },
        { state: 'disconnected', wrapup: { code: 'resolved' } },
      );
      expect(machine.violations()).toEqual([]);
      expect(machine.history('p1').map((t) => (t.kind === 'wrapup' ? `wrapup:${t.wrapupCode}` : t.to))).toEqual([
        'alerting',
        'connected',
        'disconnected',
        'wrapup:resolved',
      ]);
      expect(machine.status('p1')).toMatchObject({ awaitingWrapup: false, wrapupCode: 'resolved' });
    });

    it('a disconnected participant that requires wrap-up and has none awaits it', () => {
      const machine = run({ state: 'connected', wrapupRequired: true }, { state: 'disconnected' });
      expect(machine.status('p1')?.awaitingWrapup).toBe(true);
      expect(run({ state: 'connected', wrapupRequired: false }, { state: 'disconnected' }).status('p1')?.awaitingWrapup).toBe(false);
    });

    it('a wrap-up code while still connected is reported', () => {
      const machine = run({ state: 'connected' }, { state: 'connected', wrapup: { code: 'sale' } });
      expect(machine.violations().map((v) => v.code)).toEqual(['wrapup-before-disconnect']);
    });
  });

  it('follows several participants of one snapshot independently and ignores those a snapshot omits', () => {
    const machine = new ParticipantStateMachine({ now: () => at(0) });
    machine.apply({ participants: [{ id: 'customer', state: 'connected' }, { id: 'agent', state: 'alerting' }] });
    machine.apply({ participants: [{ id: 'agent', state: 'connected' }] }, at(5));
    machine.apply({ participants: [{ id: 'customer', state: 'disconnected' }, { id: 'agent', state: 'disconnected' }] }, at(60));
    expect(machine.statusesList().map((s) => [s.participantId, s.state, s.initialState])).toEqual([
      ['customer', 'disconnected', 'connected'],
      ['agent', 'disconnected', 'alerting'],
    ]);
    expect(machine.history('agent').map((t) => t.at)).toEqual([at(0), at(5), at(60)].map((ms) => new Date(ms).toISOString()));
    expect(machine.violations()).toEqual([]);
  });

  it('survives snapshots with no participants or participants without ids', () => {
    const machine = new ParticipantStateMachine({ now: () => T0 });
    expect(() => machine.apply({})).not.toThrow();
    expect(() => machine.apply({ participants: [{} as ParticipantSnapshot, { id: 'x', state: 'connected' }] })).not.toThrow();
    expect(machine.history().map((t) => t.participantId)).toEqual(['x']);
  });

  it('apply returns what that snapshot changed', () => {
    const machine = new ParticipantStateMachine({ now: () => T0 });
    machine.apply({ participants: [{ id: 'a', state: 'connected' }] });
    const result = machine.apply({ participants: [{ id: 'a', state: 'alerting' }] });
    expect(result.transitions.map((t) => [t.from, t.to])).toEqual([['connected', 'alerting']]);
    expect(result.violations.map((v) => v.code)).toEqual(['illegal-transition']);
  });
});

describe('ParticipantStateMachine without a log', () => {
  it('still reports each change but keeps no history (memory: one status per participant)', () => {
    const machine = new ParticipantStateMachine({ keepLog: false });
    for (let i = 0; i < 1_000; i++) {
      const { transitions } = machine.apply({ participants: [{ id: 'a', state: 'connected', held: i % 2 === 1 }] }, i);
      expect(transitions).toHaveLength(1);
    }
    expect(machine.history()).toEqual([]);
    expect(machine.violations()).toEqual([]);
    expect(machine.status('a')).toMatchObject({ state: 'connected', held: true });
  });
});
