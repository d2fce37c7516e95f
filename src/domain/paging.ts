import { type ZodType, z } from 'zod';
import { DomainError } from './errors';

/** An opaque cursor as the stores hand it out (base64url); its contents are checked by the store. */
export const CursorSchema = z
  .string()
  .max(2048)
  .regex(/^[\w-]+$/);

/** `limit` and `cursor` query parameters of a listing. */
export function pagingQuery(options: { max: number; default: number }) {
  return {
    limit: z.coerce.number().int().min(1).max(options.max).default(options.default),
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
