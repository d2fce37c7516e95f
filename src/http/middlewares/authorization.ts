import { stateOf } from '../api-request';
import { ValidationError } from '../errors';
import { authorize, requiredPurpose } from '../request-identity';
import type { ApiMiddleware } from './types';

/**
 * Who may call, and with which headers: the token's client and scope, the officer (`X-Himaya-User`), the
 * purpose on reads of case content, and a well-formed `Idempotency-Key` where the route accepts one.
 */
export function authorization(): ApiMiddleware {
  return {
    before: ({ context }) => {
      const state = stateOf(context);
      const { route, identity } = state;
      state.auth = route.scope === null ? null : authorize(identity, route.scope);
      const key = route.idempotent ? identity.idempotencyKey : undefined;
      if (key?.sent && key.value === null) {
        throw new ValidationError('Idempotency-Key must be 8-128 letters, digits or . _ : -', [
          { path: 'headers.idempotency-key', message: 'invalid value' },
        ]);
      }
      state.purpose = requiredPurpose(identity, route);
    },
  };
}
