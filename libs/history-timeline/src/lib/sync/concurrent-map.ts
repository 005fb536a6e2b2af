import { setMaxListeners } from 'node:events';

/**
 * Maps a stream through an async task with at most `window` items held at once — running
 * or finished but not yet taken by the consumer — and yields results as they finish (not in
 * input order). The source is read only while the window has room, so memory stays flat
 * whatever the stream's length, and a slow consumer holds the source back.
 *
 * A task that rejects ends the stream with its error: wrap per-item failures into results
 * when the rest must carry on. When the consumer stops early, the signal handed to the
 * running tasks is aborted and the source is closed.
 */
export async function* mapConcurrent<T, R>(
  source: AsyncIterable<T> | Iterable<T>,
  window: number,
  task: (item: T, signal: AbortSignal) => Promise<R>,
  signal?: AbortSignal,
): AsyncGenerator<R, void, undefined> {
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`concurrency must be an integer ≥ 1, got ${window}`);
  const iterator: AsyncIterator<T> | Iterator<T> =
    Symbol.asyncIterator in source ? (source as AsyncIterable<T>)[Symbol.asyncIterator]() : (source as Iterable<T>)[Symbol.iterator]();
  const controller = new AbortController();
  // every request of every running task listens on this one signal
  setMaxListeners(0, controller.signal);
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });

  const finished: R[] = [];
  let running = 0;
  let pulling = false;
  let exhausted = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };

  const start = (item: T) => {
    running++;
    task(item, controller.signal).then(
      (result) => {
        running--;
        finished.push(result);
        notify();
      },
      (error: unknown) => {
        running--;
        failure ??= { error };
        notify();
      },
    );
  };

  const pull = () => {
    pulling = true;
    Promise.resolve(iterator.next()).then(
      (step) => {
        pulling = false;
        if (step.done) exhausted = true;
        else start(step.value);
        notify();
      },
      (error: unknown) => {
        pulling = false;
        exhausted = true;
        failure ??= { error };
        notify();
      },
    );
  };

  try {
    for (;;) {
      if (failure) throw failure.error;
      if (signal?.aborted) throw signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
      if (finished.length > 0) {
        const result = finished.shift() as R;
        // the result now belongs to the consumer: refill the window before handing it over
        if (!exhausted && !pulling && running + finished.length < window) pull();
        yield result;
        continue;
      }
      if (!exhausted && !pulling && running < window) pull();
      if (exhausted && !pulling && running === 0) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
        signal?.addEventListener('abort', notify, { once: true });
      });
      signal?.removeEventListener('abort', notify);
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (running > 0) controller.abort(new DOMException('The consumer stopped reading', 'AbortError'));
    if (!exhausted) {
      // closing a source that is mid-`next()` waits for that call; nobody needs to wait for it
      Promise.resolve(iterator.return?.()).catch(() => undefined);
    }
  }
}
