/**
 * Deterministic JSON for audit-log leaf inputs, in the style of RFC 8785 (JSON Canonicalization Scheme):
 * object members sorted by the UTF-16 code units of their names, no whitespace, strings and numbers
 * serialised as ECMAScript `JSON.stringify` does (which is what JCS specifies for both).
 *
 * Only JSON data is accepted: null, booleans, finite numbers, well-formed strings, arrays and plain objects.
 * Anything else (NaN, ±Infinity, bigint, functions, symbols, Dates, Maps, class instances, cyclic values,
 * lone surrogates, `undefined` as an array element or as the whole value) throws `CanonicalJsonError`
 * rather than being coerced. Object members whose value is `undefined` are omitted, as in `JSON.stringify`.
 * Unicode normalisation (NFC) is the caller's job.
 */

/** The value cannot be represented as canonical JSON. */
export class CanonicalJsonError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CanonicalJsonError';
  }
}

/** Nesting deeper than this is rejected (protects the stack; audit events are shallow). */
export const MAX_CANONICAL_DEPTH = 256;

const encoder = new TextEncoder();

/** The canonical JSON text of `value`. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) throw new CanonicalJsonError('$: undefined is not JSON');
  return serialize(value, '$', new Set(), 0);
}

/** The UTF-8 encoding of `canonicalJson(value)`: the bytes that are hashed as a leaf. */
export function canonicalBytes(value: unknown): Uint8Array {
  return encoder.encode(canonicalJson(value));
}

function serializeString(value: string, path: string): string {
  if (!value.isWellFormed()) throw new CanonicalJsonError(`${path}: string contains a lone surrogate`);
  return JSON.stringify(value);
}

function serialize(value: unknown, path: string, ancestors: Set<object>, depth: number): string {
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`${path}: ${value} is not a finite number`);
      return JSON.stringify(value);
    case 'string':
      return serializeString(value, path);
    case 'object':
      if (value === null) return 'null';
      break;
    default:
      throw new CanonicalJsonError(`${path}: a ${typeof value} is not JSON`);
  }
  if (depth >= MAX_CANONICAL_DEPTH)
    throw new CanonicalJsonError(`${path}: nested deeper than ${MAX_CANONICAL_DEPTH}`);
  if (ancestors.has(value)) throw new CanonicalJsonError(`${path}: cyclic value`);
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return serializeArray(value, path, ancestors, depth);
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      const kind = (prototype?.constructor as { name?: string } | undefined)?.name ?? 'unknown';
      throw new CanonicalJsonError(`${path}: a ${kind} is not a plain object`);
    }
    return serializeObject(value as Record<string, unknown>, path, ancestors, depth);
  } finally {
    ancestors.delete(value);
  }
}

function serializeArray(
  value: readonly unknown[],
  path: string,
  ancestors: Set<object>,
  depth: number,
): string {
  const parts: string[] = [];
  // An index loop, not map(): holes in sparse arrays read as undefined and are rejected.
  for (let i = 0; i < value.length; i++) {
    const element = value[i];
    if (element === undefined) throw new CanonicalJsonError(`${path}[${i}]: undefined is not JSON`);
    parts.push(serialize(element, `${path}[${i}]`, ancestors, depth + 1));
  }
  return `[${parts.join(',')}]`;
}

function serializeObject(
  value: Record<string, unknown>,
  path: string,
  ancestors: Set<object>,
  depth: number,
): string {
  // Array.prototype.sort without a comparator orders strings by UTF-16 code units, as RFC 8785 requires.
  const keys = Object.keys(value).sort();
  const parts: string[] = [];
  for (const key of keys) {
    const member = value[key];
    if (member === undefined) continue;
    const memberPath = `${path}.${key}`;
    parts.push(`${serializeString(key, memberPath)}:${serialize(member, memberPath, ancestors, depth + 1)}`);
  }
  return `{${parts.join(',')}}`;
}
