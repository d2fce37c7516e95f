import { describe, expect, it, vi } from 'vitest';
import type { AuditEvent } from '../../../../src/domain/audit/event';
import { ReviewNotFoundError } from '../../../../src/domain/errors';
import {
  ReviewClosedError,
  type ReviewPage,
  type ReviewRecord,
  type ReviewStore,
} from '../../../../src/domain/reviews/ports';
import { closeReview, listReviews, type ReviewDeps } from '../../../../src/domain/reviews/review-service';
import { MemoryTrail } from '../../../support/fakes/audit-trail';

const NOW = new Date('2026-12-01T10:00:00.000Z');
const REVIEW_ID = '5f0c8a3e-1d2b-4c6a-9e7f-0a1b2c3d4e5f';
const CASE_ID = '2b7e1516-28ae-4d2a-abf7-158809cf4f3c';
const officer = { agency: 'compliance', user: 'auditor-2' };
const body = {
  outcome: 'justified' as const,
  finding: 'Imminent risk to the child; access was proportionate.',
};

const openReview: ReviewRecord = {
  reviewId: REVIEW_ID,
  kind: 'emergency-access',
  status: 'open',
  createdAt: '2026-11-30T22:00:00.000Z',
  caseId: CASE_ID,
  agency: 'police',
  user: 'officer-3',
  sections: ['identity', 'report'],
  purpose: 'emergency',
  justification: 'child missing overnight',
  auditEventId: 'audit-1',
};

/** The ReviewStore contract in memory: closing is conditional on the review being open. */
class MemoryReviewStore implements ReviewStore {
  readonly reviews = new Map<string, ReviewRecord>();
  readonly events: AuditEvent[] = [];

  async get(reviewId: string) {
    const review = this.reviews.get(reviewId);
    return review ? structuredClone(review) : undefined;
  }

  async list(): Promise<ReviewPage> {
    return { items: [...this.reviews.values()] };
  }

  async close(review: ReviewRecord, event: AuditEvent) {
    if (this.reviews.get(review.reviewId)?.status !== 'open') throw new ReviewClosedError();
    this.reviews.set(review.reviewId, structuredClone(review));
    this.events.push(event);
  }
}

function setup(...reviews: ReviewRecord[]) {
  const store = new MemoryReviewStore();
  for (const review of reviews) store.reviews.set(review.reviewId, structuredClone(review));
  const deps: ReviewDeps = { store, clock: () => NOW };
  return { store, deps };
}

describe('closeReview', () => {
  it('closes an open review with the outcome, the finding, when and by whom, and records it', async () => {
    const { deps, store } = setup(openReview);
    const trail = new MemoryTrail();

    const closed = await closeReview(deps, officer, REVIEW_ID, body, trail);

    expect(closed).toEqual({
      ...openReview,
      status: 'closed',
      closure: { ...body, closedAt: NOW.toISOString(), closedBy: 'auditor-2' },
    });
    expect(store.reviews.get(REVIEW_ID)).toEqual(closed);
    expect(trail.recordedEvents).toEqual(store.events);
    expect(store.events).toHaveLength(1);
  });

  it('ties the audit event to the review’s case and resource', async () => {
    const { deps, store } = setup(openReview);

    await closeReview(deps, officer, REVIEW_ID, body, new MemoryTrail());

    expect(store.events[0]).toMatchObject({ caseId: CASE_ID, resource: `/v1/audit/reviews/${REVIEW_ID}` });
  });

  it('answers a review that does not exist with not-found, writing and recording nothing', async () => {
    const { deps, store } = setup();
    const trail = new MemoryTrail();

    await expect(closeReview(deps, officer, REVIEW_ID, body, trail)).rejects.toBeInstanceOf(
      ReviewNotFoundError,
    );
    expect(store.events).toEqual([]);
    expect(trail.recordedEvents).toEqual([]);
  });

  it('refuses to close a review read as closed, leaving its first closure and naming its case for the refusal', async () => {
    const first = {
      outcome: 'not-justified' as const,
      finding: 'no risk',
      closedAt: '2026-11-30T23:00:00.000Z',
      closedBy: 'auditor-1',
    };
    const { deps, store } = setup({ ...openReview, status: 'closed', closure: first });
    const close = vi.spyOn(store, 'close');
    const trail = new MemoryTrail();

    await expect(closeReview(deps, officer, REVIEW_ID, body, trail)).rejects.toBeInstanceOf(
      ReviewClosedError,
    );
    expect(close).not.toHaveBeenCalled();
    expect(store.reviews.get(REVIEW_ID)?.closure).toEqual(first);
    expect(trail.recordedEvents).toEqual([]);
    expect(trail.concerned).toEqual({ caseId: CASE_ID, resource: `/v1/audit/reviews/${REVIEW_ID}` });
  });

  it('refuses the second of two officers closing the same review at once', async () => {
    const { deps, store } = setup(openReview);
    const trail = new MemoryTrail();
    const read = store.get.bind(store);
    // Both read it open; the other officer's close lands first.
    vi.spyOn(store, 'get').mockImplementationOnce(async (id) => {
      const found = await read(id);
      await closeReview(
        deps,
        { agency: 'compliance', user: 'auditor-1' },
        REVIEW_ID,
        body,
        new MemoryTrail(),
      );
      return found;
    });

    const late = closeReview(deps, officer, REVIEW_ID, { ...body, outcome: 'referred' }, trail);

    await expect(late).rejects.toBeInstanceOf(ReviewClosedError);
    expect(store.reviews.get(REVIEW_ID)?.closure).toMatchObject({
      closedBy: 'auditor-1',
      outcome: 'justified',
    });
    expect(trail.recordedEvents).toEqual([]);
  });
});

describe('listReviews', () => {
  it('passes the status, kind, limit and cursor to the store and answers its page as it is', async () => {
    const page: ReviewPage = { items: [openReview], nextCursor: 'next' };
    const store = { get: vi.fn(), close: vi.fn(), list: vi.fn(async () => page) };

    const answer = await listReviews(
      { store, clock: () => NOW },
      { status: 'closed', kind: 'overdue-request', limit: 10, cursor: 'c-1' },
    );

    expect(store.list).toHaveBeenCalledWith('closed', { kind: 'overdue-request' }, 10, 'c-1');
    expect(answer).toEqual(page);
  });

  it('passes no kind and no cursor when none is asked for', async () => {
    const store = { get: vi.fn(), close: vi.fn(), list: vi.fn(async () => ({ items: [] })) };

    await listReviews({ store, clock: () => NOW }, { status: 'open', limit: 25 });

    expect(store.list).toHaveBeenCalledWith('open', {}, 25, undefined);
  });
});
