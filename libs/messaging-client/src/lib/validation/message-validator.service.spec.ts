import { ContentPolicy } from './content-policy';
import { MessageValidationError, ViolationCode } from './message-validation.error';
import { MessageValidator, extensionOf, guestLimitsFromSession } from './message-validator.service';
import { codePointLength } from './text-limits';

describe('MessageValidator', () => {
  const validator = new MessageValidator();

  describe('text length per channel, in Unicode code points', () => {
    it('rejects a 2,001-character agent text with a message naming the field, the limit and the actual size', () => {
      const violations = validator.checkAgentMessage({ textBody: 'a'.repeat(2001) }, 'webmessaging');
      expect(violations).toEqual([
        expect.objectContaining({ field: 'textBody', code: ViolationCode.TextTooLong, limit: 2000, actual: 2001 }),
      ]);
      expect(violations[0].message).toBe('textBody is 2,001 characters (Unicode code points); the limit for webmessaging messages is 2,000');
    });

    it('accepts exactly 2,000 characters', () => {
      expect(validator.checkAgentMessage({ textBody: 'a'.repeat(2000) }, 'webmessaging')).toEqual([]);
    });

    it('applies 765 characters to SMS', () => {
      expect(validator.checkAgentMessage({ textBody: 'a'.repeat(765) }, 'sms')).toEqual([]);
      const [violation] = validator.checkAgentMessage({ textBody: 'a'.repeat(766) }, 'sms');
      expect(violation).toMatchObject({ code: ViolationCode.TextTooLong, limit: 765, actual: 766 });
      expect(violation.message).toContain('sms');
    });

    it('counts an astral emoji once, although it is two UTF-16 units', () => {
      const text = '😀'.repeat(2000);
      expect(text.length).toBe(4000);
      expect(codePointLength(text)).toBe(2000);
      expect(validator.checkAgentMessage({ textBody: text })).toEqual([]);
      expect(validator.checkAgentMessage({ textBody: text + 'x' })[0]).toMatchObject({ actual: 2001 });
    });

    it('uses the agentless messenger type and the open channel limit', () => {
      const sms = validator.checkAgentlessMessage({ fromAddress: '+1', toAddress: '+2', toAddressMessengerType: 'sms', textBody: 'x'.repeat(766) });
      expect(sms).toEqual([expect.objectContaining({ field: 'textBody', limit: 765, actual: 766 })]);
      const open = validator.checkOpenInboundMessage({
        channel: { from: { id: 'c1', idType: 'Opaque' }, time: '2026-01-01T00:00:00Z' },
        text: 'x'.repeat(2001),
      });
      expect(open).toEqual([expect.objectContaining({ field: 'text', code: ViolationCode.TextTooLong, limit: 2000, actual: 2001 })]);
    });
  });

  describe('body kinds', () => {
    it('refuses two body kinds in one agent request and an empty body', () => {
      expect(validator.checkAgentMessage({ textBody: 'hi', mediaIds: ['m1'] })).toEqual([
        expect.objectContaining({ code: ViolationCode.AmbiguousBody, actual: 'textBody + mediaIds' }),
      ]);
      expect(validator.checkAgentMessage({})).toEqual([expect.objectContaining({ code: ViolationCode.EmptyBody })]);
      expect(validator.checkAgentMessage({ mediaIds: ['m1'] })).toEqual([]);
      expect(validator.checkAgentMessage({ messagingTemplate: { responseId: 'r1', parameters: [{ id: 'name', value: 'Ada' }] } })).toEqual([]);
    });

    it('checks nested template fields', () => {
      const violations = validator.checkAgentMessage({ messagingTemplate: { responseId: '', parameters: [{ id: 'x' }] } });
      expect(violations.map((v) => v.field).sort()).toEqual(['messagingTemplate.parameters.0.value', 'messagingTemplate.responseId']);
    });

    it('requires a template for agentless WhatsApp and names bad enum values with the allowed ones', () => {
      expect(validator.checkAgentlessMessage({ fromAddress: 'a', toAddress: 'b', toAddressMessengerType: 'whatsapp', textBody: 'hi' })).toEqual([
        expect.objectContaining({ field: 'messagingTemplate', code: ViolationCode.TemplateRequired }),
      ]);
      const [bad] = validator.checkAgentlessMessage({ fromAddress: 'a', toAddress: 'b', toAddressMessengerType: 'fax', textBody: 'hi' });
      expect(bad).toMatchObject({ field: 'toAddressMessengerType', code: ViolationCode.InvalidValue, limit: ['sms', 'whatsapp', 'open'], actual: 'fax' });
    });

    it('reports missing required fields as REQUIRED', () => {
      const violations = validator.checkOpenInboundMessage({ channel: { from: { idType: 'Email' } }, text: 'hi' });
      expect(violations).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ field: 'channel.from.id', code: ViolationCode.Required }),
          expect.objectContaining({ field: 'channel.time', code: ViolationCode.Required }),
        ]),
      );
    });
  });

  describe('guest messages against the session limits', () => {
    const limits = guestLimitsFromSession({
      connected: true,
      allowedMedia: { inbound: { fileTypes: [{ type: 'image/*' }, { type: 'application/pdf' }], maxFileSizeKB: 100 } },
      blockedExtensions: ['.exe', 'BAT'],
      maxCustomDataBytes: 50,
    });

    it('rejects a blocked extension, naming the field and the blocked list', () => {
      const violations = validator.checkAttachment({ fileName: 'invoice.pdf.EXE', mimeType: 'application/pdf', sizeBytes: 10 }, limits);
      expect(violations).toEqual([
        expect.objectContaining({ field: 'attachment.fileName', code: ViolationCode.BlockedExtension, actual: '.exe', limit: ['.exe', '.bat'] }),
      ]);
      expect(violations[0].message).toBe('attachment.fileName has the blocked extension .exe; the session blocks .exe, .bat');
    });

    it('sees through trailing dots and spaces', () => {
      expect(extensionOf('run.bat. ')).toBe('bat');
      expect(validator.checkAttachment({ fileName: 'run.bat. ', mimeType: 'image/png', sizeBytes: 1 }, limits)[0].code).toBe(ViolationCode.BlockedExtension);
    });

    it('rejects a type outside allowedMedia and a file above maxFileSizeKB', () => {
      const violations = validator.checkAttachment({ fileName: 'a.zip', mimeType: 'application/zip', sizeBytes: 100 * 1024 + 1 }, limits);
      expect(violations).toEqual([
        expect.objectContaining({ field: 'attachment.mimeType', code: ViolationCode.AttachmentTypeNotAllowed, actual: 'application/zip' }),
        expect.objectContaining({ field: 'attachment.sizeBytes', code: ViolationCode.AttachmentTooLarge, limit: 102_400, actual: 102_401 }),
      ]);
      expect(validator.checkAttachment({ fileName: 'a.jpg', mimeType: 'IMAGE/JPEG; charset=x', sizeBytes: 100 * 1024 }, limits)).toEqual([]);
    });

    it('refuses every attachment when the session allows no media', () => {
      const none = guestLimitsFromSession({ connected: true });
      const [violation] = validator.checkAttachment({ fileName: 'a.png', mimeType: 'image/png', sizeBytes: 1 }, none);
      expect(violation.message).toContain('none (attachments are disabled)');
    });

    it('measures custom attributes as UTF-8 JSON bytes against maxCustomDataBytes', () => {
      const attributes = { name: 'é'.repeat(20) }; // {"name":"…"} = 11 + 40 bytes
      const bytes = Buffer.byteLength(JSON.stringify(attributes));
      expect(bytes).toBe(51);
      const violations = validator.checkGuestMessage({ text: 'hi', customAttributes: attributes }, limits);
      expect(violations).toEqual([expect.objectContaining({ field: 'customAttributes', code: ViolationCode.CustomAttributesTooLarge, limit: 50, actual: 51 })]);
      expect(violations[0].message).toBe('customAttributes is 51 bytes as JSON; the session allows at most 50 bytes (maxCustomDataBytes)');
      expect(validator.checkGuestMessage({ text: 'hi', customAttributes: { name: 'é'.repeat(19) } }, limits)).toEqual([]);
    });

    it('requires string attribute values and refuses read-only sessions', () => {
      const violations = validator.checkGuestMessage({ text: 'hi', customAttributes: { n: 1 as unknown as string } }, { readOnly: true });
      expect(violations.map((v) => v.code).sort()).toEqual([ViolationCode.InvalidType, ViolationCode.SessionReadOnly]);
    });
  });

  describe('content policy', () => {
    it('blocks script tags by default without echoing the content', () => {
      const violations = validator.checkGuestMessage({ text: 'hello <SCRIPT src=x>secret</script>' });
      expect(violations).toEqual([expect.objectContaining({ field: 'text', code: ViolationCode.BlockedContent, actual: 'script tag' })]);
      expect(violations[0].message).not.toContain('secret');
    });

    it('takes configured patterns, and a /g pattern matches on every call', () => {
      const custom = new MessageValidator({ contentPolicy: new ContentPolicy({ blockedPatterns: [{ name: 'card number', pattern: /\b\d{16}\b/g }] }) });
      for (let i = 0; i < 3; i++) {
        expect(custom.checkAgentMessage({ textBody: 'card 4111111111111111' })).toEqual([expect.objectContaining({ code: ViolationCode.BlockedContent, limit: 'card number' })]);
      }
      expect(custom.checkAgentMessage({ textBody: '<script>' })).toEqual([]);
    });
  });

  it('throws one MessageValidationError listing every violation', () => {
    const error = (() => {
      try {
        validator.validateGuestMessage(
          { text: 'x'.repeat(2001), customAttributes: { a: 'b'.repeat(100) }, attachment: { fileName: 'x.exe', mimeType: 'image/png', sizeBytes: 1 } },
          { maxCustomDataBytes: 10, blockedExtensions: ['exe'] },
        );
      } catch (e) {
        return e as MessageValidationError;
      }
      throw new Error('expected a MessageValidationError');
    })();
    expect(error).toBeInstanceOf(MessageValidationError);
    expect(error.violations.map((v) => v.code).sort()).toEqual([ViolationCode.BlockedExtension, ViolationCode.CustomAttributesTooLarge, ViolationCode.TextTooLong]);
    expect(error.message).toMatch(/^Message rejected before sending \(3 problems\): /);
    expect(error.message).toContain('text is 2,001 characters');
    expect(error.message).toContain('at most 10 bytes');
    expect(error.has(ViolationCode.BlockedExtension)).toBe(true);
  });
});

describe('MessageValidator: the one text policy (@gcm/text-policy)', () => {
  const validator = new MessageValidator();

  it('refuses lone surrogates, NUL, controls and invisible-only text in guest and agent text, naming the field', () => {
    expect(validator.checkGuestMessage({ text: 'a\ud800b' })).toEqual([expect.objectContaining({ field: 'text', code: ViolationCode.UnsafeText, actual: 'LONE_SURROGATE' })]);
    expect(validator.checkGuestMessage({ text: '\u200B \u200B' })).toEqual([expect.objectContaining({ field: 'text', code: ViolationCode.UnsafeText, actual: 'INVISIBLE_ONLY' })]);
    expect(validator.checkAgentMessage({ textBody: '\u001b[2J' })).toEqual([expect.objectContaining({ field: 'textBody', code: ViolationCode.UnsafeText, actual: 'CONTROL_CHARACTER' })]);
    // bidi controls are kept in message text (right-to-left writing needs them); shown neutralised
    expect(validator.checkGuestMessage({ text: 'abc\u202Edcba' })).toEqual([]);
  });

  it('refuses attachment names with a directory, controls or bidi controls, and unsafe attribute values', () => {
    const attachment = { fileName: '../../etc/passwd', mimeType: 'image/png', sizeBytes: 3 };
    expect(validator.checkGuestMessage({ attachment })).toEqual([expect.objectContaining({ field: 'attachment.fileName', actual: 'NOT_A_BASENAME' })]);
    expect(validator.checkGuestMessage({ attachment: { ...attachment, fileName: 'a\u0000.exe.png' } })).toEqual([expect.objectContaining({ field: 'attachment.fileName', actual: 'NUL' })]);
    expect(validator.checkGuestMessage({ text: 'hi', customAttributes: { note: 'x\u0007' } })).toEqual([expect.objectContaining({ field: 'customAttributes.note', actual: 'CONTROL_CHARACTER' })]);
  });
});
