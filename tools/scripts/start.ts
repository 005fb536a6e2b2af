/**
 * `npm start`: the local stack's main job. With no Genesys credentials in the environment
 * (or `.env`) it starts the sandbox as its own process and runs against it; with
 * credentials it runs read-only against the real org.
 *
 * Until the scheduler app lands, the main job is the discovery pass the archival job
 * starts with: check the credentials, stream the conversations of the window through
 * the analytics search, and read each one's messages through the bulk endpoint.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { createGenesysConnection, GenesysApiError, GenesysConfigError, whoAmI } from '@gcm/genesys-auth';
import { ConversationSearch, SearchStreamError } from '@gcm/search-stream';

const root = resolve(__dirname, '../..');

interface Target {
  apiBaseUrl?: string;
  loginBaseUrl?: string;
  region?: string;
  clientId: string;
  clientSecret: string;
  sandbox?: ChildProcess;
}

function readDotEnv(): Record<string, string> {
  const path = resolve(root, '.env');
  if (!existsSync(path)) return {};
  const values: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) values[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return values;
}

async function startSandboxProcess(): Promise<Target> {
  const tsx = resolve(root, 'node_modules/.bin/tsx');
  const child = spawn(
    tsx,
    ['--tsconfig', 'tsconfig.base.json', 'apps/sandbox/src/main.ts', '--port', '0', '--seed', '42', '--conversations', '300', '--days', '7'],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<{ apiBaseUrl: string; clientId: string; clientSecret: string }>((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`the sandbox exited with code ${code} before it was ready`)));
    lines.once('line', (line) => {
      try {
        const event = JSON.parse(line);
        if (event.event === 'listening') ok(event);
        else fail(new Error(`unexpected first line from the sandbox: ${line}`));
      } catch {
        fail(new Error(`unexpected first line from the sandbox: ${line}`));
      }
    });
  });
  return { apiBaseUrl: ready.apiBaseUrl, clientId: ready.clientId, clientSecret: ready.clientSecret, sandbox: child };
}

async function main(): Promise<number> {
  const env = { ...readDotEnv(), ...process.env };
  const hasCredentials = Boolean(env.GENESYSCLOUD_OAUTHCLIENT_ID && env.GENESYSCLOUD_OAUTHCLIENT_SECRET);
  const target: Target = hasCredentials
    ? {
        region: env.GENESYSCLOUD_REGION,
        apiBaseUrl: env.GENESYSCLOUD_API_BASE_URL,
        loginBaseUrl: env.GENESYSCLOUD_LOGIN_BASE_URL,
        clientId: env.GENESYSCLOUD_OAUTHCLIENT_ID!,
        clientSecret: env.GENESYSCLOUD_OAUTHCLIENT_SECRET!,
      }
    : await startSandboxProcess();
  try {
    const { transport, environment } = createGenesysConnection({
      region: target.region,
      apiBaseUrl: target.apiBaseUrl,
      loginBaseUrl: target.loginBaseUrl,
      clientId: target.clientId,
      clientSecret: target.clientSecret,
      transport: { rateLimit: { requestsPerMinute: 300, maxConcurrency: 4 } },
    });
    log(`gcm: ${target.sandbox ? 'no credentials found, running against the built-in sandbox' : 'running against Genesys Cloud'} at ${environment.apiBaseUrl}`);
    const me = await whoAmI(transport);
    log(`gcm: credentials ok (organization ${me.organization?.name ?? me.organization?.id ?? 'unknown'}, OAuth client ${me.OAuthClient?.name ?? me.OAuthClient?.id ?? 'unknown'})`);

    const end = new Date();
    const start = new Date(end.getTime() - 7 * 24 * 3600_000);
    const search = new ConversationSearch({ transport });
    const stream = search.search({ interval: { start, end }, mediaType: 'message' });
    let found = 0;
    let messages = 0;
    const byType = new Map<string, number>();
    for await (const conversation of stream) {
      found++;
      for (const type of conversation.messageTypes) byType.set(type, (byType.get(type) ?? 0) + 1);
      if (found <= 10) {
        const { data } = await transport.get<{ participants?: Array<{ messages?: Array<{ messageId: string }> }> }>(
          `/api/v2/conversations/messages/${conversation.conversationId}`,
        );
        const ids = (data.participants ?? []).flatMap((p) => (p.messages ?? []).map((m) => m.messageId));
        const bulk = ids.length
          ? await transport.post<{ entities: unknown[] }>(
              `/api/v2/conversations/messages/${conversation.conversationId}/messages/bulk`,
              ids.slice(0, 1000),
              { retrySafe: true },
            )
          : { data: { entities: [] } };
        messages += bulk.data.entities.length;
        log(`  ${conversation.conversationStart}  ${conversation.conversationId}  ${conversation.messageTypes.join(',') || '-'}  ${bulk.data.entities.length} messages`);
      }
    }
    const types = [...byType].map(([type, n]) => `${type} ${n}`).join(', ');
    log(`gcm: ${found} message conversations in ${start.toISOString()} … ${end.toISOString()} (${types || 'none'}); read ${messages} messages of the first ${Math.min(found, 10)}; ${transport.requestCount} API calls`);
    return 0;
  } catch (error) {
    if (error instanceof GenesysApiError || error instanceof GenesysConfigError || error instanceof SearchStreamError) {
      log(`gcm: ${error.message}`);
      return error instanceof GenesysApiError && error.category === 'auth' ? 3 : 1;
    }
    throw error;
  } finally {
    target.sandbox?.kill('SIGTERM');
  }
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`gcm: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
