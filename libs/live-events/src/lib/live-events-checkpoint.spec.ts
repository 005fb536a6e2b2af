import { createGenesysConnection } from '@gcm/genesys-auth';
import { ManualClock, startSandbox, type RunningSandbox } from '@gcm/genesys-sandbox';
import { openDatabase, type StoreDatabase } from '@gcm/store';
import { manualClockTime } from '../testing';
import { LiveEventsCheckpoint } from './live-events-checkpoint';
import { LiveEvents } from './live-events.service';

const NOW = '2026-03-01T09:00:00.000Z';

/** Where a restarted process resumes: the watermark LiveEvents saves in its checkpoint. */
describe('LiveEvents checkpoint', () => {
  let clock: ManualClock;
  let sandbox: RunningSandbox;
  let store: StoreDatabase;

  beforeAll(async () => {
    clock = new ManualClock(NOW);
    sandbox = await startSandbox({ seed: 4, conversations: 10, now: NOW, clock });
    store = await openDatabase('sqlite::memory:', { clock });
  });

  afterAll(async () => {
    await store?.close();
    await sandbox?.close();
  });

  function live(checkpoint: LiveEventsCheckpoint, resumeFrom?: number): LiveEvents {
    const time = manualClockTime(clock);
    const { transport } = createGenesysConnection({
      apiBaseUrl: sandbox.apiBaseUrl,
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      transport: { clock: time.clock, sleep: time.sleep },
    });
    // the interval is longer than the test: what is saved is what start, catchUp and close save
    return LiveEvents.create({ transport, checkpoint, checkpointIntervalMs: 3_600_000, resumeFrom, clock: time.clock, sleep: time.sleep });
  }

  it('is saved at start, so a process killed before its first interval resumes from there; a restart keeps it until catchUp', async () => {
    const checkpoint = new LiveEventsCheckpoint(store, 'start');
    const first = live(checkpoint);
    await first.start();
    // a fresh start: history is not announced, so everything up to now counts as processed
    const startedAt = clock.now();
    expect(await checkpoint.load()).toBe(startedAt);
    // (as if killed here, before its first interval) — the next process starts later
    clock.advance(10 * 60_000);
    const resumeFrom = await checkpoint.load();
    const second = live(checkpoint, resumeFrom);
    await second.start();
    // until catchUp has re-read what changed since, the resume point holds
    expect(await checkpoint.load()).toBe(startedAt);
    await second.catchUp();
    await second.close();
    expect(await checkpoint.load()).toBe(clock.now());
    await first.close();
    expect(await checkpoint.load()).toBe(clock.now());
  });
});
