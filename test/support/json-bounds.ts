import type { ZodType } from 'zod';
import { MAX_SECTION_BYTES } from '../../src/domain/cases/limits';
import {
  CaseViewSchema,
  NoteListSchema,
  SECTION_NAMES,
  SectionsSchema,
} from '../../src/domain/cases/schemas';
import { AgencyIdSchema } from '../../src/domain/directory';

/**
 * The most bytes `JSON.stringify` can write for a value of a zod schema, from the schema's bounds alone.
 * A string of at most n characters writes at most 6n + 2 bytes (a control character escapes to `\u00XX`,
 * and no character writes more). Times are written by the service (`toISOString`); 64 bytes is generous.
 * Anything the schema leaves unbounded throws, unless `known` bounds it.
 */
export function maxJsonBytes(schema: ZodType, known: ReadonlyMap<ZodType, number> = new Map()): number {
  const fixed = known.get(schema);
  if (fixed !== undefined) return fixed;
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  const inner = (key: string) => maxJsonBytes(def[key] as ZodType, known);
  switch (def.type) {
    case 'optional':
    case 'default':
      return inner('innerType');
    case 'nullable':
      return Math.max(4, inner('innerType'));
    case 'pipe':
      return (def.out as { _zod: { def: { type: string } } })._zod.def.type === 'transform'
        ? inner('in')
        : inner('out');
    case 'boolean':
      return 5;
    case 'number':
      return 24;
    case 'enum':
      return Math.max(...Object.values(def.entries as object).map((v) => JSON.stringify(v).length));
    case 'string':
      return stringBytes(def);
    case 'array':
      return 2 + maxLength(def, 'array') * (maxJsonBytes(def.element as ZodType, known) + 1);
    case 'object':
      return objectBytes(def.shape as Record<string, ZodType>, known);
    default:
      throw new Error(`no bound for a ${String(def.type)}`);
  }
}

function maxLength(def: Record<string, unknown>, what: string): number {
  const checks = (def.checks ?? []) as { _zod: { def: { check: string; maximum?: number } } }[];
  const max = checks.find((check) => check._zod.def.check === 'max_length')?._zod.def.maximum;
  if (max === undefined) throw new Error(`an unbounded ${what}`);
  return max;
}

const FORMAT_BYTES: Record<string, number> = { uuid: 38, datetime: 64, date: 12 };

function stringBytes(def: Record<string, unknown>): number {
  const format = FORMAT_BYTES[String(def.format)];
  return format ?? 6 * maxLength(def, 'string') + 2;
}

function objectBytes(shape: Record<string, ZodType>, known: ReadonlyMap<ZodType, number>): number {
  const fields = Object.entries(shape).map(
    ([key, value]) => JSON.stringify(key).length + 1 + maxJsonBytes(value, known),
  );
  return 2 + fields.reduce((sum, bytes) => sum + bytes, 0) + Math.max(0, fields.length - 1);
}

/** Sections are held to `MAX_SECTION_BYTES` each when written: what is stored is what is returned. */
const SECTIONS_BYTES = objectBytes(
  Object.fromEntries(SECTION_NAMES.map((name) => [name, SectionsSchema.shape[name]])),
  new Map(SECTION_NAMES.map((name) => [SectionsSchema.shape[name] as ZodType, MAX_SECTION_BYTES])),
);

const KNOWN = new Map<ZodType, number>([
  [SectionsSchema, SECTIONS_BYTES],
  // 2–32 lowercase letters, digits or hyphens.
  [AgencyIdSchema, 34],
]);

/** The largest body of `GET /v1/cases/{caseId}`: metadata, five full sections, the newest notes, the link. */
export const MAX_CASE_READ_BYTES = maxJsonBytes(CaseViewSchema, KNOWN);
/** The largest body of `GET /v1/cases/{caseId}/notes`: a full page and its cursor. */
export const MAX_NOTES_PAGE_BYTES = maxJsonBytes(NoteListSchema, KNOWN);

/**
 * What Lambda counts against its 6 MB: the proxy result, whose `body` is the body again as a JSON string.
 * Only `"` and `\` escape once more there (non-ASCII stays raw), so at most twice the body, plus the
 * status and headers (under 2 KiB).
 */
export const lambdaPayloadBytes = (bodyBytes: number) => 2 * bodyBytes + 2048;
