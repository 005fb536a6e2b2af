import type { SenderRole } from '../timeline.model';

/**
 * Participant purposes (Genesys `purpose`) by the role their messages play in a transcript.
 * `workflow` is an Architect inbound message flow and `bot` a bot connector: automation,
 * not a person. `acd` (the queue), `api` (agentless sending) and anything unknown speak
 * for the organisation as a system.
 */
const ROLE_BY_PURPOSE: Readonly<Record<string, SenderRole>> = {
  customer: 'customer',
  external: 'customer',
  agent: 'agent',
  user: 'agent',
  workflow: 'bot',
  bot: 'bot',
  ivr: 'bot',
  virtualagent: 'bot',
  acd: 'system',
  api: 'system',
  system: 'system',
};

export function roleOfPurpose(purpose: string | undefined): SenderRole {
  return ROLE_BY_PURPOSE[(purpose ?? '').toLowerCase()] ?? 'system';
}

/**
 * The role of a message's sender. An agent-side message Genesys marks as sent by a bot
 * (`originatingEntity: Bot`) is a bot's; without a known sender participant the direction
 * decides (inbound comes from the customer).
 */
export function senderRoleOf(
  purpose: string | undefined,
  direction: 'inbound' | 'outbound',
  originatingEntity: string | undefined,
): SenderRole {
  if (purpose === undefined) {
    if (direction === 'inbound') return 'customer';
    return originatingEntity === 'Bot' ? 'bot' : 'agent';
  }
  const role = roleOfPurpose(purpose);
  return role === 'agent' && originatingEntity === 'Bot' ? 'bot' : role;
}
