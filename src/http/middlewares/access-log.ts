import type { Logger } from '@aws-lambda-powertools/logger';
import type { AuditEventRecorder } from '../../domain/audit/trail';
import { DependencyUnavailableError, DomainError } from '../../domain/errors';
import { stateOf } from '../api-request';
import { problemResponse } from '../problem';
import { requestTrail } from '../request-trail';
import { logFailure } from './problem-json';
import type { ApiMiddleware, ApiMiddyRequest } from './types';

/**
 * Every request to an authenticated route leaves an access-log event with the status the caller gets.
 * A write records its event in its own transaction (`committed`); for anything else, and for a write
 * whose answer differs from what it committed, the event is written here, after the response is known
 * and before it leaves: if it cannot be written, nothing is returned but a 503.
 */
export function accessLog(options: {
  recorder: AuditEventRecorder | undefined;
  clock: () => Date;
  logger: Logger;
}): ApiMiddleware {
  const { recorder, clock, logger } = options;
  const record = async (request: ApiMiddyRequest) => {
    const state = request.context.api;
    const trail = state?.trail;
    if (!recorder || !trail || !state.route.action) return;
    const event = trail.answerEvent(request.response?.statusCode ?? 500);
    if (!event) return;
    try {
      await recorder.record(event);
    } catch (error) {
      const failure = error instanceof DomainError ? error : new DependencyUnavailableError(error);
      request.response = problemResponse(failure);
      logFailure(logger, failure, request.response, state.route.operationId);
    }
  };
  return {
    before: ({ event, context }) => {
      const state = stateOf(context);
      state.trail = requestTrail(state.route, event, state.identity, clock);
    },
    after: record,
    onError: record,
  };
}
