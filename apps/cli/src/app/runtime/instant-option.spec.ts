import { UsageError } from './cli.error';
import { parseCountOption, parseInstantOption, parseKeyValues } from './instant-option';

const now = Date.parse('2026-03-10T15:30:00Z');

describe('time, count and key=value flags', () => {
  it('reads now, spans back from now, dates (UTC midnight) and instants with a zone', () => {
    expect(parseInstantOption('now', '--to', now)).toBe(now);
    expect(parseInstantOption('90m', '--from', now)).toBe(now - 90 * 60_000);
    expect(parseInstantOption('24h', '--from', now)).toBe(now - 86_400_000);
    expect(parseInstantOption('2w', '--from', now)).toBe(now - 14 * 86_400_000);
    expect(parseInstantOption('2026-01-31', '--from', now)).toBe(Date.parse('2026-01-31T00:00:00Z'));
    expect(parseInstantOption('2026-01-31T12:00:00+01:00', '--from', now)).toBe(Date.parse('2026-01-31T11:00:00Z'));
  });

  it('refuses a time without a zone rather than guess one, and anything else with the accepted forms', () => {
    expect(() => parseInstantOption('2026-01-31T12:00:00', '--from', now)).toThrow(new UsageError('--from "2026-01-31T12:00:00" has no time zone'));
    expect(() => parseInstantOption('yesterday', '--from', now)).toThrow(UsageError);
    expect(() => parseInstantOption('2026-02-30', '--from', now)).toThrow(UsageError);
  });

  it('counts are whole numbers within bounds; attributes are name=value', () => {
    expect(parseCountOption('25', '--max', 1)).toBe(25);
    expect(() => parseCountOption('0', '--max', 1)).toThrow('--max must be a whole number from 1 up, got "0"');
    expect(() => parseCountOption('2.5', '--concurrency', 1, 64)).toThrow('--concurrency must be a whole number from 1 to 64, got "2.5"');
    expect(parseKeyValues(['orderId=42', 'note=a=b'], '--attribute')).toEqual({ orderId: '42', note: 'a=b' });
    expect(() => parseKeyValues(['orderId'], '--attribute')).toThrow('--attribute "orderId" must look like name=value');
  });
});
