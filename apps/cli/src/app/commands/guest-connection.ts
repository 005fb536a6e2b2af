import { showLine, showText } from '@gcm/text-policy';
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { resolveGenesysEnvironment } from '@gcm/genesys-auth';
import { GuestSession, type GuestAttachmentFile, type StructuredMessage } from '@gcm/messaging-client';
import { UsageError } from '../runtime/cli.error';
import type { CommandContext } from '../runtime/command-context';

export interface GuestTarget {
  readonly deploymentId?: string;
  readonly origin?: string;
  /** Resume this session instead of starting one. */
  readonly token?: string;
}

/**
 * Opens (or resumes) a guest session on the deployment. The guest socket needs no OAuth
 * client: only where Genesys is (region or API host) and the deployment id.
 */
export async function openGuestSession(context: CommandContext, target: GuestTarget): Promise<GuestSession> {
  const { values } = context.settings;
  const deploymentId = target.deploymentId ?? values.deploymentId;
  if (!deploymentId) {
    throw new UsageError('No web messaging deployment: pass --deployment-id or set GCM_DEPLOYMENT_ID', 'Find it in Genesys Cloud under Admin > Message > Messenger Deployments; the sandbox profile sets it.');
  }
  const environment = resolveGenesysEnvironment({ region: values.region, apiBaseUrl: values.apiBaseUrl, loginBaseUrl: values.loginBaseUrl });
  const origin = target.origin ?? values.guestOrigin;
  context.output.debug(`guest socket for deployment ${deploymentId} via ${environment.apiBaseUrl}`);
  return GuestSession.open({
    deploymentId,
    apiBaseUrl: environment.apiBaseUrl,
    ...(origin ? { origin } : {}),
    ...(target.token ? { token: target.token } : {}),
    // one command, one exchange: a keep-alive timer would only hold the process open
    keepAlive: false,
    reconnect: { maxAttempts: 3 },
  });
}

/** The next agent (or bot) message, or undefined after `seconds` or on Ctrl-C. */
export async function nextAgentMessage(context: CommandContext, session: GuestSession, seconds: number): Promise<StructuredMessage | undefined> {
  const iterator = session.messages()[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), seconds * 1_000);
  });
  try {
    const next = iterator.next().then((result) => (result.done ? undefined : result.value));
    return await Promise.race([next, timeout, context.interrupts.whenInterrupted().then(() => undefined)]);
  } finally {
    clearTimeout(timer);
    void iterator.return?.();
  }
}

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.mp4': 'video/mp4',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Reads `--file`; the MIME type comes from --mime-type or the extension. */
export async function readAttachment(path: string, mimeType?: string): Promise<GuestAttachmentFile> {
  const type = mimeType ?? MIME_TYPES[extname(path).toLowerCase()];
  if (!type) throw new UsageError(`Cannot tell the MIME type of ${path} from its extension`, 'Pass --mime-type, e.g. --mime-type application/pdf.');
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new UsageError(`Cannot read --file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return { fileName: basename(path), mimeType: type, bytes: new Uint8Array(bytes) };
}

/** `--text -` reads the whole of stdin. */
export async function readText(context: CommandContext, text: string | undefined): Promise<string | undefined> {
  if (text !== '-') return text;
  const chunks: Buffer[] = [];
  for await (const chunk of context.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export function describeAgentMessage(message: StructuredMessage): string {
  const from = message.channel?.from?.nickname ?? message.channel?.from?.firstName ?? (message.originatingEntity === 'Bot' ? 'bot' : 'agent');
  // the agent's name and text are untrusted: no terminal escapes, no bidi reordering
  return `${showLine(from)}: ${message.text === undefined ? '(no text)' : showText(message.text)}`;
}
