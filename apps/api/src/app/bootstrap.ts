import type { Server } from 'node:http';
import { VersioningType, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { AppModule } from './app.module';
import type { ApiRuntime } from './api-runtime';
import type { ApiConfig } from './config/api-config';
import { createApiLogger } from './core.module';
import { NestPinoLogger } from '@gcm/logging/nest';
import type { ApiRequest, ApiResponse } from './http/api-request';
import { bodyReader } from './http/body-reader';
import { answerClientErrorsAsProblems } from './http/client-error.handler';
import { REQUEST_ID_HEADER, RequestLifecycle } from './http/request-lifecycle';
import type { GcmLogger } from '@gcm/logging';
import { buildOpenApiDocument } from './openapi/openapi-document';
import { writeProblem } from './problem/problem-details.filter';
import { toApiError } from './problem/library-error.mapper';
import { apiValidationPipe } from './problem/validation.pipe';

export interface ApiApplication {
  readonly app: NestExpressApplication;
  readonly logger: GcmLogger;
}

/**
 * Builds the API: every request first gets its id and lifecycle hooks, then helmet's
 * headers, CORS only when origins are configured, a size-limited body reader (the raw
 * bytes, parsed after the guards by BodyParsingInterceptor), URI versioning (/v1), the global validation
 * pipe, and the OpenAPI docs. Not listening yet: `app.listen` is the caller's.
 */
export async function createApiApplication(config: ApiConfig, runtime: ApiRuntime = {}): Promise<ApiApplication> {
  const logger = createApiLogger(config, runtime);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, runtime, logger), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  // Nest's own lines through nestjs-pino: the same pino logger, with the request id inside a request
  app.useLogger(app.get(NestPinoLogger));
  app.disable('x-powered-by');
  // every answer is computed fresh from Genesys; hashing large timelines for an ETag buys no cache hit
  app.set('etag', false);
  app.set('trust proxy', config.http.trustProxy);
  app.set('query parser', 'simple');
  app.use(app.get(RequestLifecycle).middleware);
  app.use(
    helmet({
      contentSecurityPolicy: {
        // the Swagger UI at /docs loads its own scripts and styles and inline styles; nothing else is HTML.
        // No upgrade-insecure-requests: over plain HTTP (a host name other than localhost) it would send the
        // browser to https:// for every script and stylesheet, and /docs would stay blank
        directives: { 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'], 'upgrade-insecure-requests': null },
      },
      // HSTS only means something over HTTPS (browsers ignore it on http://): sent below when the request is secure
      strictTransportSecurity: false,
    }),
  );
  app.use((request: ApiRequest, response: ApiResponse, next: () => void) => {
    if ((request as { secure?: boolean }).secure === true) response.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  });
  if (config.http.corsOrigins) {
    app.enableCors({
      origin: [...config.http.corsOrigins],
      methods: ['GET', 'POST', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', REQUEST_ID_HEADER],
      exposedHeaders: [REQUEST_ID_HEADER, 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After'],
      maxAge: 600,
    });
  }
  // the body's bytes only (413 beyond GCM_API_BODY_LIMIT); BodyParsingInterceptor decodes them after the guards
  app.use(bodyReader(config.http.bodyLimitBytes, logger));
  // failures of middleware happen before Nest routes: answer them as problems here
  app.use((error: unknown, request: ApiRequest, response: ApiResponse, next: (error?: unknown) => void) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    writeProblem(request, response, toApiError(error), logger);
  });
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
  app.useGlobalPipes(apiValidationPipe());
  if (config.http.docs) {
    SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
      jsonDocumentUrl: 'docs-json',
      yamlDocumentUrl: 'docs-yaml',
      customSiteTitle: 'gcm API',
    });
  }
  await app.init();
  answerClientErrorsAsProblems(app.getHttpServer() as Server);
  return { app, logger };
}

/**
 * Graceful shutdown: stop accepting connections, let requests in flight finish (idle
 * keep-alive connections are closed at once), then close the database, the audit trail
 * and the guest sockets. After `graceMs` whatever is still open is cut.
 */
export async function shutdownApiApplication(app: INestApplication, graceMs: number, logger?: GcmLogger): Promise<void> {
  const server = app.getHttpServer() as Server;
  const timer = setTimeout(() => {
    logger?.write('warn', `Shutdown grace of ${graceMs} ms elapsed; closing the connections still open`, { context: 'Shutdown' });
    server.closeAllConnections();
  }, graceMs);
  timer.unref();
  // a keep-alive connection becomes idle when its last response is sent: close it then, not at its keep-alive timeout
  const idle = setInterval(() => server.closeIdleConnections(), 50);
  idle.unref();
  try {
    server.closeIdleConnections();
    await app.close();
  } finally {
    clearTimeout(timer);
    clearInterval(idle);
  }
}
