import fc from 'fast-check';
import MarkdownIt from 'markdown-it';
import { escapeMarkdown, neutralizeControls } from './untrusted-text';

// a CommonMark parser with GFM tables and strikethrough, raw HTML on: what a reader's viewer may do
const markdown = new MarkdownIt({ html: true, linkify: false });

const htmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** What a paragraph holding `text` must render to: the text itself, line breaks as <br>, leading blanks as no-break spaces. */
function literalParagraph(text: string): string {
  const lines = neutralizeControls(text).split('\n');
  while (lines.length > 1 && lines[0].trim() === '') lines.shift();
  while (lines.length > 1 && lines[lines.length - 1].trim() === '') lines.pop();
  const shown = lines.map((line) => line.replace(/^[ \t]+/, (lead) => lead.replace(/\t/g, '    ').replace(/ /g, '\u00a0')));
  return `<p>${shown.map(htmlText).join('<br>\n')}</p>\n`;
}

/** Trailing blanks of a line are not shown by Markdown, nor meant to be read. */
const trimLineEnds = (html: string) => html.replace(/[ \t]+(<br>|<\/p>)/g, '$1');

describe('escapeMarkdown', () => {
  it('renders any text literally in a CommonMark/GFM parser (property, fast-check)', () => {
    const tricky = fc.constantFrom(...'#*_`[]()<>!&|~-+=.:;\\{}/?"\'0123456789 \t\naéZ_'.split(''), '&amp;', '&#65;', '<b>', '<!--', '```', '~~', '1.', '1)', '- ', '+ ', '> ', '---', '===', 'http://x', 'a_b', 'é_é');
    fc.assert(
      fc.property(fc.array(tricky, { minLength: 1, maxLength: 40 }), (parts) => {
        const text = parts.join('');
        fc.pre(text.trim() !== '');
        expect(trimLineEnds(markdown.render(escapeMarkdown(text)))).toBe(trimLineEnds(literalParagraph(text)));
      }),
      { numRuns: 2_000, seed: 21 },
    );
  });

  it('escapes only where Markdown would read syntax', () => {
    expect(escapeMarkdown('8ccc2ecb-c1f6-48cb-b54a-796dad5c81e9')).toBe('8ccc2ecb-c1f6-48cb-b54a-796dad5c81e9');
    expect(escapeMarkdown('The parcel is large. (See above!) 50% off, a+b=c, snake_case, C:\\Users')).toBe('The parcel is large. (See above!) 50% off, a+b=c, snake_case, C:\\Users');
    expect(escapeMarkdown('**bold** _it_ `code` [link](x) <b> &amp; a|b ~~x~~')).toBe('\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\[link\\](x) \\<b> \\&amp; a\\|b \\~\\~x\\~\\~');
    expect(escapeMarkdown('# title\n- item\n+ item\n> quote\n1. one\n2) two\n---\n===\n#hashtag\n-1 °C')).toBe(
      '\\# title\\\n\\- item\\\n\\+ item\\\n\\> quote\\\n1\\. one\\\n2\\) two\\\n\\---\\\n\\===\\\n#hashtag\\\n-1 °C',
    );
    expect(escapeMarkdown('  # not a heading')).toBe('&nbsp;&nbsp;# not a heading');
  });

  it('turns line breaks into hard breaks and leaves plain words alone', () => {
    expect(escapeMarkdown('Hello there\nsecond')).toBe('Hello there\\\nsecond');
    expect(escapeMarkdown('Ça va? Très bien 😀')).toBe('Ça va? Très bien 😀');
  });
});
