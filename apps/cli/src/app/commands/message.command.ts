import { MessageValidator, MessagingClient, type Conversation } from '@gcm/messaging-client';
import { CliError, UsageError } from '../runtime/cli.error';
import type { CommandContext } from '../runtime/command-context';
import { ExitCode } from '../runtime/exit-code';
import { isGenesysId, parseGenesysId } from '../runtime/id-option';
import { parseCountOption, parseKeyValues } from '../runtime/instant-option';
import { describeAgentMessage, nextAgentMessage, openGuestSession, readAttachment, readText } from './guest-connection';

export interface MessageSendOptions {
  readonly session?: string;
  readonly conversation?: string;
  readonly text?: string;
  readonly file?: string;
  readonly mimeType?: string;
  readonly attribute?: string[];
  readonly deploymentId?: string;
  readonly origin?: string;
  readonly waitReply?: string | boolean;
}

/**
 * `gcm message send`: as the guest of a session (the guest WebSocket), or as the connected
 * agent of a conversation (REST). Either way the message passes the same validation as
 * the API (`MessageValidator`: length in code points per channel, custom data size,
 * attachment type/size/extension, content policy) before anything leaves; a refused
 * message exits 2 and lists every violation.
 */
export async function runMessageSend(context: CommandContext, options: MessageSendOptions): Promise<ExitCode> {
  if (Boolean(options.session) === Boolean(options.conversation)) {
    throw new UsageError('Give exactly one of --session <token> (send as the guest) and --conversation <id> (send as the agent)');
  }
  const text = await readText(context, options.text);
  if (text === undefined && !options.file) throw new UsageError('Nothing to send: pass --text (or --text - for stdin) and/or --file');
  return options.session ? sendAsGuest(context, options.session, text, options) : sendAsAgent(context, parseGenesysId(options.conversation as string, '--conversation'), text, options);
}

async function sendAsGuest(context: CommandContext, token: string, text: string | undefined, options: MessageSendOptions): Promise<ExitCode> {
  const attributes = parseKeyValues(options.attribute ?? [], '--attribute');
  const customAttributes = Object.keys(attributes).length ? attributes : undefined;
  const waitSeconds = waitOption(options.waitReply);
  const attachment = options.file ? await readAttachment(options.file, options.mimeType) : undefined;
  // the checks that need no session limits, before a socket is opened; the session re-checks with its limits
  new MessageValidator().validateGuestMessage({
    ...(text !== undefined ? { text } : {}),
    ...(customAttributes ? { customAttributes } : {}),
    ...(attachment ? { attachment: { fileName: attachment.fileName, mimeType: attachment.mimeType, sizeBytes: attachment.bytes.byteLength } } : {}),
  });
  // a session token is a UUID (what `gcm session create` and Messenger make): anything
  // else names no session, and is refused before a socket is opened
  if (!isGenesysId(token.trim())) {
    throw new CliError(`--session ${JSON.stringify(token.slice(0, 80))} is not a guest session token; nothing was sent`, {
      exitCode: ExitCode.Usage,
      code: 'SESSION_NOT_FOUND',
      hint: 'Pass the token `gcm session create` printed (a UUID), or open a session with it.',
    });
  }
  const session = await openGuestSession(context, { token: token.trim(), deploymentId: options.deploymentId, origin: options.origin });
  try {
    if (session.session.newSession) {
      // Genesys opens a session for any token it does not know: say so, and send nothing,
      // or the message would start a conversation nobody asked for
      await session.closeSession({ closeAllConnections: true }).catch(() => undefined);
      throw new CliError('--session names no open guest session (the token is unknown, or its session ended); nothing was sent', {
        exitCode: ExitCode.Usage,
        code: 'SESSION_NOT_FOUND',
        hint: 'Open one with `gcm session create` and pass the token it prints.',
      });
    }
    const sent = await session.sendMessage(
      { ...(text !== undefined ? { text } : {}), ...(customAttributes ? { customAttributes } : {}), ...(attachment ? { attachment } : {}) },
      { signal: context.interrupts.signal },
    );
    const reply = waitSeconds !== undefined ? await nextAgentMessage(context, session, waitSeconds) : undefined;
    if (waitSeconds !== undefined && !reply && !context.interrupts.interrupted) context.output.warn(`no agent message within ${waitSeconds} s`);
    context.output.result(
      {
        via: 'guest',
        messageId: sent.id,
        ...(sent.channel?.time ? { timestamp: sent.channel.time } : {}),
        ...(reply ? { reply: { messageId: reply.id, text: reply.text, from: reply.channel?.from?.nickname } } : {}),
      },
      () => [`sent message ${sent.id}`, ...(reply ? [describeAgentMessage(reply)] : [])],
    );
    return ExitCode.Ok;
  } finally {
    session.disconnect();
  }
}

async function sendAsAgent(context: CommandContext, conversationId: string, text: string | undefined, options: MessageSendOptions): Promise<ExitCode> {
  if (options.attribute?.length) throw new UsageError('--attribute applies to guest messages (--session) only');
  if (options.waitReply !== undefined) throw new UsageError('--wait-reply applies to guest messages (--session) only');
  if (text !== undefined && options.file) throw new UsageError('An agent message carries text or an attachment, not both: send them as two messages');
  if (text !== undefined) new MessageValidator().validateAgentMessage({ textBody: text });
  const { connection, signal } = await context.connect();
  const client = new MessagingClient({ transport: connection.transport });
  const conversation = await client.getConversation(conversationId, { signal });
  const agent = connectedAgentCommunication(conversation);
  if (!agent) {
    throw new CliError(`Conversation ${conversationId} has no connected agent to send as`, {
      code: 'NO_AGENT_COMMUNICATION',
      hint: 'An agent message needs an agent connected to the conversation; a guest sends with --session.',
    });
  }
  const message = options.file
    ? await client.sendAgentAttachment(conversationId, agent.id, await readAttachment(options.file, options.mimeType), { messengerType: agent.type, signal })
    : await client.sendAgentMessage(conversationId, agent.id, { textBody: text as string }, { messengerType: agent.type, signal });
  context.output.result(
    { via: 'agent', conversationId, communicationId: agent.id, messageId: message.id, ...(message.timestamp ? { timestamp: message.timestamp } : {}), ...(agent.type ? { messengerType: agent.type } : {}) },
    () => `sent message ${message.id} as the agent of conversation ${conversationId}${agent.type ? ` (${agent.type})` : ''}`,
  );
  return ExitCode.Ok;
}

/** The newest agent's connected message communication, as GET /api/v2/conversations/{id} lists it. */
function connectedAgentCommunication(conversation: Conversation): { id: string; type?: string } | undefined {
  for (const participant of [...conversation.participants].reverse()) {
    if (participant.purpose !== 'agent' && participant.purpose !== 'user') continue;
    const messages = (participant as { messages?: Array<{ id?: string; state?: string; type?: string }> }).messages ?? [];
    const communication = messages.find((m) => m.state === 'connected' && typeof m.id === 'string');
    if (communication) return { id: communication.id as string, ...(communication.type ? { type: communication.type } : {}) };
  }
  return undefined;
}

function waitOption(value: string | boolean | undefined): number | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return 30;
  return parseCountOption(value, '--wait-reply', 1, 3_600);
}
