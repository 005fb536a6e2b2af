import { ApiErrors } from '../errors/api-error';

/** Small guards that turn a malformed request body into the API's 400 answer. */

export type JsonObject = Record<string, unknown>;

export function requireObject(value: unknown, what = 'body'): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw ApiErrors.badRequest('The {what} must be a JSON object.', { what }, what);
  }
  return value as JsonObject;
}

export function optionalObject(obj: JsonObject, field: string): JsonObject | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  return requireObject(value, field);
}

export function requireString(obj: JsonObject, field: string): string {
  const value = obj[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw ApiErrors.badRequest('The field {field} is required and must be a non-empty string.', { field }, field);
  }
  return value;
}

export function optionalString(obj: JsonObject, field: string): string | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw ApiErrors.badRequest('The field {field} must be a string.', { field }, field);
  return value;
}

export function optionalBoolean(obj: JsonObject, field: string): boolean | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw ApiErrors.badRequest('The field {field} must be true or false.', { field }, field);
  return value;
}

export function optionalInteger(obj: JsonObject, field: string): number | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw ApiErrors.badRequest('The field {field} must be an integer.', { field }, field);
  }
  return value;
}

export function optionalArray(obj: JsonObject, field: string): unknown[] | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw ApiErrors.badRequest('The field {field} must be an array.', { field }, field);
  return value;
}

export function optionalEnum<T extends string>(obj: JsonObject, field: string, allowed: readonly T[]): T | undefined {
  const value = optionalString(obj, field);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw ApiErrors.invalidValue(field, value, allowed);
  return value as T;
}

/** An ISO-8601 instant; 400 invalid.date otherwise. */
export function parseInstant(value: string, field: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw ApiErrors.invalidDate(field, value);
  return ms;
}
