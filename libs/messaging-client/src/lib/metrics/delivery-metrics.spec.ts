import { FakeClock } from '@gcm/genesys-auth/testing';
import { composeDeliveryMetrics, DeliveryTracker, InMemoryDeliveryMetrics, type DeliveryMetricsListener } from './delivery-metrics';

describe('delivery metrics', () => {
  it('reports sent with latency, failed with the error name and code, rejected with violation codes', async () => {
    const clock = new FakeClock(0);
    const events: string[] = [];
    const listener: DeliveryMetricsListener = {
      onSent: (e) => events.push(`sent ${e.operation} ${e.latencyMs}ms ${e.messageId}`),
      onFailed: (e) => events.push(`failed ${e.operation} ${e.latencyMs}ms ${e.errorName} ${e.errorCode} ${e.status}`),
      onRejected: (e) => events.push(`rejected ${e.operation} ${e.violations.join(',')}`),
    };
    const tracker = new DeliveryTracker(listener, clock, {});
    await tracker.track('agent.send', { conversationId: 'c' }, async () => {
      await clock.sleep(120);
      return { id: 'm-1' };
    }, (r) => ({ messageId: r.id }));
    const failure = Object.assign(new Error('nope'), { name: 'GenesysServerError', code: 'internal.server.error', status: 500 });
    await expect(tracker.track('agent.send', {}, async () => {
      await clock.sleep(30);
      throw failure;
    })).rejects.toBe(failure);
    await expect(tracker.track('guest.sendText', {}, async () => {
      throw Object.assign(new Error('invalid'), { violations: [{ code: 'TEXT_TOO_LONG' }] });
    })).rejects.toThrow('invalid');
    expect(events).toEqual([
      'sent agent.send 120ms m-1',
      'failed agent.send 30ms GenesysServerError internal.server.error 500',
      'rejected guest.sendText TEXT_TOO_LONG',
    ]);
  });

  it('a throwing listener never breaks delivery', async () => {
    const warnings: string[] = [];
    const tracker = new DeliveryTracker({ onSent: () => { throw new Error('exporter down'); } }, new FakeClock(0), { warn: (m) => warnings.push(m) });
    await expect(tracker.track('message.get', {}, async () => 'ok')).resolves.toBe('ok');
    expect(warnings).toHaveLength(1);
  });

  it('aggregates counts and latency percentiles per operation, and fans out to several listeners', () => {
    const a = new InMemoryDeliveryMetrics(3);
    const b = new InMemoryDeliveryMetrics();
    const both = composeDeliveryMetrics(a, undefined, b);
    for (const latencyMs of [10, 20, 30, 40]) both.onSent?.({ operation: 'guest.sendText', latencyMs, at: 0 });
    both.onFailed?.({ operation: 'guest.sendText', latencyMs: 50, at: 0, errorName: 'E', errorCode: 'X' });
    both.onRejected?.({ operation: 'guest.sendText', at: 0, violations: ['TEXT_TOO_LONG'] });
    expect(a.snapshot()['guest.sendText']).toEqual({
      sent: 4,
      failed: 1,
      rejected: 1,
      latency: { count: 3, minMs: 30, maxMs: 50, meanMs: 40, p50Ms: 40, p95Ms: 50 },
    });
    expect(b.snapshot()['guest.sendText']?.latency.count).toBe(5);
  });
});
