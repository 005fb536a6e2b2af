import { checkText, findUnsafeString, inertFileName, isInvisibleOnly, showLine, showText } from './text-policy';

describe('text policy', () => {
  it('refuses lone surrogates and NUL in every kind of field, naming the position', () => {
    for (const kind of ['message', 'attribute', 'fileName', 'any'] as const) {
      expect(checkText('a\ud800b', kind)).toEqual({ code: 'LONE_SURROGATE', message: expect.stringContaining('U+D800) at position 1') });
      expect(checkText('ab\udc00', kind)?.code).toBe('LONE_SURROGATE');
      expect(checkText('abc\u0000.exe', kind)).toEqual({ code: 'NUL', message: 'contains a NUL character at position 3' });
    }
    // a well-formed pair is a character, not a surrogate
    expect(checkText('😀 ok', 'message')).toBeUndefined();
  });

  it('message text: refuses C0/C1 controls but tab and line breaks, keeps bidi controls, refuses invisible-only text', () => {
    expect(checkText('line one\r\nline\ttwo', 'message')).toBeUndefined();
    expect(checkText('\u001b[31mred', 'message')).toEqual({ code: 'CONTROL_CHARACTER', message: 'contains the control character U+001B at position 0 (only tab and line breaks are allowed)' });
    expect(checkText('a\u0085b', 'message')?.code).toBe('CONTROL_CHARACTER');
    expect(checkText('שלום \u200Fabc\u202Edcba', 'message')).toBeUndefined();
    for (const blank of [' ', '\u200B\u200B', '\t\n', '\uFEFF', '\u2060\u00A0\u3000', '\u3164', '\u202E']) {
      expect(checkText(blank, 'message')?.code).toBe('INVISIBLE_ONLY');
    }
    expect(checkText('\u200Bx', 'message')).toBeUndefined();
  });

  it('attribute values: like messages, but blank values are kept', () => {
    expect(checkText(' ', 'attribute')).toBeUndefined();
    expect(checkText('\u0007', 'attribute')?.code).toBe('CONTROL_CHARACTER');
  });

  it('file names: no controls at all, no bidi controls, no directories, not invisible', () => {
    expect(checkText('report.pdf', 'fileName')).toBeUndefined();
    expect(checkText('a\tb.png', 'fileName')?.code).toBe('CONTROL_CHARACTER');
    expect(checkText('invoice\u202Egnp.exe', 'fileName')).toEqual({ code: 'BIDI_CONTROL', message: 'contains the bidirectional control U+202E at position 7' });
    expect(checkText('../../etc/passwd', 'fileName')?.code).toBe('NOT_A_BASENAME');
    expect(checkText('c:\\boot.ini', 'fileName')?.code).toBe('NOT_A_BASENAME');
    expect(checkText('..', 'fileName')?.code).toBe('NOT_A_BASENAME');
    expect(checkText('\u200B', 'fileName')?.code).toBe('INVISIBLE_ONLY');
  });

  it('any other string: only lone surrogates and NUL are refused', () => {
    expect(checkText('\u001b\u202e ', 'any')).toBeUndefined();
  });

  it('shows text in logical order: controls, bidi controls and lone surrogates become visible escapes', () => {
    expect(showText('abc\u202Edcba')).toBe('abc\\u{202E}dcba');
    expect(showText('\u001b[31mred\u001b[0m\r\nnext\tline')).toBe('\\u{001B}[31mred\\u{001B}[0m\nnext\tline');
    expect(showText('x\ud800y\u0000')).toBe('x\\u{D800}y\\u{0000}');
    expect(showText('😀 \u2067ok\u2069')).toBe('😀 \\u{2067}ok\\u{2069}');
    expect(showLine('a\nb\tc')).toBe('a b c');
  });

  it('shows attachment names as inert basenames', () => {
    expect(inertFileName('../../etc/passwd')).toBe('passwd');
    expect(inertFileName('C:\\Windows\\win.ini')).toBe('win.ini');
    expect(inertFileName('a\u0000.exe.png')).toBe('a\\u{0000}.exe.png');
    expect(inertFileName('invoice\u202Egnp.exe')).toBe('invoice\\u{202E}gnp.exe');
    expect(inertFileName('dir/')).toBe('(unnamed)');
    expect(inertFileName('..')).toBe('(unnamed)');
    expect(inertFileName(undefined)).toBe('(unnamed)');
    expect(inertFileName('\u200B')).toBe('(unnamed)');
    expect(inertFileName('x'.repeat(400))).toHaveLength(255);
  });

  it('finds the first lone surrogate or NUL anywhere in a JSON value, property names included, at any depth', () => {
    expect(findUnsafeString({ text: 'ok', customAttributes: { note: 'a\ud800' } }, '')).toEqual({ field: 'customAttributes.note', problem: expect.objectContaining({ code: 'LONE_SURROGATE' }) });
    expect(findUnsafeString({ list: ['ok', 'x\u0000'] })).toEqual({ field: 'body.list[1]', problem: expect.objectContaining({ code: 'NUL' }) });
    expect(findUnsafeString({ ['k\u0000']: 1 }, '')?.field).toBe('k\\u{0000}');
    let deep: unknown = 'a\ud800';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnsafeString(deep)?.problem.code).toBe('LONE_SURROGATE');
    expect(findUnsafeString({ a: [1, null, true, { b: 'fine' }] })).toBeUndefined();
    expect(isInvisibleOnly('')).toBe(false);
  });
});
