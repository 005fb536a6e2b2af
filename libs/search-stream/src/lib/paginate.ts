/**
 * Cursor paging as an async generator of pages, in the aws-sdk-js-v3 manner: it stops
 * when the cursor is missing, and also when the server hands back the cursor it was
 * just given, which would otherwise loop forever on the same page.
 */
export async function* paginateByCursor<P>(
  fetchPage: (cursor: string | undefined) => Promise<P>,
  cursorOf: (page: P) => string | undefined,
  startCursor?: string,
  onRepeatedCursor?: (cursor: string) => void,
): AsyncGenerator<{ page: P; cursor: string | undefined }> {
  let cursor = startCursor;
  for (;;) {
    const page = await fetchPage(cursor);
    yield { page, cursor };
    const next = cursorOf(page);
    if (next === undefined || next === null || next === '') return;
    if (next === cursor) {
      onRepeatedCursor?.(next);
      return;
    }
    cursor = next;
  }
}

/**
 * Keeps at most one item in flight ahead of the consumer: item n+1 is requested when
 * item n is handed over, and nothing more until the consumer asks again. A slow
 * consumer therefore slows the fetching, and memory holds two pages at most.
 *
 * When the consumer stops early the request in flight is awaited (its failure is
 * ignored, nobody will read it) and the source is closed, so its `finally` runs.
 */
export async function* prefetchOne<T>(source: AsyncGenerator<T>, onEarlyExit?: () => void): AsyncGenerator<T> {
  let pending: Promise<IteratorResult<T>> | undefined = source.next();
  let finished = false;
  try {
    for (;;) {
      const result = await pending;
      pending = undefined;
      if (result.done) {
        finished = true;
        return;
      }
      pending = source.next();
      // Rejections surface when the consumer asks for the next item; never unhandled.
      pending.catch(() => undefined);
      yield result.value;
    }
  } finally {
    if (!finished) {
      if (pending) onEarlyExit?.();
      if (pending) await pending.catch(() => undefined);
      await source.return(undefined as never).catch(() => undefined);
    }
  }
}
