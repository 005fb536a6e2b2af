import { ViolationCode, type MessageViolation } from './message-validation.error';

export interface ContentPolicyRule {
  /** Shown in the violation instead of the matched text, e.g. "script tag". */
  name: string;
  pattern: RegExp;
}

export interface ContentPolicyOptions {
  /** Replaces the default rules. */
  blockedPatterns?: readonly ContentPolicyRule[];
  /** Added to the default rules (or to `blockedPatterns`). */
  extraBlockedPatterns?: readonly ContentPolicyRule[];
}

export const DEFAULT_BLOCKED_PATTERNS: readonly ContentPolicyRule[] = Object.freeze([
  { name: 'script tag', pattern: /<\s*\/?\s*script\b/i },
  { name: 'javascript: URL', pattern: /\bjavascript\s*:/i },
]);

/**
 * What an organisation refuses to send whatever the channel allows: markup that would run
 * in a browser-based agent desktop, or anything else it configures.
 */
export class ContentPolicy {
  readonly rules: readonly ContentPolicyRule[];

  constructor(options: ContentPolicyOptions = {}) {
    const base = options.blockedPatterns ?? DEFAULT_BLOCKED_PATTERNS;
    // a /g or /y pattern keeps lastIndex between calls and would skip matches
    this.rules = [...base, ...(options.extraBlockedPatterns ?? [])].map((rule) => ({
      name: rule.name,
      pattern: new RegExp(rule.pattern.source, rule.pattern.flags.replace(/[gy]/g, '')),
    }));
  }

  check(text: string | undefined, field: string): MessageViolation[] {
    if (!text) return [];
    return this.rules
      .filter((rule) => rule.pattern.test(text))
      .map((rule) => ({
        field,
        code: ViolationCode.BlockedContent,
        limit: rule.name,
        actual: rule.name,
        message: `${field} contains blocked content (${rule.name}); the content policy forbids it`,
      }));
  }
}
