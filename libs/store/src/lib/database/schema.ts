import type { Generated } from 'kysely';

/*
 * Row shapes of every table. Times are epoch milliseconds in BIGINT (PostgreSQL) /
 * INTEGER (SQLite) columns: one representation that both engines order and compare the
 * same way, and that the injected clock produces directly.
 */

export interface CheckpointsTable {
  job_name: string;
  watermark: number | null;
  /** JSON text */
  resume_token: string | null;
  /** incremented by every write; the compare-and-set token */
  revision: number;
  updated_at: number;
}

export interface ArchiveIndexTable {
  conversation_id: string;
  version: number;
  content_hash: string;
  location: string;
  archived_at: number;
}

/** One row per archived conversation: its newest version, described for listing and filtering. */
export interface ArchiveCatalogTable {
  conversation_id: string;
  version: number;
  content_hash: string;
  /** the conversation's start, or its archive time when Genesys gave none (the sort key) */
  started_at: number;
  ended_at: number | null;
  /** `,q1,q2,` (sorted, comma-fenced) so one queue is matched with LIKE on both engines */
  queue_ids: string;
  messenger_type: string | null;
  message_count: number;
  participant_count: number;
  integrity_findings: number;
  out_of_order: number;
  sla_breaches: number;
  archived_at: number;
}

/** Columns shared by every leased queue table (work items, outbox). */
export interface LeasedColumns {
  status: string;
  attempts: number;
  max_attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
}

export interface WorkItemsTable extends LeasedColumns {
  id: Generated<number>;
  queue: string;
  item_key: string;
  /** JSON text */
  payload: string | null;
}

export interface OutboxTable extends LeasedColumns {
  id: string;
  kind: string;
  destination: string;
  /** the exact body to deliver */
  payload: string;
  idempotency_key: string;
}

export interface JobRunsTable {
  id: Generated<number>;
  job_name: string;
  status: string;
  started_at: number;
  ended_at: number | null;
  /** JSON object of named counters */
  counts: string;
  /** JSON array of error strings */
  errors: string;
  /** the process running it (a replica id), when known */
  owner: string | null;
  /** when its holder last said it was alive (epoch ms) */
  heartbeat_at: number | null;
}

export interface ArchiveDocumentsTable {
  conversation_id: string;
  version: number;
  content_hash: string;
  /** jsonb on PostgreSQL, JSON text on SQLite; read back as text on both */
  document: string;
  archived_at: number;
}

export interface QaSnapshotsTable {
  name: string;
  version: number;
  window_start: number;
  window_end: number;
  content_hash: string;
  /** jsonb on PostgreSQL, JSON text on SQLite; read back as text on both */
  document: string;
  created_at: number;
}

export interface StoreSchema {
  checkpoints: CheckpointsTable;
  archive_index: ArchiveIndexTable;
  work_items: WorkItemsTable;
  outbox: OutboxTable;
  job_runs: JobRunsTable;
  archive_documents: ArchiveDocumentsTable;
  qa_snapshots: QaSnapshotsTable;
  archive_catalog: ArchiveCatalogTable;
  review_sessions: ReviewSessionsTable;
}

/** A review pages sign-in: the SHA-256 of its random id, the key it was opened with, its expiry. */
export interface ReviewSessionsTable {
  id_hash: string;
  key_id: string;
  /** the SHA-256 of the API key (as configured in GCM_API_KEYS): a rotated key ends its sessions */
  key_sha256: string;
  created_at: number;
  expires_at: number;
}

export type LeasedTableName = 'work_items' | 'outbox';
