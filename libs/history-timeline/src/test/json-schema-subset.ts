/**
 * A validator for the part of JSON Schema 2020-12 the archive record schema uses (type,
 * const, enum, properties, required, additionalProperties, items, $ref to #/$defs, oneOf,
 * minimum, pattern), so specs can hold records and schema to each other without a
 * dependency. Returns the errors, each with the JSON path it concerns.
 */
export type Schema = Record<string, unknown>;

export function validateAgainst(schema: Schema, value: unknown): string[] {
  const root = schema;
  const errors: string[] = [];

  const typeOf = (v: unknown): string =>
    v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v;

  const check = (s: Schema, v: unknown, path: string, out: string[]): void => {
    if (typeof s.$ref === 'string') {
      const name = s.$ref.replace('#/$defs/', '');
      const target = (root.$defs as Record<string, Schema>)[name];
      if (!target) throw new Error(`unknown $ref ${s.$ref}`);
      check(target, v, path, out);
      return;
    }
    if (s.const !== undefined && v !== s.const) out.push(`${path}: must be ${JSON.stringify(s.const)}`);
    if (Array.isArray(s.enum) && !s.enum.includes(v)) out.push(`${path}: must be one of ${JSON.stringify(s.enum)}, got ${JSON.stringify(v)}`);
    if (s.type !== undefined) {
      const allowed = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      const actual = typeOf(v);
      const ok = allowed.includes(actual) || (actual === 'integer' && allowed.includes('number'));
      if (!ok) {
        out.push(`${path}: must be ${allowed.join('|')}, got ${actual}`);
        return;
      }
    }
    if (typeof v === 'number' && typeof s.minimum === 'number' && v < s.minimum) out.push(`${path}: must be ≥ ${s.minimum}`);
    if (typeof v === 'string' && typeof s.pattern === 'string' && !new RegExp(s.pattern).test(v)) out.push(`${path}: does not match ${s.pattern}`);
    if (Array.isArray(s.oneOf)) {
      const passing = (s.oneOf as Schema[]).filter((option) => {
        const inner: string[] = [];
        check(option, v, path, inner);
        return inner.length === 0;
      });
      if (passing.length !== 1) out.push(`${path}: must match exactly one schema of oneOf, matched ${passing.length}`);
    }
    if (Array.isArray(v) && s.items) v.forEach((item, i) => check(s.items as Schema, item, `${path}[${i}]`, out));
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const record = v as Record<string, unknown>;
      for (const key of (s.required as string[] | undefined) ?? []) if (!(key in record)) out.push(`${path}: missing required ${key}`);
      const properties = (s.properties as Record<string, Schema> | undefined) ?? {};
      for (const [key, member] of Object.entries(record)) {
        if (properties[key]) check(properties[key], member, `${path}.${key}`, out);
        else if (s.additionalProperties === false) out.push(`${path}: unexpected property ${key}`);
        else if (s.additionalProperties && typeof s.additionalProperties === 'object') check(s.additionalProperties as Schema, member, `${path}.${key}`, out);
      }
    }
  };

  check(schema, value, '$', errors);
  return errors;
}
