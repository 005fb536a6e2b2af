const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/;

/** `250ms`, `30s`, `15m`, `6h`, `7d`, or whole milliseconds; undefined when unreadable. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * UNITS[match[2] ?? 'ms'];
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}
