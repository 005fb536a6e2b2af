import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { createGenesysConnection } from '@gcm/genesys-auth';
import { ManualClock, startSandbox, type RunningSandbox } from '@gcm/genesys-sandbox';
import { openDatabase, type StoreDatabase } from '@gcm/store';
import { manualClockTime } from '../testing';
import { CrmOutboxSink } from './crm/crm-outbox.sink';
import type { CrmRecord } from './crm/crm-record';
import { CrmSyncJob } from './crm/crm-sync.job';
import type { LiveEvent } from './events/live-event.model';
import { CrmSyncModule, LiveEventsModule, QaSnapshotModule } from './live-events.module';
import { LiveEvents } from './live-events.service';
import { QaSnapshotJob } from './qa/qa-snapshot.job';
import { until } from './test/event-loop';

describe('live-events Nest modules', () => {
  let sandbox: RunningSandbox;
  let store: StoreDatabase;

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 3, conversations: 20, now: '2026-03-01T09:00:00.000Z', clock: new ManualClock('2026-03-01T09:00:00.000Z') });
    store = await openDatabase('sqlite::memory:');
  });

  afterAll(async () => {
    await store?.close();
    await sandbox?.close();
  });

  it('wires a started LiveEvents following its queues, the CRM job and the QA job; shutdown closes the channels', async () => {
    const time = manualClockTime(sandbox.clock as ManualClock);
    const { transport } = createGenesysConnection({
      apiBaseUrl: sandbox.apiBaseUrl,
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      transport: { clock: time.clock, sleep: time.sleep },
    });
    const queueIds = sandbox.truth.catalog.queues.map((q) => q.id);
    const moduleRef = await Test.createTestingModule({
      imports: [
        LiveEventsModule.forRootAsync({
          useFactory: () => ({ transport, clock: time.clock, sleep: time.sleep, sinks: [new CrmOutboxSink({ store, destination: 'crm' })], follow: { queueIds } }),
        }),
        CrmSyncModule.forRoot({ store, endpoints: [{ id: 'crm', url: 'http://127.0.0.1:9/unused' }] }),
        QaSnapshotModule.forRoot({ transport, store, clock: time.clock, sleep: time.sleep }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication();
    await app.init();

    const live = app.get(LiveEvents);
    expect(app.get(CrmSyncJob)).toBeInstanceOf(CrmSyncJob);
    expect(app.get(QaSnapshotJob)).toBeInstanceOf(QaSnapshotJob);
    expect(live.manager.subscribedTopics()).toHaveLength(queueIds.length);
    expect(sandbox.notifications.channels().filter((c) => c.connected)).toHaveLength(1);

    const seen: LiveEvent[] = [];
    const subscription = live.events$({ queueIds: [queueIds[0]] }).subscribe((e) => seen.push(e));
    sandbox.world.receiveInbound({
      kind: 'open',
      channelId: sandbox.truth.catalog.openIntegrations[0].id,
      from: { id: 'nest-customer', idType: 'Opaque', firstName: 'N', lastName: 'E', nickname: 'nest' },
      time: sandbox.clock.now(),
      text: 'through the module',
      attachments: [],
    });
    await until(() => seen.some((e) => e.type === 'message.received'), 'the message event');
    await live.idle();
    expect((await store.outbox.countByStatus('crm')).pending).toBeGreaterThan(0);
    // the CRM record of the live message names its queue, read from the .messages snapshot's nested queue:{id}
    const records = (await store.outbox.list('crm', 'pending', 1_000)).map((m) => JSON.parse(m.payload) as CrmRecord);
    const received = records.find((r) => r.type === 'message.received' && (r.data as LiveEvent).origin === 'live');
    expect(received).toBeDefined();
    expect((received!.data as LiveEvent).queueIds).toEqual([sandbox.truth.summary(received!.conversationId!)!.queueId]);
    subscription.unsubscribe();

    await app.close();
    await until(() => sandbox.notifications.channels().every((c) => !c.connected), 'the channel socket to close');
  });
});
