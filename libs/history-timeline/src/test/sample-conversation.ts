import type { ConversationFixtureInput } from '../testing';

export const START = '2026-03-01T10:00:00.000Z';
export const END = '2026-03-01T10:30:00.000Z';
/** START plus some seconds, as ISO 8601. */
export const t = (seconds: number) => new Date(Date.parse(START) + seconds * 1000).toISOString();

/**
 * A small ended conversation for specs: customer, queue, agent with wrap-up; five messages,
 * one attachment with a presigned (S3-style) URL, receipts on the agent's messages.
 */
export function sampleConversationInput(overrides: Partial<ConversationFixtureInput> = {}): ConversationFixtureInput {
  return {
    id: 'conv-1',
    startTime: START,
    endTime: END,
    participants: [
      { id: 'p-cust', purpose: 'customer', name: 'Jane Doe', endTime: END, attributes: { customerId: 'C123456' } },
      { id: 'p-acd', purpose: 'acd', name: 'Support', startTime: t(0.15), endTime: t(20) },
      {
        id: 'p-agent',
        purpose: 'agent',
        name: 'Alex Agent',
        userId: 'user-1',
        startTime: t(15),
        startAlertingTime: t(15),
        connectedTime: t(20),
        endTime: END,
        wrapupRequired: true,
        wrapup: { code: 'resolved', name: 'Resolved', endTime: t(1900) },
      },
    ],
    messages: [
      { id: 'm1', participantId: 'p-cust', timestamp: t(1), text: 'Hello, my order is late', providerMessageId: 'pv-1' },
      { id: 'm2', participantId: 'p-agent', timestamp: t(30), text: 'Let me check', providerMessageId: 'pv-2', receipts: [{ status: 'Delivered', time: t(31) }, { status: 'Read', time: t(40) }], status: 'read' },
      {
        id: 'm3',
        participantId: 'p-cust',
        timestamp: t(60),
        providerMessageId: 'pv-3',
        attachments: [{ id: 'att-1', mediaType: 'Image', url: 'https://media.example/att-1/photo.png?X-Amz-Date=20260301T100100Z&X-Amz-Expires=600&X-Amz-Signature=aaa', mime: 'image/png', filename: 'photo.png', contentSizeBytes: 1234, sha256: 'AB'.repeat(32) }],
      },
      { id: 'm4', participantId: 'p-agent', timestamp: t(90), text: 'It ships today', providerMessageId: 'pv-4', receipts: [{ status: 'Delivered', time: t(500) }], status: 'delivery-success' },
      { id: 'm5', participantId: 'p-cust', timestamp: t(120), text: 'Thanks!', providerMessageId: 'pv-5' },
    ],
    ...overrides,
  };
}
