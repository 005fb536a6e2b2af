import { SeededRandom } from '../random/seeded-random';

/**
 * Plausible customer-service chatter. Some lines carry accents, emoji and line breaks on
 * purpose: archives and transcripts must round-trip them byte for byte.
 */
const CUSTOMER_LINES = [
  'Hi, I ordered a jacket last week and it has not arrived yet.',
  'My order number is {order}.',
  'Can you tell me when it will be delivered?',
  'The tracking page says "label created" since Monday.',
  'I was charged twice for the same order 😕',
  'Is it possible to change the delivery address?',
  'Thanks, that helps a lot!',
  'Could you send me a copy of the invoice?',
  'The size is wrong, I need a medium instead of a large.',
  'Je préfère être contacté par e-mail, merci.',
  'Here is a photo of the damaged box.',
  'Is there anyone there?',
  'ok',
  'Perfect 👍',
  'I already tried restarting the app twice.\nStill the same error.',
  'When does the sale end?',
  'Can I return an item bought in the store online?',
  'Ich habe noch eine Frage zur Rechnung.',
  'That is not what I was told yesterday.',
  'Great, have a nice day!',
];

const AGENT_LINES = [
  'Hello {name}, thanks for reaching out. Let me look into that for you.',
  'Could you share your order number, please?',
  'I can see the parcel left our warehouse yesterday.',
  'It should arrive within 2–3 business days.',
  'I have refunded the duplicate charge; it takes up to 5 days to appear.',
  'I have updated the delivery address on the order.',
  'I am sending the invoice to the e-mail address on file.',
  'Sorry for the trouble! I have created an exchange for a medium.',
  'Is there anything else I can help you with today?',
  'Thanks for waiting, I am checking with the warehouse team.',
  'You can return it in any store within 30 days.',
  'The sale ends on Sunday at midnight.',
  'Let me transfer you to our billing specialists.',
  'Have a great day! 😊',
];

export function customerLine(rng: SeededRandom): string {
  return fill(rng.pick(CUSTOMER_LINES), rng);
}

export function agentLine(rng: SeededRandom, customerFirstName: string): string {
  return fill(rng.pick(AGENT_LINES), rng, customerFirstName);
}

/** SMS replies stay short, as they are billed per segment. */
export function smsLine(rng: SeededRandom, outbound: boolean, customerFirstName: string): string {
  const line = outbound ? agentLine(rng, customerFirstName) : customerLine(rng);
  return line.length > 150 ? `${line.slice(0, 147)}...` : line;
}

function fill(template: string, rng: SeededRandom, name = 'there'): string {
  return template
    .replace('{order}', `A-${rng.int(100000, 999999)}`)
    .replace('{name}', name);
}
