import type { Directory } from '../../domain/directory';
import { RouteNotFoundError } from '../errors';
import { identify } from '../request-identity';
import type { RouteSpec } from '../routes';
import type { ApiMiddleware } from './types';

/**
 * First of the chain: which route this is and who is asking (token claims, officer, purpose, read once
 * and leniently, so that even a refused request can be logged faithfully). Refuses nothing but an
 * unknown route.
 */
export function requestContext(options: {
  routes: readonly RouteSpec[];
  directory: Directory;
}): ApiMiddleware {
  return {
    before: ({ event, context }) => {
      const route = options.routes.find((r) => r.method === event.httpMethod && r.path === event.resource);
      if (!route) throw new RouteNotFoundError();
      context.api = {
        route,
        identity: identify(event, options.directory),
        auth: null,
        purpose: undefined,
        params: undefined,
        query: undefined,
        body: undefined,
      };
    },
  };
}
