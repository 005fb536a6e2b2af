import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { StoreModule } from '@gcm/store/nest';
import { AuditErrorCode } from './audit.error';
import { AUDIT_LOG, AuditModule, WebhookModule } from './audit.module';
import { AuditMetrics } from './metrics/audit-metrics';
import { AuditTrail } from './trail/audit-trail';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher';
import { generateWebhookSecret } from './webhooks/webhook-signature';

describe('AuditModule and WebhookModule', () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'gcm-audit-module-'));
  });

  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('wires the trail, metrics and dispatcher, and closes the trail on shutdown', async () => {
    const registry = new Registry();
    const secret = generateWebhookSecret();
    const moduleRef = await Test.createTestingModule({
      imports: [
        StoreModule.forRoot({ url: 'sqlite::memory:', isGlobal: true }),
        AuditModule.forRootAsync({
          isGlobal: true,
          useFactory: () => ({ directory, fsync: 'always' as const, registry, redaction: { piiKeys: ['email'] } }),
        }),
        WebhookModule.forRoot({ endpoints: [{ id: 'crm', url: 'http://127.0.0.1:9/hook', secret }] }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication();
    await app.init();

    const trail = app.get(AuditTrail);
    expect(app.get(AUDIT_LOG)).toBe(trail);
    expect(app.get(AuditMetrics)).toBeInstanceOf(AuditMetrics);
    const record = await trail.append({
      actor: 'api',
      action: 'guest.session.opened',
      outcome: 'success',
      details: { email: 'guest@example.com', webhookSecret: secret },
    });
    expect(record.details).toEqual({ email: '[REDACTED]', webhookSecret: '[REDACTED]' });

    const dispatcher = app.get(WebhookDispatcher);
    const [message] = await dispatcher.enqueue({ type: 'session.opened', data: {}, idempotencyKey: 'k' });
    expect(message.destination).toBe('crm');
    expect(await registry.getSingleMetric('gcm_audit_records_total')?.get()).toMatchObject({
      values: [expect.objectContaining({ value: 1 })],
    });

    await app.close();
    await expect(trail.append({ actor: 'api', action: 'x', outcome: 'success' })).rejects.toMatchObject({
      code: AuditErrorCode.Closed,
    });
    expect((await trail.verify()).records).toBe(1);
  });
});
