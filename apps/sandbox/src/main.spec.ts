import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { WebSocket } from 'ws';

const ROOT = join(__dirname, '../../..');

/** Runs the app exactly as `npm run sandbox` does (tsx with the base tsconfig). */
function runSandbox(args: string[]): ChildProcess {
  return spawn(join(ROOT, 'node_modules/.bin/tsx'), ['--tsconfig', 'tsconfig.base.json', 'apps/sandbox/src/main.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function firstLine(child: ChildProcess): Promise<string> {
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await once(lines, 'line')) as [string];
  lines.close();
  return line;
}

function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return once(child, 'exit').then(([code]) => code as number | null);
}

function collect(stream: NodeJS.ReadableStream): () => string {
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return () => text;
}

describe('sandbox app', () => {
  it('prints one listening line, serves the API, and exits 0 on SIGTERM', async () => {
    const child = runSandbox(['--port', '0', '--seed', '42', '--conversations', '50', '--agent-reply-ms', '0', '--clients', '2']);
    const stderr = collect(child.stderr!);
    try {
      const line = await firstLine(child);
      const listening = JSON.parse(line);
      expect(Object.keys(listening)).toEqual(['event', 'apiBaseUrl', 'clientId', 'clientSecret', 'clients', 'webMessagingUrl', 'deploymentId']);
      // --clients 2: the first client is clientId/clientSecret, the second another client of the org
      expect(listening.clients).toHaveLength(2);
      expect(listening.clients[0]).toEqual({ clientId: listening.clientId, clientSecret: listening.clientSecret });
      expect(listening.clients[1].clientId).not.toBe(listening.clientId);
      expect(listening.webMessagingUrl).toBe(`${listening.apiBaseUrl.replace('http', 'ws')}/v1`);
      expect(listening.event).toBe('listening');
      expect(listening.apiBaseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      const basic = Buffer.from(`${listening.clientId}:${listening.clientSecret}`).toString('base64');
      const login = await fetch(`${listening.apiBaseUrl}/oauth/token`, {
        method: 'POST',
        headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      expect(login.status).toBe(200);
      const { access_token } = (await login.json()) as { access_token: string };
      const second = await fetch(`${listening.apiBaseUrl}/oauth/token`, {
        method: 'POST',
        headers: {
          Authorization: `Basic ${Buffer.from(`${listening.clients[1].clientId}:${listening.clients[1].clientSecret}`).toString('base64')}`,
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
      expect(second.status).toBe(200);
      const query = await fetch(`${listening.apiBaseUrl}/api/v2/analytics/conversations/details/query`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${access_token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ interval: '2000-01-01T00:00:00Z/2100-01-01T00:00:00Z' }),
      });
      expect(query.status).toBe(200);
      expect(((await query.json()) as { totalHits: number }).totalHits).toBe(50);

      // a web messaging guest on the same port gets the simulated agent's reply
      const guest = new WebSocket(`${listening.webMessagingUrl}?deploymentId=${listening.deploymentId}`);
      const frames: Array<{ class: string; body: { direction?: string } }> = [];
      const reply = new Promise<void>((resolve, reject) => {
        guest.on('message', (data) => {
          frames.push(JSON.parse(data.toString()));
          if (frames.some((f) => f.class === 'StructuredMessage' && f.body.direction === 'Outbound')) resolve();
        });
        guest.on('error', reject);
      });
      await once(guest, 'open');
      const token = '11111111-2222-4333-8444-555555555555';
      guest.send(JSON.stringify({ action: 'configureSession', token, deploymentId: listening.deploymentId }));
      guest.send(JSON.stringify({ action: 'onMessage', token, message: { type: 'Text', text: 'hello from the e2e test' } }));
      await reply;
      expect(frames.map((f) => f.class)).toEqual(['SessionResponse', 'StructuredMessage', 'StructuredMessage']);
      guest.terminate();
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exitCode(child)).toBe(0);
    expect(stderr()).toBe('');
  });

  it('exits 0 on SIGINT too', async () => {
    const child = runSandbox(['--port', '0', '--conversations', '5']);
    await firstLine(child);
    child.kill('SIGINT');
    expect(await exitCode(child)).toBe(0);
  });

  it('rejects a bad flag with one line naming the flag and the limit, exit 2', async () => {
    const child = runSandbox(['--conversations', '2000000']);
    const stderr = collect(child.stderr!);
    expect(await exitCode(child)).toBe(2);
    expect(stderr()).toBe('sandbox: --conversations must be an integer between 0 and 1000000 (got "2000000")\n');
  });
});
