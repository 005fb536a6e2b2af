import type { WebMessagingMessage, WebMessagingMessageEntityList } from '../models/web-messaging.model';
import { WebMessagingError, WebMessagingErrorCode } from './web-messaging.error';

/** The part of `fetch` the history reader needs (the global fetch by default). */
export type HistoryFetch = (url: string, init: { headers: Record<string, string>; signal?: AbortSignal }) => Promise<{
  status: number;
  json(): Promise<unknown>;
}>;

export interface GuestHistoryOptions {
  apiBaseUrl: string;
  jwt: () => Promise<string>;
  pageSize: number;
  /** The Origin header (an allowed domain of the deployment). */
  origin?: string;
  fetch?: HistoryFetch;
  signal?: AbortSignal;
  trackPage?: (run: () => Promise<WebMessagingMessageEntityList>) => Promise<WebMessagingMessageEntityList>;
}

/** Pages are requested until one is empty, short, or the last of `pageCount`. */
const MAX_PAGES = 10_000;

/**
 * `GET /api/v2/webmessaging/messages?pageSize&pageNumber` with `Authorization: bearer {jwt}`,
 * one message at a time. The JWT is the guest's, not an OAuth token: this call never goes
 * through the Genesys transport.
 */
export async function* fetchGuestHistory(options: GuestHistoryOptions): AsyncGenerator<WebMessagingMessage> {
  if (!Number.isInteger(options.pageSize) || options.pageSize < 1) {
    throw new RangeError(`pageSize must be a positive integer, got ${options.pageSize}`);
  }
  const http: HistoryFetch = options.fetch ?? ((url, init) => fetch(url, init));
  const track = options.trackPage ?? ((run) => run());
  for (let pageNumber = 1; pageNumber <= MAX_PAGES; pageNumber++) {
    const page = await track(async () => {
      const jwt = await options.jwt();
      const url = `${options.apiBaseUrl}/api/v2/webmessaging/messages?pageSize=${options.pageSize}&pageNumber=${pageNumber}`;
      const headers: Record<string, string> = { Authorization: `bearer ${jwt}`, Accept: 'application/json' };
      if (options.origin) headers['Origin'] = options.origin;
      const response = await http(url, { headers, signal: options.signal });
      if (response.status < 200 || response.status >= 300) {
        throw new WebMessagingError({
          code: WebMessagingErrorCode.HistoryFailed,
          action: 'history',
          retryable: response.status === 429 || response.status >= 500,
          message: `GET /api/v2/webmessaging/messages (page ${pageNumber}) answered HTTP ${response.status}.` +
            (response.status === 401 ? ' The guest JWT was refused: it may have expired.' : ''),
        });
      }
      const body = (await response.json()) as Partial<WebMessagingMessageEntityList>;
      return { ...body, entities: body?.entities ?? [], pageSize: body?.pageSize ?? options.pageSize, pageNumber: body?.pageNumber ?? pageNumber };
    });
    for (const message of page.entities) yield message;
    const lastByCount = typeof page.pageCount === 'number' && pageNumber >= page.pageCount;
    if (page.entities.length === 0 || lastByCount || (page.pageCount === undefined && page.entities.length < options.pageSize)) return;
  }
}
