import type * as z from 'zod';
import type { ZodType } from 'zod';
import { stateOf } from '../api-request';
import { ValidationError } from '../errors';
import type { ApiMiddleware } from './types';

/**
 * The headers the API reads (the officer, purpose and key `requestContext` reads, the update's If-Match);
 * any other header is ignored, whatever it holds.
 */
const READ_HEADERS = ['x-himaya-user', 'x-himaya-purpose', 'idempotency-key', 'if-match'];

/** A step into a value, linked to its parent so that no path is built unless one is answered. */
type Step = { key: string; parent: Step | undefined } | undefined;

function pathOf(step: Step): string {
  const keys: string[] = [];
  for (let at = step; at; at = at.parent) keys.push(at.key);
  return keys.reverse().join('.');
}

/**
 * Where the first lone UTF-16 surrogate of `input` is (a key or a string, at any depth), as a dotted path;
 * undefined if there is none. A lone surrogate has no UTF-8 form: the access log's canonical JSON, the
 * idempotency digest and the stores would fail on it or silently replace it. Iterative and linear, because
 * a body within the size limit may nest deeper than the stack.
 */
export function loneSurrogatePath(input: unknown): string | undefined {
  const pending: [unknown, Step][] = [[input, undefined]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, step] = next;
    if (typeof value === 'string' && !value.isWellFormed()) return pathOf(step);
    if (typeof value !== 'object' || value === null) continue;
    for (const [key, member] of Object.entries(value)) {
      // The path is sent back in the problem: never the offending text itself.
      if (!key.isWellFormed()) return pathOf({ key: key.toWellFormed(), parent: step });
      pending.push([member, { key, parent: step }]);
    }
  }
  return undefined;
}

function refuseLoneSurrogates(input: Record<string, unknown>): void {
  const path = loneSurrogatePath(input);
  if (path === undefined) return;
  throw new ValidationError('The request holds text that is not valid Unicode (a lone UTF-16 surrogate).', [
    { path, message: 'contains a lone UTF-16 surrogate' },
  ]);
}

function fieldIssues(error: z.ZodError, prefix: string) {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

function parsePart(schema: ZodType | undefined, value: unknown, prefix: string): unknown {
  if (!schema) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new ValidationError(`The request ${prefix} is invalid.`, fieldIssues(parsed.error, prefix));
  }
  return parsed.data;
}

/**
 * The route's zod schemas, strictly, over the body, path parameters and query: 400 naming each field.
 * First, text that is not valid Unicode anywhere in what is read is refused, before any schema, the
 * idempotency record or the operation sees it.
 */
export function requestValidation(): ApiMiddleware {
  return {
    before: ({ event, context }) => {
      const state = stateOf(context);
      const schemas = state.route.request;
      refuseLoneSurrogates({
        body: schemas?.body ? event.body : undefined,
        params: event.pathParameters,
        query: event.queryStringParameters,
        headers: Object.fromEntries(READ_HEADERS.map((name) => [name, event.headers[name]])),
      });
      state.body = parsePart(schemas?.body, event.body, 'body');
      state.params = parsePart(schemas?.params, event.pathParameters ?? {}, 'params');
      state.query = parsePart(schemas?.query, event.queryStringParameters ?? {}, 'query');
    },
  };
}
