import { checkText, type TextKind } from '@gcm/text-policy';
import { ViolationCode, type MessageViolation } from './message-validation.error';

/**
 * The one text policy (`@gcm/text-policy`) as message violations: what the API refuses,
 * the CLI and every other caller of the validator refuse too, before anything is sent.
 * Unlike the content policy it cannot be configured away.
 */
export function textPolicyViolations(text: unknown, field: string, kind: Exclude<TextKind, 'any'>): MessageViolation[] {
  if (typeof text !== 'string' || text === '') return [];
  const problem = checkText(text, kind);
  if (!problem) return [];
  return [{ field, code: ViolationCode.UnsafeText, limit: 'text policy', actual: problem.code, message: `${field} ${problem.message}` }];
}
