import type { StoreRepositories } from '@gcm/store';

/**
 * Where LiveEvents got to, kept in the store's checkpoints (`live-events:<name>`): the
 * watermark up to which every snapshot was processed and written to the sinks. A restarted
 * process reads it and catches up from there (`LiveEvents` option `resumeFrom`).
 */
export class LiveEventsCheckpoint {
  readonly jobName: string;

  constructor(
    private readonly store: StoreRepositories,
    name = 'default',
  ) {
    this.jobName = `live-events:${name}`;
  }

  async load(): Promise<number | undefined> {
    return (await this.store.checkpoints.get(this.jobName))?.watermark ?? undefined;
  }

  /** Moves the watermark forward (never back); true when it was written. */
  async save(watermark: number): Promise<boolean> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.store.checkpoints.get(this.jobName);
      if (current?.watermark !== undefined && current.watermark !== null && current.watermark >= watermark) return false;
      const written = await this.store.checkpoints.compareAndSet(this.jobName, current?.revision ?? null, { watermark });
      if (written) return true;
    }
    return false;
  }
}
