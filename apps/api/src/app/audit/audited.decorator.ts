import { SetMetadata } from '@nestjs/common';
import type { ApiRequest } from '../http/api-request';

export const AUDITED_METADATA = 'gcm:audited';

export interface AuditedOptions {
  /** What the call acts on, from the request (never a secret: guest tokens are fingerprinted). */
  readonly target?: (request: ApiRequest) => string | undefined;
}

export interface AuditedMetadata extends AuditedOptions {
  readonly action: string;
}

/**
 * Names the audit action of a mutating route. Every mutating request is recorded whether
 * or not its route carries this (unannotated ones as `http.<method>`), refused ones too.
 */
export const Audited = (action: string, options: AuditedOptions = {}) => SetMetadata(AUDITED_METADATA, { action, ...options } satisfies AuditedMetadata);
