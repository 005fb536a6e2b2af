import { GcmWorld, stderrEvents } from './gcm-harness';

/**
 * The commands about single conversations — doctor, session create, message send,
 * history — as the real binary against the sandbox, with their exit codes.
 */
describe('gcm doctor, session, message and history', () => {
  let world: GcmWorld;

  beforeAll(async () => {
    world = await GcmWorld.start({ conversations: 200, days: 7 });
  });
  afterAll(() => world.stop());

  it('doctor checks every step with real calls, and exits 3 when the login is refused', async () => {
    const [good, refused] = await Promise.all([
      world.run(['doctor', '--json']),
      world.run(['doctor', '--json'], { env: world.env({ GENESYSCLOUD_OAUTHCLIENT_SECRET: 'wrong-secret' }) }),
    ]);
    expect(good.code).toBe(0);
    const report = JSON.parse(good.stdout) as { ok: boolean; checks: Array<{ name: string; status: string; permission?: string }> };
    expect(report.ok).toBe(true);
    const status = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
    expect(status).toMatchObject({ region: 'ok', credentials: 'ok', token: 'ok', identity: 'ok', search: 'ok', 'analytics jobs': 'ok', history: 'ok', events: 'ok', 'guest deployment': 'ok' });
    expect(report.checks.find((c) => c.name === 'search')?.permission).toBe('analytics:conversationDetail:view');

    expect(refused.code).toBe(3);
    const failed = JSON.parse(refused.stdout) as typeof report;
    expect(failed.ok).toBe(false);
    expect(failed.checks.find((c) => c.name === 'token')?.status).toBe('fail');
    expect(failed.checks.find((c) => c.name === 'search')?.status).toBe('skip');
    expect(refused.stdout + refused.stderr).not.toContain('wrong-secret');
  });

  it('history renders a verified timeline as JSON, Markdown and a table, and exits 1 for an unknown conversation', async () => {
    const [id] = world.sandbox.truth.conversationIds(world.lastDays(2));
    const truth = world.sandbox.truth.conversation(id);
    const [json, markdown, table, missing] = await Promise.all([
      world.run(['history', id, '--json']),
      world.run(['history', id, '--format', 'markdown']),
      world.run(['history', id]),
      world.run(['history', '00000000-0000-4000-8000-000000000000']),
    ]);
    expect(json.code).toBe(0);
    const timeline = JSON.parse(json.stdout) as { conversationId: string; messages: Array<{ timestamp: string }> };
    expect(timeline.conversationId).toBe(id);
    expect(timeline.messages).toHaveLength(truth?.canonicalMessageCount as number);
    const times = timeline.messages.map((m) => m.timestamp);
    expect([...times].sort()).toEqual(times);
    expect(markdown.stdout.startsWith(`# Conversation ${id}\n`)).toBe(true);
    expect(table.stdout.split('\n')[3]).toMatch(/^TIME +DIR +FROM +TYPE +STATUS +TEXT$/);
    expect(table.stdout.split('\n').filter((line) => /^\d{4}-\d\d-\d\dT/.test(line))).toHaveLength(timeline.messages.length);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('was not found');
  });

  it('opens a guest session, then sends as that guest and waits for the agent\'s reply', async () => {
    const created = await world.run(['session', 'create', '--message', 'Hello, I need help', '--attribute', 'orderId=42', '--json']);
    expect(created.code).toBe(0);
    const session = JSON.parse(created.stdout) as { token: string; deploymentId: string; sent: { messageId: string } };
    expect(session.deploymentId).toBe(world.sandbox.deploymentId);
    expect(session.sent.messageId).toMatch(/\w+/);
    expect(world.sandbox.webMessaging.sessionIdForToken(session.token)).toBeDefined();

    const sent = await world.run(['message', 'send', '--session', session.token, '--text', '-', '--wait-reply', '10', '--json'], { input: 'Where is my order?\n' });
    expect(sent.code).toBe(0);
    const result = JSON.parse(sent.stdout) as { via: string; messageId: string; reply?: { text: string } };
    expect(result.via).toBe('guest');
    expect(result.reply?.text).toEqual(expect.any(String));
    // both messages landed in one conversation, with the text read from stdin
    const conversationId = world.sandbox.truth.guestConversationIds().at(-1) as string;
    const texts = (world.sandbox.truth.messages(conversationId) ?? []).map((m) => (m['normalizedMessage'] as { text?: string } | undefined)?.text);
    expect(texts).toEqual(expect.arrayContaining(['Hello, I need help', 'Where is my order?']));
  });

  it('refuses an invalid message with exit 2 before anything is sent, listing each violation', async () => {
    const before = world.sandbox.stats;
    const sessionsBefore = world.sandbox.webMessaging.sessions().length;
    const [tooLong, script, escape, invisible, neither, both] = await Promise.all([
      world.run(['message', 'send', '--session', 'c0ffee00-0000-4000-8000-000000000000', '--text', 'x'.repeat(2_001), '--json']),
      world.run(['session', 'create', '--message', 'see <script>alert(1)</script>']),
      // the one text policy (@gcm/text-policy), as in the API
      world.run(['session', 'create', '--message', 'clear \u001b[2J screen']),
      world.run(['session', 'create', '--message', '\u200B\u200B']),
      world.run(['message', 'send', '--text', 'hi']),
      world.run(['message', 'send', '--session', 'a', '--conversation', 'b', '--text', 'hi']),
    ]);
    expect(tooLong.code).toBe(2);
    expect(JSON.parse(tooLong.stderr)).toEqual({
      error: {
        code: 'MESSAGE_REFUSED',
        exitCode: 2,
        message: 'The message was refused before it was sent:',
        details: ['text: text is 2,001 characters (Unicode code points); the limit for webmessaging messages is 2,000'],
      },
    });
    expect(script.code).toBe(2);
    expect(script.stderr).toContain('blocked content (script tag)');
    expect(escape.code).toBe(2);
    expect(escape.stderr).toContain('text: text contains the control character U+001B at position 6');
    expect(invisible.code).toBe(2);
    expect(invisible.stderr).toContain('text contains only invisible characters');
    expect([neither.code, both.code]).toEqual([2, 2]);
    expect(world.sandbox.webMessaging.sessions().length).toBe(sessionsBefore);
    expect(before).toBeDefined();
  });

  it('sends as the connected agent of a conversation through REST', async () => {
    const ongoing = world.sandbox.truth
      .conversationIds()
      .find((id) => world.sandbox.truth.conversation(id)?.participants.some((p) => p.purpose === 'agent' && p.state === 'connected')) as string;
    expect(ongoing).toBeDefined();
    const sent = await world.run(['message', 'send', '--conversation', ongoing, '--text', 'We are on it.', '--json']);
    expect(sent.code).toBe(0);
    const result = JSON.parse(sent.stdout) as { via: string; messageId: string };
    expect(result.via).toBe('agent');
    const last = (world.sandbox.truth.messages(ongoing) ?? []).at(-1) as { id: string; normalizedMessage?: { text?: string } };
    expect(last.id).toBe(result.messageId);
    expect(last.normalizedMessage?.text).toBe('We are on it.');
    expect(stderrEvents(sent.stderr)).toEqual([]);
  });
});
