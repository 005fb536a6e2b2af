import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey } from '../auth/api-key';
import { createApiApplication } from '../bootstrap';
import { loadApiConfig } from '../config/api-config';
import { buildOpenApiDocument, serializeOpenApiDocument } from './openapi-document';

/**
 * The OpenAPI document as committed in apps/api/openapi.json. It does not depend on
 * configuration, so it is built on a throwaway setup (in-memory database, scratch
 * directories, a Genesys host that is never called).
 */
export async function generateOpenApiText(): Promise<string> {
  const scratch = mkdtempSync(join(tmpdir(), 'gcm-api-openapi-'));
  try {
    const config = loadApiConfig({
      GENESYSCLOUD_API_BASE_URL: 'http://127.0.0.1:9',
      GENESYSCLOUD_OAUTHCLIENT_ID: 'openapi',
      GENESYSCLOUD_OAUTHCLIENT_SECRET: 'openapi-document-only',
      GCM_DATABASE_URL: 'sqlite::memory:',
      GCM_ARCHIVE_DIR: join(scratch, 'archive'),
      GCM_API_AUDIT_DIR: join(scratch, 'audit'),
      GCM_API_KEYS: `openapi:read:${hashApiKey('openapi')}`,
      GCM_API_LOG_LEVEL: 'error',
    });
    const { app } = await createApiApplication(config, { logSink: { write: () => undefined } });
    try {
      return serializeOpenApiDocument(buildOpenApiDocument(app));
    } finally {
      await app.close();
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
