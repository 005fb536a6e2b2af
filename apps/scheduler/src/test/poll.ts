/**
 * Polls `read` every `everyMs` until `done` holds and returns that value; fails after `ms`
 * with what was awaited and the last value read. For specs that watch real processes (a
 * database row, a child's output), where no fake clock can stand in.
 */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms: number, what: string, everyMs = 50): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms (last value ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
