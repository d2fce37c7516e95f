import httpJsonBodyParser from '@middy/http-json-body-parser';
import { stateOf } from '../api-request';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors';
import type { ApiMiddleware, ApiMiddyRequest } from './types';

/** API Gateway's own limit is 10 MB; a case record never needs more than this. */
export const MAX_BODY_BYTES = 256 * 1024;

function bodyBytes({ body, isBase64Encoded }: ApiMiddyRequest['event']): number {
  if (!body) return 0;
  return isBase64Encoded ? Buffer.from(body, 'base64').byteLength : Buffer.byteLength(body, 'utf8');
}

/**
 * The one media type taken as JSON: `application/json`, optionally `; charset=utf-8`, in any case (no space
 * before the `;`, as middy's parser reads it). Middy's parser alone would also take any `+json` type.
 */
const JSON_MEDIA_TYPE = /^application\/json(?:;[ \t]*charset=utf-8)?$/i;

/**
 * The body of the routes that take one: at most `MAX_BODY_BYTES`, sent as `application/json` (415
 * otherwise), parsed by middy's JSON body parser (which also refuses `__proto__` keys). Routes without a
 * body ignore any sent.
 */
export function jsonBody(): ApiMiddleware {
  // The media type is checked here, more narrowly than the parser would.
  const parse = httpJsonBodyParser({ disableContentTypeCheck: true }).before as (
    request: ApiMiddyRequest,
  ) => void;
  return {
    before: (request) => {
      if (!stateOf(request.context).route.request?.body) return;
      if (bodyBytes(request.event) > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES);
      if (!JSON_MEDIA_TYPE.test(request.event.headers['content-type'] ?? '')) {
        throw new UnsupportedMediaTypeError();
      }
      // No body at all is malformed JSON, as an empty one is.
      request.event.body ??= '';
      parse(request);
    },
  };
}
