import { isoString } from '../clock/sandbox-clock';
import { NO_AGENT } from '../data/conversation-index';
import { SandboxWorld } from '../data/sandbox-world';
import { DimensionValue, UNKNOWN, View } from './analytics-filter';

/**
 * Analytics views of generated conversation i built from the index alone, with UNKNOWN
 * for what only the participants know (ids, names, addresses, disconnect types, wrap-up
 * codes). They mirror ConversationGenerator.skeleton + renderAnalyticsConversation: a
 * filter on index-backed dimensions is decided here without building participants, and
 * only an undecided one falls back to the full tree. A spec test keeps both in step.
 */
export function indexAnalyticsViews(world: SandboxWorld, i: number): { conversation: View; segments: View[] } {
  const { index, catalog } = world;
  const queue = catalog.queues[index.queueIndexOf(i)];
  const conversationId = index.ids[i];
  const divisionIds = [queue.divisionId];
  const end = world.endTimeOf(i);
  const messageType = index.kindOf(i);

  const conversation: View = (dimension) => {
    switch (dimension) {
      case 'conversationId':
        return conversationId;
      case 'conversationStart':
        return isoString(index.startTimes[i]);
      case 'conversationEnd':
        return end === undefined ? undefined : isoString(end);
      case 'conversationInitiator':
        return 'external';
      case 'divisionId':
        return divisionIds;
      case 'originatingDirection':
        return 'inbound';
      default:
        return undefined;
    }
  };

  const segment =
    (purpose: string, segmentType: string, userId: string | undefined, queueId: string | undefined, wrapUpCode: DimensionValue): View =>
    (dimension) => {
      switch (dimension) {
        case 'conversationId':
          return conversationId;
        case 'divisionId':
          return divisionIds;
        case 'mediaType':
          return 'message';
        case 'messageType':
          return messageType;
        case 'direction':
          return 'inbound';
        case 'purpose':
          return purpose;
        case 'segmentType':
          return segmentType;
        case 'userId':
          return userId;
        case 'queueId':
          return queueId;
        case 'wrapUpCode':
          return wrapUpCode;
        default:
          // participantId, participantName, sessionId, addressFrom, addressTo, disconnectType
          return UNKNOWN;
      }
    };

  const segments: View[] = [
    segment('customer', 'interact', undefined, undefined, undefined),
    segment('acd', 'interact', undefined, queue.id, undefined),
  ];
  const agentIndex = index.agentIndexOf(i);
  if (agentIndex !== NO_AGENT) {
    const userId = catalog.agents[agentIndex].id;
    segments.push(segment('agent', 'alert', userId, queue.id, undefined), segment('agent', 'interact', userId, queue.id, undefined));
    if (end !== undefined) segments.push(segment('agent', 'wrapup', userId, queue.id, UNKNOWN));
  }
  return { conversation, segments };
}
