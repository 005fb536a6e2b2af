import { randomBytes } from 'node:crypto';
import type { TestDatabasePlan } from '@gcm/store/testing';
import { Client } from 'pg';

/** A URL whose connections live in one schema (libpq `options`, which node-postgres passes on). */
export function inSchema(url: string, schema: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

/**
 * A fresh schema on the planned test PostgreSQL for scheduler processes to share: `url`
 * points every connection into it; `drop()` removes it with everything in it. With
 * `CI=true` an unreachable server is a failure, not a skip.
 */
export async function createTestSchema(plan: TestDatabasePlan, prefix = 'gcm_e2e'): Promise<{ schema: string; url: string; drop(): Promise<void> }> {
  if (plan.unreachable) throw new Error(plan.unreachable);
  const postgresUrl = plan.postgresUrl;
  if (postgresUrl === undefined) throw new Error('no PostgreSQL was planned for this run (planTestDatabases)');
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = async (query: string) => {
    const client = new Client({ connectionString: postgresUrl });
    await client.connect();
    try {
      await client.query(query);
    } finally {
      await client.end();
    }
  };
  await admin(`create schema "${schema}"`);
  return { schema, url: inSchema(postgresUrl, schema), drop: () => admin(`drop schema if exists "${schema}" cascade`) };
}
