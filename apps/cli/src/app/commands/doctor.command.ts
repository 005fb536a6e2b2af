import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  GenesysApiError,
  resolveGenesysEnvironment,
  whoAmI,
  type GenesysConnection,
  type GenesysEnvironment,
} from '@gcm/genesys-auth';
import { HistorySync } from '@gcm/history-timeline';
import { MessagingClient } from '@gcm/messaging-client';
import { ConversationSearch } from '@gcm/search-stream';
import { openDatabase, parseDatabaseUrl, redactDatabaseUrl } from '@gcm/store';
import { maskIdentifier, type CliSettings } from '../config/cli-settings';
import { readableByOthers } from '../config/config-file';
import type { CommandContext } from '../runtime/command-context';
import { findGenesysError } from '../runtime/error-report';
import { ExitCode } from '../runtime/exit-code';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface DoctorCheck {
  readonly name: string;
  readonly status: CheckStatus;
  readonly summary: string;
  /** The gcm commands that depend on it. */
  readonly needs?: readonly string[];
  /** The Genesys permission the check exercised. */
  readonly permission?: string;
  readonly hint?: string;
  readonly durationMs?: number;
  /** An auth failure: the run ends with exit 3. */
  readonly auth?: boolean;
}

const DAY = 86_400_000;

/**
 * `gcm doctor`: every step a command depends on, checked with real calls in the order
 * they happen — settings, region, credentials, token, identity — then each feature's
 * endpoint with the permission it needs, and the local state (database, archive). A
 * failing step says what to do; the steps after a failed login are skipped.
 */
export async function runDoctor(context: CommandContext): Promise<ExitCode> {
  const { output } = context;
  const settings = context.settings;
  const checks: DoctorCheck[] = [];
  const bar = output.progress('doctor');
  const add = (check: DoctorCheck) => {
    checks.push(check);
    bar.update({ done: checks.length, detail: check.name });
  };

  add(configCheck(settings));
  const environment = regionCheck(settings, add);
  const credentialsOk = credentialsCheck(settings, add);

  let connection: GenesysConnection | undefined;
  if (environment && credentialsOk) {
    connection = (await context.connect()).connection;
    const transport = connection.transport;
    const loggedIn = await tokenCheck(connection, add);
    if (loggedIn) {
      await timed(add, 'identity', {}, async () => {
        const me = await whoAmI(transport, context.interrupts.signal);
        const org = me.organization?.name ?? me.organization?.id ?? 'unknown organization';
        const client = me.OAuthClient?.name ?? me.OAuthClient?.id ?? 'unknown OAuth client';
        return { summary: `organization ${org}, OAuth client ${client}` };
      });
      const found = await timed(add, 'search', { needs: ['search', 'archive run'], permission: 'analytics:conversationDetail:view' }, async () => {
        const search = new ConversationSearch({ transport: transport });
        const end = Date.now();
        const [first] = await search
          .search({ interval: { start: end - 7 * DAY, end }, mediaType: 'message' }, { strategy: 'query', maxResults: 1, signal: context.interrupts.signal })
          .toArray({ limit: 1 });
        return {
          summary: first ? `analytics details query answered; latest week has message conversations (e.g. ${first.conversationId})` : 'analytics details query answered; no message conversations in the last 7 days',
          value: first?.conversationId,
        };
      });
      await timed(add, 'analytics jobs', { needs: ['search (windows over 48 h)', 'archive run'], permission: 'analytics:conversationDetail:view' }, async () => {
        const { data } = await transport.get<{ dataAvailabilityDate?: string }>('/api/v2/analytics/conversations/details/jobs/availability', { signal: context.interrupts.signal });
        return { summary: `details jobs available; data complete up to ${data?.dataAvailabilityDate ?? 'unknown'}` };
      });
      if (typeof found === 'string') {
        await timed(add, 'history', { needs: ['history', 'archive run'], permission: 'conversation:message:view (bulk messages)' }, async () => {
          const timeline = await new HistorySync({ source: new MessagingClient({ transport: transport }) }).sync(found, { signal: context.interrupts.signal });
          const derived = timeline.sync.conversationSource === 'derived';
          return {
            status: derived ? 'warn' : 'ok',
            summary: `read conversation ${found}: ${timeline.messages.length} messages${derived ? '; GET /api/v2/conversations/{id} was refused, so bounds are derived' : ''}`,
            ...(derived ? { hint: 'Grant conversation:communication:view for exact conversation start/end and state.' } : {}),
          };
        });
      } else {
        add({ name: 'history', status: 'skip', summary: 'no conversation found to read', needs: ['history', 'archive run'] });
      }
      await timed(add, 'events', { needs: ['events tail'], permission: 'notifications (available topics)' }, async () => {
        const { data } = await transport.get<{ entities?: Array<{ id?: string }> }>('/api/v2/notifications/availabletopics', { signal: context.interrupts.signal });
        const topics = data?.entities ?? [];
        const conversations = topics.filter((t) => /conversations/.test(t.id ?? '')).length;
        return { summary: `${topics.length} notification topics available (${conversations} about conversations)` };
      });
    } else {
      for (const name of ['identity', 'search', 'analytics jobs', 'history', 'events']) add({ name, status: 'skip', summary: 'needs a token' });
    }
  } else {
    for (const name of ['token', 'identity', 'search', 'analytics jobs', 'history', 'events']) {
      add({ name, status: 'skip', summary: environment ? 'needs credentials' : 'needs a region' });
    }
  }
  await guestCheck(context, settings, environment, add);
  if (connection) add(rateLimitCheck(connection));
  await databaseCheck(settings, add);
  await directoryCheck('archive directory', settings.archiveDir, ['archive run', 'archive verify'], add);
  bar.clear();

  const failed = checks.filter((c) => c.status === 'fail');
  const warned = checks.filter((c) => c.status === 'warn');
  output.result({ ok: failed.length === 0, profile: settings.profile ?? null, configFile: settings.configFile, checks }, () => [
    `gcm doctor${settings.profile ? ` — profile ${settings.profile}` : ''}`,
    '',
    ...checks.flatMap((c) => [
      `  ${c.status.padEnd(4)}  ${c.name.padEnd(18)} ${c.summary}${c.durationMs !== undefined ? ` (${c.durationMs} ms)` : ''}`,
      ...(c.permission && c.status === 'fail' ? [`${' '.repeat(26)}needs permission ${c.permission}`] : []),
      ...(c.hint && (c.status === 'fail' || c.status === 'warn') ? [`${' '.repeat(26)}→ ${c.hint}`] : []),
    ]),
    '',
    failed.length === 0
      ? `All checks passed${warned.length ? ` (${warned.length} warning${warned.length === 1 ? '' : 's'})` : ''}.`
      : `${failed.length} check${failed.length === 1 ? '' : 's'} failed: ${failed.map((c) => c.name).join(', ')}.`,
  ]);
  if (failed.some((c) => c.auth)) return ExitCode.Auth;
  return failed.length > 0 ? ExitCode.Failure : ExitCode.Ok;
}

function configCheck(settings: CliSettings): DoctorCheck {
  const from = [...new Set(Object.values(settings.sources).filter((s) => s !== 'default'))];
  const secretInFile = settings.sources.clientSecret?.startsWith('profile ');
  if (secretInFile && readableByOthers(settings.configFile)) {
    return {
      name: 'config',
      status: 'warn',
      summary: `${settings.configFile} holds the client secret and other users can read it`,
      hint: `chmod 600 ${settings.configFile}`,
    };
  }
  return {
    name: 'config',
    status: 'ok',
    summary: `${settings.profile ? `profile ${settings.profile} of ${settings.configFile}` : 'no profile'}; settings from ${from.length ? from.join(', ') : 'defaults only'}`,
  };
}

function regionCheck(settings: CliSettings, add: (check: DoctorCheck) => void): GenesysEnvironment | undefined {
  const { region, apiBaseUrl, loginBaseUrl } = settings.values;
  try {
    const environment = resolveGenesysEnvironment({ region, apiBaseUrl, loginBaseUrl });
    add({
      name: 'region',
      status: 'ok',
      summary: environment.region
        ? `${environment.region}: ${environment.apiBaseUrl} (login ${environment.loginBaseUrl})`
        : `custom hosts: API ${environment.apiBaseUrl}, login ${environment.loginBaseUrl}`,
    });
    return environment;
  } catch (error) {
    add({ name: 'region', status: 'fail', summary: (error as Error).message, hint: 'Set GENESYSCLOUD_REGION (e.g. eu-west-1) or GENESYSCLOUD_API_BASE_URL.' });
    return undefined;
  }
}

function credentialsCheck(settings: CliSettings, add: (check: DoctorCheck) => void): boolean {
  const { clientId, clientSecret } = settings.values;
  if (clientId && clientSecret) {
    add({ name: 'credentials', status: 'ok', summary: `client id ${maskIdentifier(clientId)} (${settings.sources.clientId}), secret set (${settings.sources.clientSecret})` });
    return true;
  }
  const missing = [!clientId && 'GENESYSCLOUD_OAUTHCLIENT_ID', !clientSecret && 'GENESYSCLOUD_OAUTHCLIENT_SECRET'].filter(Boolean).join(', ');
  add({
    name: 'credentials',
    status: 'fail',
    auth: true,
    summary: `missing ${missing}`,
    hint: 'Create a Client Credentials OAuth client in Genesys Cloud (Admin > Integrations > OAuth) and set both variables, or use --profile; `gcm sandbox` gives a local one.',
  });
  return false;
}

async function tokenCheck(connection: GenesysConnection, add: (check: DoctorCheck) => void): Promise<boolean> {
  const started = Date.now();
  try {
    // every client of a pool logs in: one with a wrong secret fails the check, naming its variables
    for (const client of connection.clients) await client.getToken();
    const expiresAt = connection.tokens.expiresAt;
    const pool = connection.clients.length > 1 ? ` for all ${connection.clients.length} clients of the pool` : '';
    add({
      name: 'token',
      status: 'ok',
      summary: `client credentials grant at ${connection.environment.loginBaseUrl}${pool}${expiresAt ? `; valid for ${duration(expiresAt - Date.now())}` : ''}`,
      durationMs: Date.now() - started,
    });
    return true;
  } catch (error) {
    const genesys = findGenesysError(error);
    const auth = genesys?.category === 'auth' || genesys?.category === 'permission';
    add({
      name: 'token',
      status: 'fail',
      auth,
      summary: (error as Error).message,
      hint: auth ? 'The client id or secret is wrong, the client is inactive, or it belongs to another region.' : `Cannot reach ${connection.environment.loginBaseUrl}; check the region, a proxy or the network.`,
      durationMs: Date.now() - started,
    });
    return false;
  }
}

/** Runs one network check: ok with its summary, or fail naming the permission on a 403. */
async function timed<T>(
  add: (check: DoctorCheck) => void,
  name: string,
  meta: { needs?: readonly string[]; permission?: string },
  run: () => Promise<{ summary: string; status?: CheckStatus; hint?: string; value?: T }>,
): Promise<T | undefined> {
  const started = Date.now();
  try {
    const result = await run();
    add({ name, status: result.status ?? 'ok', summary: result.summary, ...meta, ...(result.hint ? { hint: result.hint } : {}), durationMs: Date.now() - started });
    return result.value;
  } catch (error) {
    const genesys = findGenesysError(error);
    const category = genesys?.category;
    add({
      name,
      status: 'fail',
      summary: genesys ? `${genesys.method ?? ''} ${genesys.path ?? ''} answered ${genesys.status} ${genesys.code}`.trim() : (error as Error).message,
      ...meta,
      auth: category === 'auth' || category === 'permission',
      hint:
        category === 'permission'
          ? `Add a role with ${meta.permission ?? 'the permission'} to the OAuth client.`
          : category === 'rate-limit'
            ? 'Rate limited: another client shares this budget; try again in a minute.'
            : genesys instanceof GenesysApiError
              ? genesys.message
              : undefined,
      durationMs: Date.now() - started,
    });
    return undefined;
  }
}

async function guestCheck(context: CommandContext, settings: CliSettings, environment: GenesysEnvironment | undefined, add: (check: DoctorCheck) => void): Promise<void> {
  const deploymentId = settings.values.deploymentId;
  const needs = ['session create', 'message send --session'];
  if (!deploymentId) {
    add({ name: 'guest deployment', status: 'skip', summary: 'no deployment configured', needs, hint: 'Set GCM_DEPLOYMENT_ID (a web messaging deployment) or pass --deployment-id.' });
    return;
  }
  if (!environment) {
    add({ name: 'guest deployment', status: 'skip', summary: 'needs a region', needs });
    return;
  }
  // the deployment's public configuration: api-cdn.{domain} on Genesys Cloud, the API host otherwise
  const base = environment.domain && !settings.values.apiBaseUrl ? `https://api-cdn.${environment.domain}` : environment.apiBaseUrl;
  const url = `${base}/webdeployments/v1/deployments/${encodeURIComponent(deploymentId)}/config.json`;
  const started = Date.now();
  try {
    const response = await fetch(url, { signal: AbortSignal.any([context.interrupts.signal, AbortSignal.timeout(10_000)]) });
    const ok = response.ok;
    add({
      name: 'guest deployment',
      status: ok ? 'ok' : 'fail',
      summary: ok ? `deployment ${deploymentId} is published (${url})` : `deployment ${deploymentId}: ${url} answered ${response.status}`,
      needs,
      ...(ok ? {} : { hint: 'Check GCM_DEPLOYMENT_ID: a web messaging deployment of this region, and that it is active.' }),
      durationMs: Date.now() - started,
    });
  } catch (error) {
    add({ name: 'guest deployment', status: 'fail', summary: `cannot read ${url}: ${(error as Error).message}`, needs, durationMs: Date.now() - started });
  }
}

function rateLimitCheck(connection: GenesysConnection): DoctorCheck {
  const budget = connection.transport.rateLimit;
  if (!budget) return { name: 'rate limit', status: 'skip', summary: `${connection.transport.requestCount} calls made; Genesys sent no inin-ratelimit headers` };
  const low = budget.remaining < budget.allowed * 0.1;
  return {
    name: 'rate limit',
    status: low ? 'warn' : 'ok',
    summary: `${budget.used} of ${budget.allowed} requests used this minute (${budget.remaining} left)`,
    ...(low ? { hint: 'Another client is using most of this token budget; long searches and archives will be slowed by 429s.' } : {}),
  };
}

async function databaseCheck(settings: CliSettings, add: (check: DoctorCheck) => void): Promise<void> {
  const needs = ['archive run', 'archive verify'];
  const shown = redactDatabaseUrl(settings.databaseUrl);
  let target;
  try {
    target = parseDatabaseUrl(settings.databaseUrl, 'GCM_DATABASE_URL');
  } catch (error) {
    add({ name: 'database', status: 'fail', summary: (error as Error).message, needs });
    return;
  }
  if (target.engine === 'sqlite') {
    // never create the file here: check that it, or the directory it will be created in, is writable
    if (target.filename === ':memory:') {
      add({ name: 'database', status: 'ok', summary: `${shown} (in memory)`, needs });
      return;
    }
    const path = resolve(target.filename);
    const exists = await stat(path).then(() => true, () => false);
    const writable = await firstExisting(exists ? path : dirname(path)).then((p) => access(p, constants.W_OK).then(() => true, () => false));
    add({
      name: 'database',
      status: writable ? 'ok' : 'fail',
      summary: `${shown} ${exists ? 'exists' : 'will be created on first use'}${writable ? '' : ' but is not writable'}`,
      needs,
    });
    return;
  }
  const started = Date.now();
  try {
    const store = await openDatabase(settings.databaseUrl, { migrate: false, connectTimeoutMs: 5_000, urlSource: 'GCM_DATABASE_URL' });
    await store.close();
    add({ name: 'database', status: 'ok', summary: `${shown} reachable`, needs, durationMs: Date.now() - started });
  } catch (error) {
    add({ name: 'database', status: 'fail', summary: (error as Error).message, needs, durationMs: Date.now() - started });
  }
}

async function directoryCheck(name: string, directory: string, needs: readonly string[], add: (check: DoctorCheck) => void): Promise<void> {
  const exists = await stat(directory).then((s) => s.isDirectory(), () => false);
  const writable = await firstExisting(directory).then((p) => access(p, constants.W_OK).then(() => true, () => false));
  add({
    name,
    status: writable ? 'ok' : 'fail',
    summary: `${directory} ${exists ? 'exists' : 'will be created on first use'}${writable ? '' : ' but is not writable'}`,
    needs,
  });
}

async function firstExisting(path: string): Promise<string> {
  let current = resolve(path);
  for (;;) {
    if (await stat(current).then(() => true, () => false)) return current;
    const parent = dirname(current);
    if (parent === current) return current;
    current = parent;
  }
}

function duration(ms: number): string {
  if (ms >= 2 * 3_600_000) return `${Math.round(ms / 3_600_000)} h`;
  if (ms >= 120_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.max(0, Math.round(ms / 1_000))} s`;
}
