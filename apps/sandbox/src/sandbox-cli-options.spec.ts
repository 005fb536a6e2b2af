import { CliUsageError, parseSandboxArgs } from './sandbox-cli-options';

describe('parseSandboxArgs', () => {
  it('maps flags to sandbox options, with defaults', () => {
    expect(parseSandboxArgs([])).toEqual({ kind: 'run', options: { port: 4010, seed: 42, conversations: 500 } });
    expect(
      parseSandboxArgs([
        '--port=0',
        '--seed',
        '7',
        '--conversations',
        '100000',
        '--days',
        '14',
        '--faults',
        'flaky,reset=0.02',
        '--rate-limit',
        '300',
        '--clients',
        '4',
        '--messages',
        '2-50',
        '--now',
        '2025-03-01T12:00:00Z',
        '--token-lifetime',
        '60',
        '--job-delay-ms',
        '0',
        '--availability-lag',
        '120000',
        '--agent-reply-ms',
        '250',
        '--heartbeat-ms',
        '5000',
        '--channel-lifetime-ms',
        '600000',
        '--integration',
        'partner-chat=https://hooks.example/genesys?a=1,s3cret',
        '--integration=shop=http://127.0.0.1:9000/in,other-secret',
        '--webhook-retry-ms',
        '100',
      ]),
    ).toEqual({
      kind: 'run',
      options: {
        port: 0,
        seed: 7,
        conversations: 100000,
        days: 14,
        faults: 'flaky,reset=0.02',
        rateLimitPerMinute: 300,
        clients: 4,
        messagesPerConversation: { min: 2, max: 50 },
        now: '2025-03-01T12:00:00Z',
        tokenLifetimeSeconds: 60,
        jobDelayMs: 0,
        availabilityLagMs: 120000,
        agentReplyMs: 250,
        notifications: { heartbeatIntervalMs: 5000, channelLifetimeMs: 600000 },
        integrations: [
          { id: 'partner-chat', outboundNotificationWebhookUrl: 'https://hooks.example/genesys?a=1', secret: 's3cret' },
          { id: 'shop', outboundNotificationWebhookUrl: 'http://127.0.0.1:9000/in', secret: 'other-secret' },
        ],
        webhooks: { retryDelayMs: 100 },
      },
    });
    expect(parseSandboxArgs(['--agent-reply-ms', 'off'])).toMatchObject({ options: { agentReplyMs: false } });
    expect(parseSandboxArgs(['--help'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--port', '70000'], '--port must be an integer between 0 and 65535 (got "70000")'],
    [['--rate-limit', '0'], '--rate-limit must be an integer between 1 and 1000000 (got "0")'],
    [['--clients', '0'], '--clients must be an integer between 1 and 64 (got "0")'],
    [['--clients', '65'], '--clients must be an integer between 1 and 64 (got "65")'],
    [['--days', '1.5'], '--days must be an integer between 1 and 3650 (got "1.5")'],
    [['--messages', '5-2'], '--messages must be <min>-<max> with 1 <= min <= max <= 10000 (got "5-2")'],
    [['--now', 'yesterday'], '--now must be an ISO-8601 instant such as 2025-03-01T12:00:00Z (got "yesterday")'],
    [['--faults', 'flaky,reset=2'], '--faults: fault probability reset must be between 0 and 1, got 2'],
    [['--seed'], '--seed needs a value (see --help)'],
    [['--integration', 'partner=ftp://x/y,s3cret'], '--integration partner: outboundNotificationWebhookUrl must be an http:// or https:// URL'],
    [['--integration', 'just-a-secret-value'], '--integration must look like <id>=<http(s) url>,<secret> (the value is not repeated here: it holds a secret)'],
    [['--integration', 'a=http://h/,x', '--integration', 'a=http://h/,y'], '--integration a is given twice'],
    [['--heartbeat-ms', '0'], '--heartbeat-ms must be an integer between 1 and 3600000 (got "0")'],
    [['--channel-lifetime-ms', '10'], '--channel-lifetime-ms must be an integer between 1000 and 604800000 (got "10")'],
    [['--agent-reply-ms', 'soon'], '--agent-reply-ms must be "off" or an integer between 0 and 86400000 (got "soon")'],
    [['4010'], 'unexpected argument "4010"; flags look like --port 4010 (see --help)'],
  ])('explains %j', (argv, message) => {
    expect(() => parseSandboxArgs(argv)).toThrow(new CliUsageError(message));
  });
});
