/**
 * Reading fields of a KMS JSON request, with the checks KMS applies before it looks at any key.
 * Every failure is a ValidationException naming the field (never its value: it may be a secret).
 */
import { validationError } from './errors';

export type JsonObject = Record<string, unknown>;

/** Standard base64 with padding, as the SDK's JSON protocol sends blobs; Buffer.from alone would accept junk. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

interface Bounds {
  min?: number;
  max?: number;
}

export function optionalString(input: JsonObject, field: string, bounds: Bounds = {}): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validationError(`${field} must be a string`);
  checkLength(field, value.length, { min: 1, ...bounds });
  return value;
}

export function requiredString(input: JsonObject, field: string, bounds: Bounds = {}): string {
  const value = optionalString(input, field, bounds);
  if (value === undefined) throw missing(field);
  return value;
}

export function optionalBlob(input: JsonObject, field: string, bounds: Bounds = {}): Buffer | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !BASE64.test(value)) throw validationError(`${field} must be base64`);
  const bytes = Buffer.from(value, 'base64');
  checkLength(field, bytes.length, { min: 1, ...bounds });
  return bytes;
}

export function requiredBlob(input: JsonObject, field: string, bounds: Bounds = {}): Buffer {
  const value = optionalBlob(input, field, bounds);
  if (value === undefined) throw missing(field);
  return value;
}

export function optionalInteger(
  input: JsonObject,
  field: string,
  bounds: Required<Bounds>,
): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw validationError(`${field} must be an integer`);
  if (value < bounds.min || value > bounds.max) {
    throw validationError(`${field} must be between ${bounds.min} and ${bounds.max}`);
  }
  return value;
}

export function optionalBoolean(input: JsonObject, field: string): boolean | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw validationError(`${field} must be a boolean`);
  return value;
}

/** A value from a closed set (an AWS enum); anything else is a ValidationException, as in KMS. */
export function optionalEnum<T extends string>(
  input: JsonObject,
  field: string,
  allowed: readonly T[],
): T | undefined {
  const value = optionalString(input, field);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw validationError(`${field} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function requiredEnum<T extends string>(input: JsonObject, field: string, allowed: readonly T[]): T {
  const value = optionalEnum(input, field, allowed);
  if (value === undefined) throw missing(field);
  return value;
}

/** EncryptionContext: a flat map of strings to strings; absent means empty. */
export function encryptionContext(input: JsonObject, member = 'EncryptionContext'): Record<string, string> {
  const value = input[member];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw validationError(`${member} must be a map of strings`);
  }
  const entries = Object.entries(value);
  if (!entries.every(([, v]) => typeof v === 'string')) {
    throw validationError(`${member} values must be strings`);
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

export interface Tag {
  TagKey: string;
  TagValue: string;
}

export function tags(input: JsonObject): Tag[] {
  const value = input.Tags;
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw validationError('Tags must be a list');
  return value.map((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) throw validationError('Each tag must be an object');
    const tag = entry as JsonObject;
    const TagKey = requiredString(tag, 'TagKey', { max: 128 });
    const TagValue = optionalString(tag, 'TagValue', { min: 0, max: 256 }) ?? '';
    return { TagKey, TagValue };
  });
}

function checkLength(
  field: string,
  length: number,
  { min = 0, max = Number.POSITIVE_INFINITY }: Bounds,
): void {
  if (length < min) throw validationError(`${field} must be at least ${min} long`);
  if (length > max) throw validationError(`${field} must be at most ${max} long`);
}

function missing(field: string) {
  return validationError(`${field} is required`);
}
