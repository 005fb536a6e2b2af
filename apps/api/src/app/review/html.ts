import { showText } from '@gcm/text-policy';

/**
 * HTML built from templates whose interpolated values are escaped unless they are `Html`
 * themselves: message text, names and ids are untrusted (a guest can type `<script>`), so
 * escaping is the default and markup has to be asked for. Every interpolated string is
 * also shown through the text policy (`showText`): bidi overrides, controls and lone
 * surrogates appear as visible `\u{XXXX}`, so a page shows text in its logical order.
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Interpolation = Html | string | number | boolean | null | undefined | readonly Interpolation[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes text for an element's content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] as string);
}

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(showText(String(value)));
}

/** Tagged template: `html\`<p>${text}</p>\`` escapes `text`; nested `html` fragments and arrays of them are kept. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

/** Markup the caller vouches for (constants only). */
export function trusted(markup: string): Html {
  return new Html(markup);
}
