import type { MessageData } from './message-data.model';
import type { ParticipantState, Wrapup } from './conversation.model';

export interface MessagingTemplateParameter {
  id: string;
  value: string;
  [field: string]: unknown;
}

export interface MessagingTemplate {
  responseId: string;
  parameters?: MessagingTemplateParameter[];
  [field: string]: unknown;
}

/**
 * Body of `POST …/communications/{commId}/messages` (AdditionalMessage). Exactly one body
 * kind per request: text, media ids, or a template.
 */
export type AdditionalMessage =
  | { textBody: string; mediaIds?: never; messagingTemplate?: never }
  | { mediaIds: string[]; textBody?: never; messagingTemplate?: never }
  | { messagingTemplate: MessagingTemplate; textBody?: never; mediaIds?: never };

export type AgentlessMessengerType = 'sms' | 'whatsapp' | 'open';

/** Body of `POST /api/v2/conversations/messages/agentless`. */
export interface SendAgentlessOutboundMessageRequest {
  fromAddress: string;
  toAddress: string;
  toAddressMessengerType: AgentlessMessengerType;
  externalContactId?: string;
  textBody?: string;
  /** Required for WhatsApp. */
  messagingTemplate?: MessagingTemplate;
  useExistingActiveConversation?: boolean;
}

export interface SendAgentlessOutboundMessageResponse {
  id: string;
  conversationId: string;
  fromAddress?: string;
  toAddress?: string;
  messengerType?: AgentlessMessengerType;
  message?: MessageData;
  timestamp?: string;
  user?: { id: string; [field: string]: unknown };
  selfUri?: string;
  [field: string]: unknown;
}

/** Body of `POST …/communications/{commId}/messages/media/uploads`. */
export interface UploadMediaRequest {
  fileName: string;
  contentLengthBytes: number;
  contentMd5?: string;
}

export interface MessageMediaUploadResponse {
  id: string;
  uploadUrl: string;
  uploadHeaders?: Record<string, string>;
  [field: string]: unknown;
}

/**
 * Body of `PATCH /api/v2/conversations/messages/{cid}/participants/{pid}`. There is no
 * If-Match on conversations: the last writer wins.
 */
export interface MediaParticipantRequest {
  state?: Extract<ParticipantState, 'disconnected'> | ParticipantState;
  wrapup?: Wrapup;
  wrapupSkipped?: boolean;
  held?: boolean;
  recording?: boolean;
  muted?: boolean;
  confined?: boolean;
  resumeTime?: string;
}
