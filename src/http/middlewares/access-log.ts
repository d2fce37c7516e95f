import type { Logger } from '@aws-lambda-powertools/logger';
import type { AuditEventRecorder } from '../../domain/audit/trail';
import { DependencyUnavailableError, DomainError, WriteOutcomeUnknownError } from '../../domain/errors';
import { stateOf } from '../api-request';
import { problemResponse } from '../problem';
import type { RequestTrail } from '../request-trail';
import { requestTrail } from '../request-trail';
import { logFailure } from './problem-json';
import type { ApiMiddleware, ApiMiddyRequest } from './types';

/** One try at recording the answer that replaced an event whose write may have landed; a failure is left. */
async function correct(recorder: AuditEventRecorder, trail: RequestTrail, status: number): Promise<void> {
  const event = trail.answerEvent(status);
  if (event) await recorder.record(event).catch(() => undefined);
}

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
    const answered = request.response?.statusCode ?? 500;
    const event = trail.answerEvent(answered);
    if (!event) return;
    try {
      await recorder.record(event);
    } catch (error) {
      const failure = error instanceof DomainError ? error : new DependencyUnavailableError(error);
      logFailure(logger, failure, problemResponse(failure), state.route.operationId);
      // A failure answer stands (an `outcome-unknown` must not turn into "nothing stored"); anything else
      // is withheld, since its event may not be in the log.
      if (answered >= 500) return;
      // 503 `service-unavailable`: what may not have been stored is the access log's own event, not
      // anything the caller asked for.
      request.response = problemResponse(
        failure instanceof WriteOutcomeUnknownError ? new DependencyUnavailableError(failure) : failure,
      );
      // The event may have landed even so: then the log must also hold the answer that replaced it.
      if (failure instanceof WriteOutcomeUnknownError)
        await correct(recorder, trail, request.response.statusCode);
    }
  };
  return {
    before: ({ event, context }) => {
      const state = stateOf(context);
      state.trail = requestTrail(state.route, event, state.identity, clock, recorder);
    },
    after: record,
    onError: record,
  };
}
