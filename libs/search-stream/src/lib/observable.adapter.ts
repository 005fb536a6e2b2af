import type { Observable } from 'rxjs';

/**
 * rxjs is loaded when the first Observable is asked for, not with the library: it costs
 * some 11 MB of RSS that a consumer iterating with `for await` never needs.
 */
const rxjs = (): typeof import('rxjs') => require('rxjs');

/**
 * An rxjs view of an async iterable. Each value is pulled only after the previous
 * `next` handler returned, so the source is never read faster than the subscriber
 * takes values synchronously; unsubscribing closes the iterator (its `finally` runs).
 */
export function toObservable<T>(source: AsyncIterable<T>): Observable<T> {
  const { Observable: RxObservable } = rxjs();
  return new RxObservable<T>((subscriber) => {
    const iterator = source[Symbol.asyncIterator]();
    let stopped = false;
    void (async () => {
      try {
        for (;;) {
          const result = await iterator.next();
          if (stopped) return;
          if (result.done) break;
          subscriber.next(result.value);
          if (subscriber.closed) return;
        }
        subscriber.complete();
      } catch (error) {
        if (!stopped) subscriber.error(error);
      }
    })();
    return () => {
      stopped = true;
      void Promise.resolve(iterator.return?.()).catch(() => undefined);
    };
  });
}
