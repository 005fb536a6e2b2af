/** Something that names an instant: epoch milliseconds, an ISO 8601 string or a Date. */
export type Instant = number | string | Date;

/** Epoch milliseconds, or NaN when the value names no instant. */
export function epochMs(value: Instant | undefined | null): number {
  if (value === undefined || value === null) return Number.NaN;
  if (typeof value === 'number') return value;
  if (value instanceof Date) return value.getTime();
  return Date.parse(value);
}

/** ISO 8601 UTC with milliseconds (`2026-03-01T12:00:00.000Z`), or undefined for no or an unreadable instant. */
export function isoUtc(value: Instant | undefined | null): string | undefined {
  const ms = epochMs(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}
