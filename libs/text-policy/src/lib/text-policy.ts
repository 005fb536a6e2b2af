/**
 * One policy for text written by guests and agents, wherever it enters (the API, the
 * CLI) and wherever it is shown (review pages, exports, the terminal).
 *
 * Entering, per kind of field (`checkText`):
 *
 * | kind | lone surrogates, NUL | other C0/C1 controls | bidi controls | only invisible characters |
 * |---|---|---|---|---|
 * | `message` (guest and agent text) | refused | refused, except TAB, LF, CR | kept (right-to-left writing needs them), neutralised when shown | refused |
 * | `attribute` (custom attribute values, template parameters) | refused | refused, except TAB, LF, CR | kept, neutralised when shown | kept (a blank value can mean something) |
 * | `fileName` (attachment names) | refused | refused, all | refused (`a\u202Egnp.exe` spoofs an extension) | refused; also `/`, `\`, `.` and `..` |
 * | `any` (every other string of a body) | refused | kept | kept | kept |
 *
 * Shown (`showText`, `showLine`, `inertFileName`): C0 controls other than TAB and LF, DEL,
 * C1 controls, bidi embeddings/overrides/isolates/marks and lone surrogates are written as
 * visible `\u{XXXX}` escapes, so text is displayed in logical order and cannot move the
 * cursor, recolour a terminal or reorder what a reviewer reads. Attachment names are shown
 * as basenames only.
 */

export type TextKind = 'message' | 'attribute' | 'fileName' | 'any';

export type TextProblemCode = 'LONE_SURROGATE' | 'NUL' | 'CONTROL_CHARACTER' | 'BIDI_CONTROL' | 'INVISIBLE_ONLY' | 'NOT_A_BASENAME';

export interface TextProblem {
  readonly code: TextProblemCode;
  /** Says what is wrong and where, without repeating the text: "contains a NUL character at position 4". */
  readonly message: string;
}

// eslint-disable-next-line no-control-regex
const NUL = /\u0000/;
const LONE_SURROGATE = /\p{Cs}/u;
// C0 except TAB, LF, CR; DEL; C1
// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_LINE_BREAKS = /[\u0001-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
// eslint-disable-next-line no-control-regex
const ANY_CONTROL = /[\u0001-\u001F\u007F-\u009F]/;
/** Arabic letter mark, LRM/RLM, embeddings and overrides (LRE RLE PDF LRO RLO), isolates (LRI RLI FSI PDI). */
const BIDI_CONTROL = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;
/**
 * Characters that draw nothing: white space, controls, format characters (zero-width
 * space/joiners, word joiner, BOM, bidi marks, tag characters…), the default-ignorable
 * code points (variation selectors, the combining grapheme joiner, Hangul fillers…) and the
 * blank Braille pattern.
 */
const INVISIBLE_ONLY = /^[\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]+$/u;

// eslint-disable-next-line no-control-regex
const DISPLAY_ACTIVE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]|\p{Cs}/gu;

function at(text: string, pattern: RegExp): number {
  return text.search(pattern);
}

function codePointName(text: string, index: number): string {
  return `U+${(text.codePointAt(index) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * The first way `text` breaks the policy for its kind of field, or undefined. Positions
 * are UTF-16 offsets, as JavaScript and JSON count them.
 */
export function checkText(text: string, kind: TextKind): TextProblem | undefined {
  const surrogate = at(text, LONE_SURROGATE);
  if (surrogate >= 0) {
    return { code: 'LONE_SURROGATE', message: `contains a lone UTF-16 surrogate (${codePointName(text, surrogate)}) at position ${surrogate}: send well-formed Unicode` };
  }
  const nul = at(text, NUL);
  if (nul >= 0) return { code: 'NUL', message: `contains a NUL character at position ${nul}` };
  if (kind === 'any') return undefined;

  const control = at(text, kind === 'fileName' ? ANY_CONTROL : CONTROL_EXCEPT_LINE_BREAKS);
  if (control >= 0) {
    return {
      code: 'CONTROL_CHARACTER',
      message: `contains the control character ${codePointName(text, control)} at position ${control}${kind === 'fileName' ? '' : ' (only tab and line breaks are allowed)'}`,
    };
  }
  if (kind === 'fileName') {
    const bidi = at(text, BIDI_CONTROL);
    if (bidi >= 0) return { code: 'BIDI_CONTROL', message: `contains the bidirectional control ${codePointName(text, bidi)} at position ${bidi}` };
    if (/[/\\]/.test(text) || text === '.' || text === '..') {
      return { code: 'NOT_A_BASENAME', message: 'must be a file name without a directory (no "/" or "\\", not "." or "..")' };
    }
  }
  if ((kind === 'message' || kind === 'fileName') && isInvisibleOnly(text)) {
    return { code: 'INVISIBLE_ONLY', message: 'contains only invisible characters (white space, zero-width or format characters)' };
  }
  return undefined;
}

/** Non-empty text made only of characters that draw nothing. */
export function isInvisibleOnly(text: string): boolean {
  return text.length > 0 && INVISIBLE_ONLY.test(text);
}

/**
 * Text as it may be shown: line breaks kept (CR LF and CR become LF), tab kept, every other
 * control, every bidi control and every lone surrogate written as a visible `\u{XXXX}`.
 */
export function showText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(DISPLAY_ACTIVE, (c) => `\\u{${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}}`);
}

/** `showText` on one line: line breaks and tabs become spaces. */
export function showLine(text: string): string {
  return showText(text).replace(/[\n\t]/g, ' ');
}

const MAX_SHOWN_FILE_NAME = 255;

/**
 * An attachment name as it may be shown: the part after the last `/` or `\`, on one line,
 * neutralised like `showText`, at most 255 characters; `(unnamed)` when nothing is left.
 */
export function inertFileName(name: string | undefined | null): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  const shown = showLine(base).trim();
  if (shown === '' || shown === '.' || shown === '..' || isInvisibleOnly(base)) return '(unnamed)';
  return shown.length > MAX_SHOWN_FILE_NAME ? `${shown.slice(0, MAX_SHOWN_FILE_NAME - 1)}…` : shown;
}

/**
 * Every string in a parsed JSON value — property names included — checked with `kind`
 * `any` (lone surrogates, NUL). Returns the dotted path of the first offender
 * (`customAttributes.note`, `items[2]`) and the problem. Iterative: depth costs no stack.
 */
export function findUnsafeString(value: unknown, root = 'body'): { field: string; problem: TextProblem } | undefined {
  const stack: Array<[unknown, string]> = [[value, root]];
  while (stack.length > 0) {
    const [current, path] = stack.pop() as [unknown, string];
    if (typeof current === 'string') {
      const problem = checkText(current, 'any');
      if (problem) return { field: path, problem };
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push([current[i], `${path}[${i}]`]);
    } else if (current !== null && typeof current === 'object') {
      const entries = Object.entries(current as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i] as [string, unknown];
        const childPath = path === '' ? key : `${path}.${key}`;
        const keyProblem = checkText(key, 'any');
        if (keyProblem) return { field: path === '' ? showLine(key) : `${path}.${showLine(key)}`, problem: { ...keyProblem, message: `has a property name that ${keyProblem.message}` } };
        stack.push([child, childPath]);
      }
    }
  }
  return undefined;
}
