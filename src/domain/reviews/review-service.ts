import type { AuditTrail } from '../audit/trail';
import type { Caller } from '../cases/case-service';
import { ReviewNotFoundError } from '../errors';
import { ReviewClosedError, type ReviewRecord, type ReviewStore } from './ports';
import type { CloseReviewBody, ReviewKind, ReviewPriority, ReviewStatus } from './schemas';

export interface ReviewDeps {
  store: ReviewStore;
  clock: () => Date;
}

export async function listReviews(
  deps: ReviewDeps,
  query: {
    status: ReviewStatus;
    kind?: ReviewKind | undefined;
    priority?: ReviewPriority | undefined;
    limit: number;
    cursor?: string | undefined;
  },
) {
  const filter = { kind: query.kind, priority: query.priority };
  return deps.store.list(query.status, filter, query.limit, query.cursor);
}

/** A compliance officer closes an open review with an outcome and a written finding, once. */
export async function closeReview(
  deps: ReviewDeps,
  caller: Caller,
  reviewId: string,
  body: CloseReviewBody,
  trail: AuditTrail,
): Promise<ReviewRecord> {
  const review = await deps.store.get(reviewId);
  if (!review) throw new ReviewNotFoundError();
  trail.concerns({ caseId: review.caseId, resource: `/v1/audit/reviews/${reviewId}` });
  if (review.status === 'closed') throw new ReviewClosedError();
  const closed: ReviewRecord = {
    ...review,
    status: 'closed',
    closure: {
      outcome: body.outcome,
      finding: body.finding,
      closedAt: deps.clock().toISOString(),
      closedBy: caller.user,
    },
  };
  const event = trail.eventFor(200);
  await deps.store.close(closed, event);
  trail.recorded(event);
  return closed;
}
