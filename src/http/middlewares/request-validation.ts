import type * as z from 'zod';
import type { ZodType } from 'zod';
import { stateOf } from '../api-request';
import { ValidationError } from '../errors';
import type { ApiMiddleware } from './types';

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

/** The route's zod schemas, strictly, over the body, path parameters and query: 400 naming each field. */
export function requestValidation(): ApiMiddleware {
  return {
    before: ({ event, context }) => {
      const state = stateOf(context);
      const schemas = state.route.request;
      state.body = parsePart(schemas?.body, event.body, 'body');
      state.params = parsePart(schemas?.params, event.pathParameters ?? {}, 'params');
      state.query = parsePart(schemas?.query, event.queryStringParameters ?? {}, 'query');
    },
  };
}
