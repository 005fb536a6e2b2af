import { fromAttributeRow, fromDetailsRow } from './conversation-summary';
import { SearchStreamErrorCode } from './search-stream.error';

describe('conversation summaries', () => {
  it('collect media, messenger types and queues from the analytics tree', () => {
    const { summary, startMs } = fromDetailsRow(
      {
        conversationId: 'c1',
        conversationStart: '2026-01-01T10:00:00.000Z',
        originatingDirection: 'inbound',
        divisionIds: ['d1'],
        participants: [
          { sessions: [{ mediaType: 'message', messageType: 'webmessaging', segments: [{}] }] },
          { sessions: [{ mediaType: 'message', messageType: 'webmessaging', segments: [{ queueId: 'q1' }, { queueId: 'q1' }] }] },
        ],
      },
      false,
    );
    expect(startMs).toBe(Date.parse('2026-01-01T10:00:00.000Z'));
    expect(summary).toEqual({
      conversationId: 'c1',
      conversationStart: '2026-01-01T10:00:00.000Z',
      originatingDirection: 'inbound',
      divisionIds: ['d1'],
      mediaTypes: ['message'],
      messageTypes: ['webmessaging'],
      queueIds: ['q1'],
      source: 'details',
    });
  });

  it('keep the raw row only when asked', () => {
    const row = { conversationId: 'c1', conversationStart: '2026-01-01T10:00:00.000Z' };
    expect(fromDetailsRow(row, true).summary.raw).toBe(row);
    expect('raw' in fromDetailsRow(row, false).summary).toBe(false);
  });

  it('read both attribute search row shapes', () => {
    const nested = fromAttributeRow(
      {
        conversationId: 'c1',
        startTime: '2026-01-01T10:00:00.000Z',
        endTime: '2026-01-01T11:00:00.000Z',
        participantData: [{ participantId: 'p1', participantPurpose: 'customer', participantAttributes: { nps: '9' } }],
      },
      false,
    ).summary;
    expect(nested).toMatchObject({
      conversationId: 'c1',
      conversationEnd: '2026-01-01T11:00:00.000Z',
      participants: [{ participantId: 'p1', purpose: 'customer', attributes: { nps: '9' } }],
      source: 'attributes',
    });
    const flat = fromAttributeRow(
      { conversationId: 'c2', participantId: 'p2', startTime: '2026-01-01T10:00:00.000Z', attributes: { tier: 'gold' } },
      false,
    ).summary;
    expect(flat.participants).toEqual([{ participantId: 'p2', attributes: { tier: 'gold' } }]);
  });

  it('refuse a row without id or start, since skipping it would lose a result silently', () => {
    expect(() => fromDetailsRow({ conversationStart: '2026-01-01T10:00:00.000Z' }, false)).toThrow(
      expect.objectContaining({ code: SearchStreamErrorCode.UnexpectedResponse }),
    );
    expect(() => fromAttributeRow({ conversationId: 'c', startTime: 'yesterday' }, false)).toThrow(/usable conversationId\/startTime/);
  });
});
