import { SeededRandom } from '../random/seeded-random';
import { FaultConfig, FaultOutcome, FaultSettings, OUTCOME_KEYS, resolveFaultSettings } from './fault-profiles';

export interface FaultDecision {
  latencyMs: number;
  outcome: FaultOutcome | 'none';
}

/**
 * Decides, per eligible request and in arrival order, whether to misbehave. Every decision
 * draws the same number of values from one seeded stream, so a run with the same seed and
 * the same request sequence fails in exactly the same places.
 */
export class FaultInjector {
  private settings: FaultSettings;
  private readonly rng: SeededRandom;
  private readonly jobRng: SeededRandom;
  private readonly notificationRng: SeededRandom;
  private revokedTokens = 0;

  constructor(seed: number, config: FaultConfig | undefined, rateLimitOverride?: number) {
    this.settings = resolveFaultSettings(config);
    if (rateLimitOverride !== undefined) this.settings.rateLimitPerMinute = rateLimitOverride;
    this.rng = SeededRandom.derive(seed, 'faults', 'requests');
    this.jobRng = SeededRandom.derive(seed, 'faults', 'jobs');
    this.notificationRng = SeededRandom.derive(seed, 'faults', 'notifications');
  }

  get current(): Readonly<FaultSettings> {
    return this.settings;
  }

  /** Replaces the settings at runtime; the random stream carries on. */
  configure(config: FaultConfig, rateLimitOverride?: number): FaultSettings {
    const next = resolveFaultSettings(config);
    if (rateLimitOverride !== undefined) next.rateLimitPerMinute = rateLimitOverride;
    this.settings = next;
    return next;
  }

  decide(): FaultDecision {
    const latencyRoll = this.rng.next();
    const outcomeRoll = this.rng.next();
    const s = this.settings;
    const latencyMs = s.latencyMs + Math.floor(latencyRoll * s.latencyJitterMs);
    let threshold = 0;
    for (const key of OUTCOME_KEYS) {
      threshold += s[key];
      if (outcomeRoll < threshold) return { latencyMs, outcome: key };
    }
    return { latencyMs, outcome: 'none' };
  }

  /** Whether the token that just made its n-th authenticated request is revoked now. */
  shouldRevokeToken(requestsWithToken: number): boolean {
    const { revokeTokenAfterRequests, revokeTokenLimit } = this.settings;
    if (revokeTokenAfterRequests <= 0 || this.revokedTokens >= revokeTokenLimit) return false;
    if (requestsWithToken <= revokeTokenAfterRequests) return false;
    this.revokedTokens++;
    return true;
  }

  /** Drawn once per submitted analytics job. */
  jobFails(): boolean {
    return this.jobRng.next() < this.settings.jobFailure;
  }

  /** Drawn once per frame a notifications socket is about to send; own stream, so REST faults stay put. */
  notificationSocketDrops(): boolean {
    if (this.settings.notificationDrop <= 0) return false;
    return this.notificationRng.next() < this.settings.notificationDrop;
  }
}
