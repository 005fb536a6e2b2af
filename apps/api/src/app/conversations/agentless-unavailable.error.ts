import { ApiError } from '../problem/api.error';

/** 422: agentless sending is not possible for this conversation with this configuration. */
export class AgentlessUnavailableError extends ApiError {
  constructor(reason: string) {
    super({
      status: 422,
      slug: 'agentless-unavailable',
      title: 'Agentless sending is not available here',
      detail: `${reason} Agentless messages go to SMS and Open Messaging conversations from the number or integration set in GCM_API_AGENTLESS_FROM.`,
    });
  }
}
