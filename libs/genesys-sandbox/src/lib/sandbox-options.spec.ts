import { resolveSandboxOptions, SandboxOptionsError } from './sandbox-options';

describe('resolveSandboxOptions (part 2 options)', () => {
  it('fills web messaging, notifications and webhook defaults', () => {
    const o = resolveSandboxOptions({});
    expect(o.agentReplyMs).toBe(1500);
    expect(o.webMessaging).toMatchObject({ sessionDurationSeconds: 259_200, maxTextLength: 2000, maxCustomDataBytes: 2048, messagesPerSecond: 2, maxFileSizeKB: 10_240 });
    expect(o.notifications).toEqual({ heartbeatIntervalMs: 30_000, channelLifetimeMs: 86_400_000, closingNoticeMs: 60_000, channelsPerClient: 20 });
    expect(o.webhooks).toEqual({ retryDelayMs: 5000, maxRetries: 5, timeoutMs: 10_000 });
    expect(o.integrations).toEqual([]);
    expect(resolveSandboxOptions({ agentReplyMs: false }).agentReplyMs).toBe(false);
  });

  it('shortens the closing notice for short channel lifetimes unless one is given', () => {
    expect(resolveSandboxOptions({ notifications: { channelLifetimeMs: 10_000 } }).notifications.closingNoticeMs).toBe(5000);
    expect(resolveSandboxOptions({ notifications: { channelLifetimeMs: 10_000, closingNoticeMs: 1000 } }).notifications.closingNoticeMs).toBe(1000);
  });

  it.each([
    [{ agentReplyMs: -1 }, 'agentReplyMs', 'agentReplyMs must be an integer between 0 and 86400000, got -1'],
    [{ webMessaging: { allowedFileTypes: ['png'] } }, 'webMessaging.allowedFileTypes', 'webMessaging.allowedFileTypes entries must be MIME types such as image/png or image/*, got "png"'],
    [{ webMessaging: { blockedExtensions: ['exe'] } }, 'webMessaging.blockedExtensions', 'webMessaging.blockedExtensions entries look like .exe, got "exe"'],
    [{ notifications: { heartbeatIntervalMs: 0 } }, 'notifications.heartbeatIntervalMs', 'notifications.heartbeatIntervalMs must be an integer between 1 and 3600000, got 0'],
    [{ webhooks: { maxRetries: 101 } }, 'webhooks.maxRetries', 'webhooks.maxRetries must be an integer between 0 and 100, got 101'],
    [
      { integrations: [{ id: 'a', outboundNotificationWebhookUrl: 'http://h/', secret: 's1' }, { id: 'a', outboundNotificationWebhookUrl: 'http://h/', secret: 's2' }] },
      'integrations[1]',
      'integrations[1]: integration id a appears twice',
    ],
    [{ integrations: [{ id: 'has space', outboundNotificationWebhookUrl: 'http://h/', secret: 's1' }] }, 'integrations[0]', 'integrations[0].id must be 1-128 letters, digits, dots, dashes or underscores'],
  ])('names the option in its error: %j', (options, option, message) => {
    let error: unknown;
    try {
      resolveSandboxOptions(options as Parameters<typeof resolveSandboxOptions>[0]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SandboxOptionsError);
    expect(error).toMatchObject({ option, message });
  });
});
