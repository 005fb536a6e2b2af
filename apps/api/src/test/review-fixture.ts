import { GuestSession, MessageValidator } from '@gcm/messaging-client';
import { ArchivesService } from '../app/archives/archives.service';
import { ReviewService } from '../app/review/review.service';
import { sandboxConversationIds, startApiHarness, type ApiHarness } from './api-harness';

/** Message texts a guest typed that must reach the reviewer as text. */
export const HOSTILE_TEXTS = [
  `<script>window.__gcmPwned = true; document.title = 'pwned'</script>`,
  `<img src=x onerror="window.__gcmPwned = true"> & "quotes" 'single' \`tick\``,
];

/** A guest message with a right-to-left override: shown raw it reads "abcabcd"; it must read in logical order. */
export const BIDI_TEXT = 'abc\u202Edcba';
/** How the review pages and the Markdown export show BIDI_TEXT: the override as a visible escape. */
export const BIDI_SHOWN = 'abc\\u{202E}dcba';

export interface ReviewFixture {
  readonly api: ApiHarness;
  /** The guest conversation whose messages are HOSTILE_TEXTS. */
  readonly hostileConversationId: string;
  /** A generated conversation planted with an out-of-order pair. */
  readonly outOfOrderConversationId: string;
  /** Every archived conversation. */
  readonly archived: readonly string[];
}

/**
 * The real API on the sandbox with a few archived conversations: generated ones (one of them
 * out of order) and a guest conversation whose messages are hostile markup.
 */
export async function startReviewFixture(): Promise<ReviewFixture> {
  const api = await startApiHarness({ sandbox: { conversations: 40, webMessaging: { messagesPerSecond: 1_000 } } });
  try {
    // A guest types into Genesys' own Messenger, not through gcm: gcm's outbound content
    // policy (which refuses script tags) does not stand between a guest and the archive.
    const guest = await GuestSession.open({
      deploymentId: api.sandbox.deploymentId,
      apiBaseUrl: api.sandbox.apiBaseUrl,
      keepAlive: false,
      rateLimit: { maxPerWindow: 1_000, windowMs: 1_000 },
      validator: new MessageValidator({ contentPolicy: { blockedPatterns: [] } }),
    });
    try {
      for (const text of [...HOSTILE_TEXTS, BIDI_TEXT]) await guest.sendText(text);
    } finally {
      guest.disconnect();
    }
    const sessionId = api.sandbox.webMessaging.sessionIdForToken(guest.token);
    const hostileConversationId = api.sandbox.truth.guestSessions().find((s) => s.id === sessionId)?.conversationIds[0];
    if (!hostileConversationId) throw new Error('the sandbox knows no conversation for the guest session');

    const generated = sandboxConversationIds(api.sandbox);
    const outOfOrderConversationId = [...api.sandbox.truth.anomalies()].find((a) => a.kind === 'out-of-order' && generated.includes(a.conversationId))?.conversationId;
    if (!outOfOrderConversationId) throw new Error('the sandbox planted no out-of-order conversation in this world');
    const archived = [...new Set([outOfOrderConversationId, ...generated.slice(-8), hostileConversationId])];
    const started = await api.request('POST', '/v1/archives', { key: api.keys.admin, body: { conversationIds: archived } });
    if (started.status !== 202) throw new Error(`archive: ${started.status} ${started.text}`);
    await api.app.get(ArchivesService).idle();
    await api.app.get(ReviewService).caughtUp();
    return { api, hostileConversationId, outOfOrderConversationId, archived };
  } catch (error) {
    await api.close();
    throw error;
  }
}

/** A `fetch` that keeps the review cookie like a browser would (for the non-browser specs). */
export function cookieClient(baseUrl: string) {
  let cookie: string | undefined;
  return {
    get cookie() {
      return cookie;
    },
    async request(method: string, path: string, init: { form?: Record<string, string>; headers?: Record<string, string> } = {}) {
      const headers: Record<string, string> = { ...init.headers };
      if (cookie) headers['cookie'] = cookie;
      let body: string | undefined;
      if (init.form) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(init.form).toString();
      }
      const response = await fetch(`${baseUrl}${path}`, { method, headers, body, redirect: 'manual' });
      const set = response.headers.get('set-cookie');
      if (set) {
        const [pair] = set.split(';');
        cookie = pair?.endsWith('=') ? undefined : pair;
      }
      return { status: response.status, headers: response.headers, text: await response.text(), setCookie: set };
    },
  };
}
