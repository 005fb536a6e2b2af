export enum ViolationCode {
  Required = 'REQUIRED',
  InvalidType = 'INVALID_TYPE',
  InvalidValue = 'INVALID_VALUE',
  TextTooLong = 'TEXT_TOO_LONG',
  /** More than one body kind (text, media ids, template) in one request. */
  AmbiguousBody = 'AMBIGUOUS_BODY',
  EmptyBody = 'EMPTY_BODY',
  TemplateRequired = 'TEMPLATE_REQUIRED',
  CustomAttributesTooLarge = 'CUSTOM_ATTRIBUTES_TOO_LARGE',
  AttachmentTypeNotAllowed = 'ATTACHMENT_TYPE_NOT_ALLOWED',
  AttachmentTooLarge = 'ATTACHMENT_TOO_LARGE',
  BlockedExtension = 'BLOCKED_EXTENSION',
  BlockedContent = 'BLOCKED_CONTENT',
  SessionReadOnly = 'SESSION_READ_ONLY',
  /** Text the one text policy (`@gcm/text-policy`) refuses: lone surrogates, NUL, controls, invisible-only text, a file name with a directory. */
  UnsafeText = 'UNSAFE_TEXT',
}

export interface MessageViolation {
  /** Path of the offending field, e.g. "textBody", "channel.from.idType", "attachment.fileName". */
  field: string;
  code: ViolationCode;
  /** The limit that was exceeded or the allowed values, when there is one. */
  limit?: number | string | readonly string[];
  /** What the message had: a size, a count, a type; never the content itself. */
  actual?: number | string;
  message: string;
}

/**
 * A message refused before it left the process. Each violation names the field, the limit
 * and the actual size; the message text lists them all so a CLI user sees every problem at
 * once. Message content is never copied into the error (it may be personal data).
 */
export class MessageValidationError extends Error {
  readonly code = 'MESSAGE_VALIDATION_FAILED';
  readonly violations: readonly MessageViolation[];

  constructor(violations: readonly MessageViolation[], subject = 'Message') {
    const count = violations.length;
    super(
      `${subject} rejected before sending (${count} problem${count === 1 ? '' : 's'}): ` +
        violations.map((v) => v.message).join('; '),
    );
    this.name = 'MessageValidationError';
    this.violations = violations;
  }

  has(code: ViolationCode): boolean {
    return this.violations.some((v) => v.code === code);
  }
}
