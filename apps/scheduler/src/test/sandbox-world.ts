import { expectedRecordHashes, inspectArchive, type ArchiveInspection } from '@gcm/archive/testing';
import { createGenesysConnection } from '@gcm/genesys-auth';
import { FakeClock } from '@gcm/genesys-auth/testing';
import { startSandbox, type RunningSandbox } from '@gcm/genesys-sandbox';
import { HistorySync } from '@gcm/history-timeline';
import { MessagingClient } from '@gcm/messaging-client';
import { FileSystemArchiveSink } from '@gcm/store';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface World {
  readonly seed: number;
  readonly conversations: number;
  readonly days: number;
  readonly faults?: string;
  /** OAuth clients of the sandbox, all handed to the scheduler as a client pool (default 1). */
  readonly clients?: number;
  /** The sandbox's requests per minute per client. */
  readonly rateLimitPerMinute?: number;
}

/**
 * A sandbox on the real clock for scheduler processes to archive, anchored at the
 * current hour, and the environment that points a scheduler at it: one window covering
 * all of its conversations, no rate limit worth mentioning, debug logs.
 */
export async function startWorld(world: World): Promise<{ sandbox: RunningSandbox; now: string; env: Record<string, string> }> {
  const now = new Date(Math.floor(Date.now() / HOUR) * HOUR).toISOString();
  // analytics jobs are done as soon as they are asked for: the search still polls each
  // daily job once, a second after submitting it
  const sandbox = await startSandbox({
    seed: world.seed,
    conversations: world.conversations,
    days: world.days,
    now,
    faults: world.faults,
    jobDelayMs: 0,
    clients: world.clients,
    rateLimitPerMinute: world.rateLimitPerMinute,
  });
  const pool = Object.fromEntries(
    sandbox.clients.slice(1).flatMap((client, n) => [
      [`GENESYSCLOUD_OAUTHCLIENT_ID_${n + 2}`, client.clientId],
      [`GENESYSCLOUD_OAUTHCLIENT_SECRET_${n + 2}`, client.clientSecret],
    ]),
  );
  return {
    sandbox,
    now,
    env: {
      GENESYSCLOUD_API_BASE_URL: sandbox.apiBaseUrl,
      GENESYSCLOUD_OAUTHCLIENT_ID: sandbox.clientId,
      GENESYSCLOUD_OAUTHCLIENT_SECRET: sandbox.clientSecret,
      ...pool,
      GCM_SCHEDULER_START_AT: new Date(Date.parse(now) - world.days * DAY - HOUR).toISOString(),
      GCM_SCHEDULER_MAX_WINDOW: '30d',
      GCM_SCHEDULER_SETTLE_DELAY: '0s',
      GCM_SCHEDULER_RATE_LIMIT: '100000',
      GCM_SCHEDULER_CRON: 'off',
      GCM_SCHEDULER_LOG_LEVEL: 'debug',
    },
  };
}

/**
 * Compares an archive directory with the truth: the records a fault-free sandbox with the
 * same seed and anchor gives for every conversation that started before the window end.
 */
export async function inspectAgainstTruth(world: World, now: string, archiveDir: string, windowEndMs: number): Promise<ArchiveInspection & { expected: number }> {
  const clock = new FakeClock(now);
  const clean = await startSandbox({ seed: world.seed, conversations: world.conversations, days: world.days, now, clock });
  try {
    const { transport } = createGenesysConnection({
      apiBaseUrl: clean.apiBaseUrl,
      clientId: clean.clientId,
      clientSecret: clean.clientSecret,
      transport: { clock, sleep: clock.sleep },
    });
    const ids = clean.truth.conversationIds({ to: windowEndMs });
    const expected = await expectedRecordHashes(new HistorySync({ source: new MessagingClient({ transport, clock }), clock }), ids, windowEndMs);
    return { ...(await inspectArchive(new FileSystemArchiveSink({ root: archiveDir }), expected)), expected: expected.size };
  } finally {
    await clean.close();
  }
}
