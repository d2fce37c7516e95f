import httpJsonBodyParser from '@middy/http-json-body-parser';
import { stateOf } from '../api-request';
import { PayloadTooLargeError } from '../errors';
import type { ApiMiddleware, ApiMiddyRequest } from './types';

/** API Gateway's own limit is 10 MB; a case record never needs more than this. */
export const MAX_BODY_BYTES = 256 * 1024;

function bodyBytes({ body, isBase64Encoded }: ApiMiddyRequest['event']): number {
  if (!body) return 0;
  return isBase64Encoded ? Buffer.from(body, 'base64').byteLength : Buffer.byteLength(body, 'utf8');
}

/**
 * The body of the routes that take one: at most `MAX_BODY_BYTES`, sent as JSON (415 otherwise), parsed by
 * middy's JSON body parser (which also refuses `__proto__` keys). Routes without a body ignore any sent.
 */
export function jsonBody(): ApiMiddleware {
  const parse = httpJsonBodyParser().before as (request: ApiMiddyRequest) => void;
  return {
    before: (request) => {
      if (!stateOf(request.context).route.request?.body) return;
      if (bodyBytes(request.event) > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES);
      // No body at all is malformed JSON, as an empty one is.
      request.event.body ??= '';
      parse(request);
    },
  };
}
