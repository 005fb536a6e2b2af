import type { MessageData } from './message-data.model';
import { conversationMessageIds, messageAttachments, messageText } from './message-normalizer';

const base: MessageData = { id: 'm', timestamp: '2026-01-01T00:00:00Z', status: 'sent' };

describe('message normalizer', () => {
  it('reads normalizedMessage.text first, then the deprecated textBody', () => {
    expect(messageText({ ...base, normalizedMessage: { text: 'new' }, textBody: 'old' })).toBe('new');
    expect(messageText({ ...base, textBody: 'old' })).toBe('old');
    expect(messageText({ ...base, normalizedMessage: { type: 'Text' }, textBody: 'old' })).toBe('old');
    expect(messageText({ ...base })).toBeUndefined();
  });

  it('reads normalized attachments, falling back to the deprecated media[]', () => {
    const normalized: MessageData = {
      ...base,
      normalizedMessage: { content: [{ contentType: 'Text' }, { contentType: 'Attachment', attachment: { id: 'a1', mime: 'image/png', filename: 'a.png' } }] },
      media: [{ id: 'legacy' }],
    };
    expect(messageAttachments(normalized)).toEqual([{ id: 'a1', mime: 'image/png', filename: 'a.png' }]);
    const legacy: MessageData = { ...base, media: [{ id: 'l1', name: 'scan.pdf', url: 'https://x/l1', mediaType: 'application/pdf', contentLengthBytes: 42 }] };
    expect(messageAttachments(legacy)).toEqual([{ id: 'l1', filename: 'scan.pdf', url: 'https://x/l1', mime: 'application/pdf', contentSizeBytes: 42 }]);
    expect(messageAttachments({ ...base })).toEqual([]);
  });

  it('keeps fields it does not model (tolerant reading)', () => {
    const raw = JSON.parse('{"id":"m","timestamp":"t","status":"sent","futureField":{"x":1}}') as MessageData;
    expect(raw.futureField).toEqual({ x: 1 });
  });

  it('collects message ids of every participant once, by messageTime, undated last in listed order', () => {
    const ids = conversationMessageIds({
      participants: [
        { id: 'p1', messages: [{ messageId: 'c', messageTime: '2026-01-01T00:00:03Z' }, { messageId: 'x' }, { messageId: 'a', messageTime: '2026-01-01T00:00:01Z' }] },
        { id: 'p2', messages: [{ messageId: 'b', messageTime: '2026-01-01T00:00:02Z' }, { messageId: 'a', messageTime: '2026-01-01T00:00:01Z' }, { messageId: 'y' }] },
        { id: 'p3' },
      ],
    });
    expect(ids).toEqual(['a', 'b', 'c', 'x', 'y']);
  });
});
