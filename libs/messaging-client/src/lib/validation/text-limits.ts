/**
 * Text limits of Genesys messaging (genesys-api.md §4): 765 characters for SMS, 2,000 for
 * every other channel. A "character" here is a Unicode code point, so an emoji outside the
 * Basic Multilingual Plane counts once even though it takes two UTF-16 units in
 * `String.length`. Counting code points is the reading that never under-counts what a
 * person typed; a combined emoji sequence (👍🏽, flags) still counts as several.
 */
export const SMS_TEXT_LIMIT = 765;
export const DEFAULT_TEXT_LIMIT = 2000;

export function textLimitFor(channel: string | undefined): number {
  return channel?.toLowerCase() === 'sms' ? SMS_TEXT_LIMIT : DEFAULT_TEXT_LIMIT;
}

/** Length in Unicode code points (the string iterator walks code points, not UTF-16 units). */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}
