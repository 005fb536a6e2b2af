import { registerDecorator } from 'class-validator';
import { checkText, type TextKind } from '@gcm/text-policy';

/**
 * A string field under the one text policy (`@gcm/text-policy`): `message` for guest and
 * agent text, `attribute` for values, `fileName` for attachment names. The 400 names the
 * field, the character and its position (`contains the control character U+001B at
 * position 0`), never the text. Non-strings are left to @IsString.
 */
export function PolicyText(kind: Exclude<TextKind, 'any'>): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: `policyText:${kind}`,
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || checkText(value, kind) === undefined,
        defaultMessage: (args) => (typeof args?.value === 'string' ? checkText(args.value, kind)?.message : undefined) ?? 'breaks the text policy',
      },
    });
}
