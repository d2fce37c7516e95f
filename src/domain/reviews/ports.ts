import type { AuditEvent } from '../audit/event';
import { StoreConditionError } from '../cases/ports';
import type { ReviewKind, ReviewPriority, ReviewStatus, ReviewView } from './schemas';

/** A review item as stored is what compliance sees of it. */
export type ReviewRecord = ReviewView;

export interface ReviewPage {
  items: ReviewRecord[];
  nextCursor?: string;
}

/** The compliance review list (the Cases table in AWS: see cases-layout.ts). */
export interface ReviewStore {
  get(reviewId: string): Promise<ReviewRecord | undefined>;
  list(
    status: ReviewStatus,
    filter: { kind?: ReviewKind | undefined; priority?: ReviewPriority | undefined },
    limit: number,
    cursor: string | undefined,
  ): Promise<ReviewPage>;
  /** Closes an open review with its audit event, in one transaction; `ReviewClosedError` if it was not open. */
  close(review: ReviewRecord, event: AuditEvent): Promise<void>;
}

export class ReviewClosedError extends StoreConditionError {
  constructor() {
    super('The review is already closed.');
    this.name = 'ReviewClosedError';
  }
}
