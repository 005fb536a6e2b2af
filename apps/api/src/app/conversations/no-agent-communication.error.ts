import { ApiError } from '../problem/api.error';

/** 409: an agent send needs a connected agent on the conversation, and it has none. */
export class NoAgentCommunicationError extends ApiError {
  constructor(conversationId: string) {
    super({
      status: 409,
      slug: 'no-agent-communication',
      title: 'The conversation has no connected agent',
      detail: `Conversation ${conversationId} has no agent with a connected message communication, so there is nobody to send as. Send with "via": "agentless" (where configured), or wait for an agent to join.`,
    });
  }
}
