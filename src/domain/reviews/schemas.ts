import * as z from 'zod';
import { CaseIdSchema, SECTION_NAMES, UrgencySchema } from '../cases/schemas';
import { AgencyIdSchema } from '../directory';
import { pageSchema, pagingQuery } from '../paging';
import { PurposeSchema } from '../purpose';
import { freeText } from '../text';

/**
 * The compliance review list: emergency accesses, and deadlines an agency missed. A compliance officer
 * closes each item with an outcome and a written finding.
 */
export const REVIEW_KINDS = ['emergency-access', 'overdue-request', 'overdue-report'] as const;
export const REVIEW_STATUSES = ['open', 'closed'] as const;
/** `high`: looked at first (an emergency access soon after the owner revoked that agency). */
export const REVIEW_PRIORITIES = ['high', 'normal'] as const;
/** `after-revocation`: emergency access by an agency the owner had recently revoked. */
export const REVIEW_FLAGS = ['after-revocation'] as const;
export type ReviewPriority = (typeof REVIEW_PRIORITIES)[number];
export const REVIEW_OUTCOMES = ['justified', 'not-justified', 'referred'] as const;
export type ReviewKind = (typeof REVIEW_KINDS)[number];
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];

const IsoDateTimeSchema = z.iso.datetime({ offset: true });

export const ReviewViewSchema = z
  .strictObject({
    reviewId: z.uuid(),
    kind: z.enum(REVIEW_KINDS),
    status: z.enum(REVIEW_STATUSES),
    createdAt: IsoDateTimeSchema,
    caseId: CaseIdSchema,
    /** The agency whose act (or missed deadline) is reviewed. */
    agency: AgencyIdSchema,
    /** Its officer, for an emergency access. */
    user: z.string().optional(),
    requestId: z.uuid().optional(),
    sections: z.array(z.enum(SECTION_NAMES)).optional(),
    purpose: PurposeSchema.optional(),
    justification: z.string().optional(),
    urgency: UrgencySchema.optional(),
    expiresAt: IsoDateTimeSchema.optional(),
    dueAt: IsoDateTimeSchema.optional(),
    priority: z
      .enum(REVIEW_PRIORITIES)
      .optional()
      .meta({ description: 'high: look at it first. Absent on items listed before priorities: normal.' }),
    flags: z
      .array(z.enum(REVIEW_FLAGS))
      .optional()
      .meta({ description: '`after-revocation`: emergency access soon after the owner revoked the agency.' }),
    /** The access-log event that recorded the act or the escalation. */
    auditEventId: z.string(),
    closure: z
      .strictObject({
        outcome: z.enum(REVIEW_OUTCOMES),
        finding: z.string(),
        closedAt: IsoDateTimeSchema,
        closedBy: z.string(),
      })
      .optional(),
  })
  .meta({ id: 'Review' });
export type ReviewView = z.infer<typeof ReviewViewSchema>;

export const ListReviewsQuerySchema = z.strictObject({
  status: z.enum(REVIEW_STATUSES).default('open'),
  kind: z.enum(REVIEW_KINDS).optional(),
  priority: z.enum(REVIEW_PRIORITIES).optional(),
  ...pagingQuery({ max: 100, default: 25 }),
});

export const ReviewListSchema = pageSchema(ReviewViewSchema, 'ReviewList');

export const ReviewParamsSchema = z.strictObject({ reviewId: z.uuid() });

export const CloseReviewBodySchema = z
  .strictObject({
    outcome: z.enum(REVIEW_OUTCOMES),
    finding: freeText(5000),
  })
  .meta({ id: 'CloseReview' });
export type CloseReviewBody = z.infer<typeof CloseReviewBodySchema>;
