import type { CustomerIdentity } from '../data/conversation-record';
import type { GuestServerFrame } from './guest-frames';

/** One socket of a guest, as the session logic sees it. */
export interface GuestConnection {
  readonly id: number;
  /** The deploymentId of the connect URL. */
  readonly urlDeploymentId?: string;
  /** The session this socket configured, once configureSession succeeded. */
  session?: GuestSession;
  send(frame: GuestServerFrame): void;
  /** A clean close (close frame, code 1000). */
  close(reason: string): void;
}

/**
 * A web messaging guest session: created by the first configureSession of a token, resumed
 * by later ones with the same token (any socket), ended by expiry. The token is the guest's
 * credential and stays inside the registry; everything shown outside uses `id`.
 */
export interface GuestSession {
  id: string;
  token: string;
  deploymentId: string;
  customer: CustomerIdentity;
  startedAt: number;
  expiresAt: number;
  expired: boolean;
  /** Conversations of this session, oldest first (a new one starts after a disconnect). */
  conversationIds: string[];
  connections: Set<GuestConnection>;
  /** Clock times of accepted onMessage requests inside the rate window. */
  recentMessages: number[];
  /** Attachment ids this session asked upload URLs for. */
  uploads: Set<string>;
  /** Custom attributes as last sent. */
  customAttributes: Record<string, string>;
  cancelExpiry?: () => void;
}

/** What admin routes and the truth show about a session (no token). */
export interface GuestSessionSummary {
  id: string;
  deploymentId: string;
  customerId: string;
  startedAt: string;
  expiresAt: string;
  expired: boolean;
  connected: number;
  conversationIds: string[];
}
