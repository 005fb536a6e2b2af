import { showText } from '@gcm/text-policy';

/**
 * Message text comes from customers and channels: it can carry terminal escape sequences,
 * other C0/C1 controls and Unicode bidirectional overrides that make a transcript display
 * something other than what it contains. Shown through the one text policy
 * (`@gcm/text-policy`): such characters appear as `\u{…}` instead of acting.
 */
export function neutralizeControls(text: string): string {
  return showText(text);
}

/** ASCII punctuation: what a backslash escapes in CommonMark (§2.4); before anything else it is a literal backslash. */
const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;

/**
 * Escapes text for Markdown (CommonMark with GFM tables and strikethrough) so it renders
 * literally, escaping only where a character would otherwise be read as syntax:
 *
 * - anywhere: `` ` `` (code), `*` (emphasis), `[` `]` (links, images, footnotes), `~`
 *   (strikethrough), `|` (table cells), `_` unless inside a word (`snake_case` cannot be
 *   emphasis), `<` before a letter, `/`, `!` or `?` (HTML, autolinks), `&` that starts an
 *   entity (`&amp;`), `\` before punctuation or at the end of a line;
 * - at the start of a line, what opens a block: `#`–`######` then a space (heading), `>`
 *   (quote), `-` / `+` then a space (list), `1.` / `1)` (ordered list), a line of `-` or
 *   of `=` (thematic break, setext heading); leading spaces and tabs (a code block) become
 *   non-breaking spaces, after which no block starts.
 *
 * So `large.`, `8ccc2ecb-c1f6-…` and `(see above)` stay as they are. Line breaks stay line
 * breaks inside the same paragraph (backslash hard breaks); blank lines at the start and
 * the end are dropped (Markdown has no way to show them). Controls and bidi overrides are
 * neutralised first (`@gcm/text-policy`).
 */
export function escapeMarkdown(text: string): string {
  const lines = neutralizeControls(text).split('\n');
  while (lines.length > 1 && lines[0].trim() === '') lines.shift();
  while (lines.length > 1 && lines[lines.length - 1].trim() === '') lines.pop();
  return lines.map(escapeMarkdownLine).join('\\\n');
}

function escapeMarkdownLine(line: string): string {
  const lead = /^[ \t]*/.exec(line)?.[0] ?? '';
  const rest = line.slice(lead.length);
  let out = '';
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    const before = rest[i - 1];
    const after = rest[i + 1];
    let escape = false;
    switch (c) {
      case '`':
      case '*':
      case '[':
      case ']':
      case '~':
      case '|':
        escape = true;
        break;
      case '_':
        escape = !(before !== undefined && after !== undefined && /[\p{L}\p{N}]/u.test(before) && /[\p{L}\p{N}]/u.test(after));
        break;
      case '<':
        escape = after !== undefined && /[A-Za-z/!?]/.test(after);
        break;
      case '&':
        escape = /^&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});/.test(rest.slice(i));
        break;
      case '\\':
        escape = after === undefined || ASCII_PUNCTUATION.test(after);
        break;
    }
    out += escape ? `\\${c}` : c;
  }
  // what opens a block when it starts a line (after leading non-breaking spaces nothing does)
  if (lead === '') {
    if (/^(?:#{1,6}|[-+])(?:[ \t]|$)/.test(out) || out.startsWith('>') || /^(?:-[ \t]*)+$/.test(out) || /^=+[ \t]*$/.test(out)) out = `\\${out}`;
    else out = out.replace(/^(\d{1,9})([.)])(?=[ \t]|$)/, '$1\\$2');
  }
  return lead.replace(/\t/g, '    ').replace(/ /g, '&nbsp;') + out;
}

/** A link destination only for http(s) URLs, in the `<…>` form with the characters that could end it encoded. */
export function markdownLinkDestination(url: string | undefined): string | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  return `<${parsed.href.replace(/[<>\s]/g, (c) => encodeURIComponent(c))}>`;
}
