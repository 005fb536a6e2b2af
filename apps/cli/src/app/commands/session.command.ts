import { MessageValidator } from '@gcm/messaging-client';
import type { CommandContext } from '../runtime/command-context';
import { ExitCode } from '../runtime/exit-code';
import { parseKeyValues } from '../runtime/instant-option';
import { openGuestSession } from './guest-connection';

export interface SessionCreateOptions {
  readonly deploymentId?: string;
  readonly origin?: string;
  readonly message?: string;
  readonly attribute?: string[];
}

/**
 * `gcm session create`: a new guest session over the web messaging guest WebSocket
 * (`configureSession`), optionally with a first message. The socket is closed but the
 * session is not: its token resumes it (`gcm message send --session`).
 */
export async function runSessionCreate(context: CommandContext, options: SessionCreateOptions): Promise<ExitCode> {
  const attributes = parseKeyValues(options.attribute ?? [], '--attribute');
  const hasAttributes = Object.keys(attributes).length > 0;
  if (options.message !== undefined || hasAttributes) {
    // refuse a bad first message before a session is opened for it
    new MessageValidator().validateGuestMessage({ text: options.message ?? '', ...(hasAttributes ? { customAttributes: attributes } : {}) });
  }
  const session = await openGuestSession(context, options);
  try {
    const limits = session.limits;
    const sent = options.message !== undefined ? await session.sendText(options.message, { ...(hasAttributes ? { customAttributes: attributes } : {}), signal: context.interrupts.signal }) : undefined;
    const expiresAt = limits.expirationDate ? new Date(limits.expirationDate * 1_000).toISOString() : undefined;
    context.output.result(
      {
        token: session.token,
        deploymentId: session.deploymentId,
        webSocketUrl: session.webSocketUrl,
        ...(expiresAt ? { expiresAt } : {}),
        limits: {
          allowedMimeTypes: limits.allowedMimeTypes ?? [],
          ...(limits.maxSizeBytes !== undefined ? { maxSizeBytes: limits.maxSizeBytes } : {}),
          blockedExtensions: limits.blockedExtensions ?? [],
          ...(limits.maxCustomDataBytes !== undefined ? { maxCustomDataBytes: limits.maxCustomDataBytes } : {}),
        },
        ...(sent ? { sent: { messageId: sent.id, text: sent.text } } : {}),
      },
      () => [
        `Guest session opened on deployment ${session.deploymentId}`,
        `  token     ${session.token}`,
        ...(expiresAt ? [`  expires   ${expiresAt}`] : []),
        `  accepts   ${limits.allowedMimeTypes?.length ? `${limits.allowedMimeTypes.join(', ')} up to ${formatBytes(limits.maxSizeBytes)}` : 'no attachments'}`,
        ...(sent ? [`  sent      message ${sent.id}`] : []),
        '',
        'The token resumes this session; keep it private. Send with:',
        `  gcm message send --session ${session.token} --text "Hello" --wait-reply`,
      ],
    );
    return ExitCode.Ok;
  } finally {
    session.disconnect();
  }
}

function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return 'any size';
  return bytes >= 1_048_576 ? `${Math.round(bytes / 1_048_576)} MB` : `${Math.round(bytes / 1_024)} KB`;
}
