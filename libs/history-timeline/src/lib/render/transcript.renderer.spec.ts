import { FakeClock } from '@gcm/genesys-auth/testing';
import { conversationFixture, InMemoryHistorySource, type ConversationFixtureInput } from '../../testing';
import { sampleConversationInput, t } from '../../test/sample-conversation';
import { HistorySync } from '../history-sync.service';
import type { Timeline } from '../timeline.model';
import { integritySummary, renderTranscriptJson, renderTranscriptMarkdown, renderTranscriptText } from './transcript.renderer';
import { markdownLinkDestination, neutralizeControls } from './untrusted-text';

async function timelineOf(input: ConversationFixtureInput): Promise<Timeline> {
  return new HistorySync({ source: new InMemoryHistorySource([conversationFixture(input)]), clock: new FakeClock('2026-03-01T12:00:00.000Z') }).sync(input.id);
}

const HOSTILE = [
  '# Heading? **bold** _it_ `code` [click](javascript:alert(1)) ![img](http://x/y.png)',
  '<script>alert(1)</script> &amp; | a | b | ~~gone~~',
  '    indented like code',
  '> quote',
  '1. list',
  '- item',
  '===',
  '\u001b[31mred\u001b[0m and \u202Eevil',
].join('\n');

describe('transcripts', () => {
  let timeline: Timeline;
  beforeAll(async () => {
    timeline = await timelineOf(sampleConversationInput());
  });

  it('text: header, participants, one block per message with ISO 8601 UTC times, attachments', () => {
    expect(renderTranscriptText(timeline)).toBe(
      [
        'Conversation conv-1 (webmessaging)',
        'Started: 2026-03-01T10:00:00.000Z',
        'Ended: 2026-03-01T10:30:00.000Z',
        'Participants:',
        '  - customer · Jane Doe (customer, p-cust)',
        '  - system · Support (acd, p-acd)',
        '  - agent · Alex Agent (agent, p-agent)',
        'Integrity: clean',
        '',
        '[2026-03-01T10:00:01.000Z] customer · Jane Doe: Hello, my order is late',
        '[2026-03-01T10:00:30.000Z] agent · Alex Agent: Let me check',
        '[2026-03-01T10:01:00.000Z] customer · Jane Doe:',
        `    [attachment] photo.png (image/png, 1234 bytes, sha256 ${'ab'.repeat(32)}) ${timeline.messages[2].attachments[0].url}`,
        '[2026-03-01T10:01:30.000Z] agent · Alex Agent: It ships today',
        '[2026-03-01T10:02:00.000Z] customer · Jane Doe: Thanks!',
        '',
      ].join('\n'),
    );
  });

  it('text: names can be left out, receipts added; multi-line text stays inside its message', async () => {
    const multi = await timelineOf(sampleConversationInput({ messages: [{ id: 'x', participantId: 'p-agent', timestamp: t(30), text: 'line one\nline two', receipts: [{ status: 'Delivered', time: t(31) }] }] }));
    const text = renderTranscriptText(multi, { names: false, receipts: true, integrity: false });
    expect(text).not.toContain('Alex');
    expect(text).not.toContain('Integrity');
    expect(text).toContain('[2026-03-01T10:00:30.000Z] agent: line one\n    line two\n    [receipt] Delivered at 2026-03-01T10:00:31.000Z\n');
  });

  it('text: terminal escapes and bidi overrides in content are shown, not executed', async () => {
    const hostile = await timelineOf(sampleConversationInput({ messages: [{ id: 'x', participantId: 'p-cust', timestamp: t(1), text: HOSTILE }] }));
    const text = renderTranscriptText(hostile);
    expect(['\u001b', '\u202e'].some((c) => text.includes(c))).toBe(false);
    expect(text).toContain('\\u{001B}[31mred\\u{001B}[0m and \\u{202E}evil');
  });

  it('markdown: escapes untrusted text so it renders literally', async () => {
    const hostile = await timelineOf(
      sampleConversationInput({
        participants: [{ id: 'p-cust', purpose: 'customer', name: 'Eve | *admin*' }],
        messages: [{ id: 'x', participantId: 'p-cust', timestamp: t(1), text: HOSTILE }],
      }),
    );
    const md = renderTranscriptMarkdown(hostile);
    expect(md).toContain('| customer | Eve \\| \\*admin\\* | customer |');
    expect(md).toContain('- **2026-03-01T10:00:01.000Z** · customer · Eve \\| \\*admin\\*');
    const body = md.slice(md.indexOf('## Messages'));
    // escaped only where Markdown would read syntax (untrusted-text.spec.ts renders it with a CommonMark parser)
    expect(body).toContain('  \\# Heading? \\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\[click\\](javascript:alert(1)) !\\[img\\](http://x/y.png)\\');
    expect(body).toContain('  \\<script>alert(1)\\</script> \\&amp; \\| a \\| b \\| \\~\\~gone\\~\\~\\');
    expect(body).toContain('  &nbsp;&nbsp;&nbsp;&nbsp;indented like code\\');
    expect(body).toContain('  \\> quote\\');
    expect(body).toContain('  1\\. list\\');
    expect(body).toContain('  \\- item\\');
    expect(body).toContain('  \\===\\');
    // markup only ever escaped (the parser check is untrusted-text.spec.ts)
    expect(body).not.toMatch(/(^|[^\\])<script>/);
    expect(['\u001b', '\u202e'].some((c) => body.includes(c))).toBe(false);
  });

  it('markdown: attachments link only to http(s) URLs, in the <…> form', async () => {
    const md = renderTranscriptMarkdown(timeline);
    expect(md).toContain(`  - attachment: [photo.png](<${timeline.messages[2].attachments[0].url}>) · image/png · 1234 bytes · sha256 ${'ab'.repeat(32)}`);
    expect(markdownLinkDestination('javascript:alert(1)')).toBeUndefined();
    expect(markdownLinkDestination('data:text/html,<b>')).toBeUndefined();
    expect(markdownLinkDestination('https://x.example/a b>c')).toBe('<https://x.example/a%20b%3Ec>');
  });

  it('text and markdown: attachment names are shown as inert basenames', () => {
    const hostile: Timeline = {
      ...timeline,
      messages: timeline.messages.map((m, i) => (i === 2 ? { ...m, attachments: [{ ...m.attachments[0], filename: '../../etc/pass\u202Ewd\u0000.png' }] } : m)),
    };
    const text = renderTranscriptText(hostile);
    expect(text).toContain('[attachment] pass\\u{202E}wd\\u{0000}.png');
    const md = renderTranscriptMarkdown(hostile);
    expect(md).toContain('  - attachment: [pass\\u{202E}wd\\u{0000}.png]');
    for (const shown of [text, md]) {
      expect(shown).not.toContain('etc/');
      expect(shown).not.toContain('\u0000');
      expect(shown).not.toContain('\u202E');
    }
  });

  it('markdown: header and participants table', () => {
    const md = renderTranscriptMarkdown(timeline);
    expect(md.split('\n').slice(0, 14)).toEqual([
      '# Conversation conv-1',
      '',
      '- **Channel:** webmessaging',
      '- **Started:** 2026-03-01T10:00:00.000Z',
      '- **Ended:** 2026-03-01T10:30:00.000Z',
      '- **Integrity:** clean',
      '',
      '## Participants',
      '',
      '| Role | Name | Purpose | Joined | Left |',
      '| --- | --- | --- | --- | --- |',
      '| customer | Jane Doe | customer | 2026-03-01T10:00:00.000Z | 2026-03-01T10:30:00.000Z |',
      '| system | Support | acd | 2026-03-01T10:00:00.150Z | 2026-03-01T10:00:20.000Z |',
      '| agent | Alex Agent | agent | 2026-03-01T10:00:15.000Z | 2026-03-01T10:30:00.000Z |',
    ]);
  });

  it('json: parseable, every instant ISO 8601 UTC, text kept verbatim', async () => {
    const hostile = await timelineOf(sampleConversationInput({ messages: [{ id: 'x', participantId: 'p-cust', timestamp: t(1), text: HOSTILE }] }));
    const parsed = JSON.parse(renderTranscriptJson(hostile));
    expect(parsed.messages[0]).toEqual({
      id: 'x',
      timestamp: '2026-03-01T10:00:01.000Z',
      direction: 'inbound',
      type: 'Text',
      senderRole: 'customer',
      participantId: 'p-cust',
      senderName: 'Jane Doe',
      text: HOSTILE,
      attachments: [],
    });
    const full = JSON.parse(renderTranscriptJson(timeline));
    expect(full).toMatchObject({ conversationId: 'conv-1', startTime: '2026-03-01T10:00:00.000Z', integrity: { clean: true, summary: 'clean' } });
    expect(full.messages.map((m: { timestamp: string }) => m.timestamp).every((ts: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(ts))).toBe(true);
    expect(JSON.parse(renderTranscriptJson(timeline, { names: false })).participants[0].name).toBeUndefined();
  });

  it('integrity summary counts each kind of finding', async () => {
    const anomalous = await timelineOf(sampleConversationInput({ lists: { 'p-cust': ['m3', 'm1', 'm1', 'm5'] } }));
    expect(integritySummary(anomalous.integrity)).toBe('1 out-of-order pair, 1 duplicate');
    expect(renderTranscriptText(anomalous)).toContain('Integrity: 1 out-of-order pair, 1 duplicate\n');
  });
});

describe('untrusted text helpers', () => {
  it('neutralizeControls keeps tabs and line breaks, normalizes CRLF, shows other controls', () => {
    expect(neutralizeControls('a\tb\r\nc\rd\u0007\u0085')).toBe('a\tb\nc\nd\\u{0007}\\u{0085}');
  });

});
