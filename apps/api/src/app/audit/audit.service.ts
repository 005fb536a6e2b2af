import { Inject, Injectable } from '@nestjs/common';
import { AuditTrail, type AuditVerification } from '@gcm/audit';
import { API_CONFIG } from '../config/api-config.token';
import type { ApiConfig } from '../config/api-config';
import { RequestValidationError } from '../problem/request-validation.error';
import type { AuditPageDto, AuditQueryDto } from './audit.dto';
import { AuditTrailReader } from './audit-trail.reader';
import { MutationAuditRecorder } from './mutation-audit.recorder';

@Injectable()
export class AuditService {
  private readonly reader: AuditTrailReader;

  constructor(
    private readonly trail: AuditTrail,
    private readonly recorder: MutationAuditRecorder,
    @Inject(API_CONFIG) config: ApiConfig,
  ) {
    this.reader = new AuditTrailReader(config.audit.dir);
  }

  /** Records of requests answered before this one are included: their writes are awaited first. */
  async list(query: AuditQueryDto): Promise<AuditPageDto> {
    const fromMs = query.from === undefined ? undefined : Date.parse(query.from);
    const toMs = query.to === undefined ? undefined : Date.parse(query.to);
    if (fromMs !== undefined && toMs !== undefined && fromMs >= toMs) {
      throw new RequestValidationError([{ field: 'to', message: `must be after from (${query.from}): the window is empty or reversed`, code: 'REVERSED_WINDOW' }]);
    }
    await this.recorder.settled();
    await this.trail.flush();
    return this.reader.page({
      actor: query.actor,
      action: query.action,
      actionPrefix: query.actionPrefix,
      target: query.target,
      outcome: query.outcome,
      fromMs,
      toMs,
      afterSeq: query.after,
      limit: query.limit ?? 100,
    });
  }

  async verify(): Promise<AuditVerification> {
    await this.recorder.settled();
    return this.trail.verify();
  }
}
