import type { ZodType } from 'zod';
import * as z from 'zod';
import { DomainError } from './errors';

/** An opaque cursor as the stores hand it out (base64url); its contents are checked by the store. */
export const CursorSchema = z
  .string()
  .max(2048)
  .regex(/^[\w-]+$/);

/**
 * A whole number in a query string: decimal digits only (no sign, exponent, hex prefix, fraction or
 * white space), between `min` and `max`.
 */
export function decimalIntegerQuery(options: { min: number; max: number }) {
  return z
    .string()
    .regex(/^[0-9]{1,16}$/, 'a whole number in decimal digits')
    .transform(Number)
    .pipe(z.number().int().min(options.min).max(options.max))
    .meta({ description: `A whole number from ${options.min} to ${options.max}, in decimal digits.` });
}

/** `limit` and `cursor` query parameters of a listing. */
export function pagingQuery(options: { max: number; default: number }) {
  return {
    limit: decimalIntegerQuery({ min: 1, max: options.max }).default(options.default),
    cursor: CursorSchema.optional(),
  };
}

/** A page of a listing: the items and, when there are more, the cursor of the next page. */
export function pageSchema<T extends ZodType>(item: T, id: string) {
  return z.strictObject({ items: z.array(item), nextCursor: z.string().optional() }).meta({ id });
}

/** A cursor that is not one this listing handed out (every store checks its own). */
export class InvalidCursorError extends DomainError {
  constructor() {
    super('The cursor is not valid.');
    this.name = 'InvalidCursorError';
  }
}
