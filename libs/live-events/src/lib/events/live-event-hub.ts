import type { Observable } from 'rxjs';
import { LiveEventsError, LiveEventsErrorCode } from '../live-events.error';
import { matchesFilter, type LiveEvent, type LiveEventFilter } from './live-event.model';

/**
 * rxjs is loaded when the first Observable is asked for, not with the library: it costs
 * some 11 MB of RSS that an AsyncIterable consumer never needs.
 */
const rxjs = (): typeof import('rxjs') => require('rxjs');

export interface SubscribeOptions {
  signal?: AbortSignal;
  /**
   * Events kept for a consumer that has not taken them yet. Past this the iteration ends
   * with SUBSCRIBER_OVERFLOW instead of growing without bound (a stalled SSE client). Default 10,000.
   */
  maxBuffered?: number;
}

interface Subscriber {
  filter: LiveEventFilter;
  push(event: LiveEvent): void;
  end(error?: unknown): void;
}

/**
 * Fans published events out to any number of subscribers, each with its own filter and
 * buffer. Hot: a subscriber sees what is published after it subscribed.
 */
export class LiveEventHub {
  private readonly subscribers = new Set<Subscriber>();
  private closed = false;

  publish(events: readonly LiveEvent[]): void {
    for (const subscriber of [...this.subscribers]) {
      for (const event of events) if (matchesFilter(event, subscriber.filter)) subscriber.push(event);
    }
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** The events matching `filter`, as an AsyncIterable; break out of the loop (or abort) to unsubscribe. */
  events(filter: LiveEventFilter = {}, options: SubscribeOptions = {}): AsyncIterableIterator<LiveEvent> {
    const maxBuffered = options.maxBuffered ?? 10_000;
    const buffer: LiveEvent[] = [];
    const readers: Array<{ resolve: (r: IteratorResult<LiveEvent>) => void; reject: (e: unknown) => void }> = [];
    let ended = false;
    let failure: { error: unknown } | undefined;
    const subscriber: Subscriber = {
      filter,
      push: (event) => {
        if (ended) return;
        const reader = readers.shift();
        if (reader) reader.resolve({ value: event, done: false });
        else if (buffer.length >= maxBuffered) {
          subscriber.end(
            new LiveEventsError(
              LiveEventsErrorCode.SubscriberOverflow,
              `The subscriber fell ${maxBuffered} events behind and was dropped; subscribe again to carry on.`,
            ),
          );
        } else buffer.push(event);
      },
      end: (error) => {
        if (ended) return;
        ended = true;
        this.subscribers.delete(subscriber);
        options.signal?.removeEventListener('abort', onAbort);
        if (error !== undefined) failure = { error };
        for (const reader of readers.splice(0)) {
          if (failure && buffer.length === 0) reader.reject(failure.error);
          else reader.resolve({ value: undefined, done: true });
        }
      },
    };
    const onAbort = () => subscriber.end();
    if (this.closed) ended = true;
    else {
      this.subscribers.add(subscriber);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    }
    const iterator: AsyncIterableIterator<LiveEvent> = {
      next: () => {
        if (buffer.length > 0) return Promise.resolve({ value: buffer.shift() as LiveEvent, done: false });
        if (ended) return failure ? Promise.reject(failure.error) : Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => readers.push({ resolve, reject }));
      },
      return: () => {
        buffer.length = 0;
        subscriber.end();
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** The events matching `filter` as an rxjs Observable (hot); unsubscribing detaches it. */
  events$(filter: LiveEventFilter = {}): Observable<LiveEvent> {
    const { Observable: RxObservable } = rxjs();
    return new RxObservable<LiveEvent>((observer) => {
      const subscriber: Subscriber = {
        filter,
        push: (event) => observer.next(event),
        end: (error) => {
          this.subscribers.delete(subscriber);
          if (error === undefined) observer.complete();
          else observer.error(error);
        },
      };
      if (this.closed) {
        observer.complete();
        return undefined;
      }
      this.subscribers.add(subscriber);
      return () => this.subscribers.delete(subscriber);
    });
  }

  /** Ends every subscription (streams complete normally); later subscriptions end at once. */
  close(): void {
    this.closed = true;
    for (const subscriber of [...this.subscribers]) subscriber.end();
  }
}
