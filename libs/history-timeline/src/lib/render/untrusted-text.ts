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

/**
 * Escapes text for Markdown (CommonMark/GFM) so it renders literally: every punctuation
 * character that can open or close syntax is backslash-escaped (emphasis, code, links,
 * images, headings, lists, block quotes, tables, HTML and entities), leading spaces that
 * would make a code block are kept as non-breaking spaces, and line breaks stay line
 * breaks inside the same paragraph.
 */
export function escapeMarkdown(text: string): string {
  return neutralizeControls(text)
    .split('\n')
    .map((line) =>
      line
        .replace(/[\\`*_{}[\]()#+\-.!|<>~&=]/g, (c) => `\\${c}`)
        .replace(/^[ \t]+/, (lead) => lead.replace(/\t/g, '    ').replace(/ /g, '&nbsp;')),
    )
    .join('\\\n');
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
