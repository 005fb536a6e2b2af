import { UsageError } from './cli.error';

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Reads a time flag (`--from`, `--to`) as epoch ms. Accepts what people type:
 * - `now`
 * - a span back from now: `90m`, `24h`, `7d`, `2w`
 * - a date, taken as UTC midnight: `2026-01-31`
 * - an ISO-8601 instant with a zone: `2026-01-31T12:00:00Z`, `…+01:00`
 * A date-time without a zone is refused: guessing the zone would shift the window silently.
 */
export function parseInstantOption(value: string, flag: string, now: number): number {
  const text = value.trim();
  if (text === 'now') return now;
  const span = /^(\d+)([smhdw])$/.exec(text);
  if (span) return now - Number(span[1]) * UNIT_MS[span[2]];
  if (/^\d{4}-\d{2}-\d{2}$/.test(text) && isCalendarDate(text)) return Date.parse(`${text}T00:00:00Z`);
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d\d:?\d\d)$/i.test(text) && isCalendarDate(text.slice(0, 10))) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms)) return ms;
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    throw new UsageError(`${flag} ${JSON.stringify(value)} has no time zone`, `Add one, e.g. ${text}Z for UTC.`);
  }
  throw new UsageError(
    `${flag} ${JSON.stringify(value)} is not a time`,
    'Use now, a span back from now (90m, 24h, 7d, 2w), a date (2026-01-31, UTC midnight) or an ISO-8601 instant (2026-01-31T12:00:00Z).',
  );
}

/** Date.parse rolls 2026-02-30 over into March; a typo must not move the window silently. */
function isCalendarDate(date: string): boolean {
  const [year, month, day] = date.split('-').map(Number);
  const ms = Date.UTC(year, month - 1, day);
  return new Date(ms).toISOString().slice(0, 10) === date;
}

/** A whole-number flag within bounds. */
export function parseCountOption(value: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be a whole number from ${min.toLocaleString('en-US')}${max < Number.MAX_SAFE_INTEGER ? ` to ${max.toLocaleString('en-US')}` : ' up'}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** `key=value` pairs of a repeatable flag (`--attribute orderId=42`). */
export function parseKeyValues(values: readonly string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of values) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} ${JSON.stringify(entry)} must look like name=value`);
    out[entry.slice(0, eq).trim()] = entry.slice(eq + 1);
  }
  return out;
}
