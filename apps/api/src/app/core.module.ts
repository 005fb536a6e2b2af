import { Global, Module, type DynamicModule } from '@nestjs/common';
import { Redactor } from '@gcm/audit';
import { systemClock } from '@gcm/genesys-auth';
import type { ApiRuntime } from './api-runtime';
import { API_RUNTIME } from './api-runtime';
import { ArchiveRunRegistry } from './archives/archive-run.registry';
import { MutationAuditRecorder } from './audit/mutation-audit.recorder';
import { ApiKeyRegistry } from './auth/api-key.registry';
import { LoginThrottle } from './auth/login-throttle';
import { RateLimiter } from './auth/rate-limiter';
import { configSecrets, type ApiConfig } from './config/api-config';
import { API_CLOCK, API_CONFIG } from './config/api-config.token';
import { RequestLifecycle } from './http/request-lifecycle';
import { GcmLogger } from '@gcm/logging';
import { MetricsService } from './metrics/metrics.service';
import { ReviewSessions } from './review/review-sessions';

/** The API's own infrastructure, visible to every feature module. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: ApiConfig, runtime: ApiRuntime, logger: GcmLogger): DynamicModule {
    const clock = runtime.clock ?? systemClock;
    return {
      module: CoreModule,
      providers: [
        { provide: API_CONFIG, useValue: config },
        { provide: API_RUNTIME, useValue: runtime },
        { provide: API_CLOCK, useValue: clock },
        { provide: GcmLogger, useValue: logger },
        { provide: ApiKeyRegistry, useValue: new ApiKeyRegistry(config.auth.keys) },
        { provide: RateLimiter, useValue: new RateLimiter(clock) },
        { provide: LoginThrottle, useValue: new LoginThrottle(clock) },
        ReviewSessions,
        { provide: ArchiveRunRegistry, useValue: new ArchiveRunRegistry() },
        MetricsService,
        MutationAuditRecorder,
        RequestLifecycle,
      ],
      exports: [API_CONFIG, API_RUNTIME, API_CLOCK, GcmLogger, ApiKeyRegistry, RateLimiter, LoginThrottle, ReviewSessions, ArchiveRunRegistry, MetricsService, MutationAuditRecorder, RequestLifecycle],
    };
  }
}

/** The logger every part of the API writes through, redacting the config's secrets. */
export function createApiLogger(config: ApiConfig, runtime: ApiRuntime): GcmLogger {
  return new GcmLogger({
    level: config.logLevel,
    redactor: new Redactor({ knownSecrets: configSecrets(config) }),
    sink: runtime.logSink,
    clock: runtime.clock ? () => (runtime.clock as { now(): number }).now() : undefined,
  });
}
