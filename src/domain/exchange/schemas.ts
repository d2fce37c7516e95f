import * as z from 'zod';
import { CaseIdSchema, SECTION_NAMES, UrgencySchema } from '../cases/schemas';
import { AgencyIdSchema } from '../directory';
import { pageSchema, pagingQuery } from '../paging';
import { PurposeSchema } from '../purpose';
import { freeText } from '../text';

/**
 * Bodies and views of the exchange routes. Section names and agency ids are checked for their shape
 * here (400) and against the case model and the directory by the rules (422), so that "no such section"
 * and "no such agency" are rule violations, not malformed input.
 */
const IsoDateTimeSchema = z.iso.datetime({ offset: true });

export const SectionRefSchema = z
  .string()
  .regex(/^[a-z][a-z-]{0,31}$/, 'a section name is lowercase letters and hyphens')
  .meta({ description: `One of ${SECTION_NAMES.join(', ')}; \`reporter\` is shared only when named.` });

const SectionRefsSchema = z.array(SectionRefSchema).min(1).max(SECTION_NAMES.length);

/**
 * Free text of the exchange (justification, legal basis, reason) is read by the other agency and by
 * compliance, and is not encrypted like a case section: it says why, never what the case holds.
 */
const WhyTextSchema = freeText(2000).meta({
  description: 'Why: read by the other agency and by compliance. Never case content.',
});

export const ShareBodySchema = z
  .strictObject({
    agency: AgencyIdSchema,
    sections: SectionRefsSchema,
    purpose: PurposeSchema,
    expiresAt: IsoDateTimeSchema,
  })
  .meta({ id: 'CreateShare' });
export type ShareBody = z.infer<typeof ShareBodySchema>;

export const ShareParamsSchema = z.strictObject({ caseId: CaseIdSchema, agency: AgencyIdSchema });

export const ShareViewSchema = z
  .strictObject({
    grantId: z.uuid(),
    caseId: CaseIdSchema,
    agency: AgencyIdSchema,
    kind: z.enum(['share', 'emergency']),
    sections: z.array(z.enum(SECTION_NAMES)),
    purpose: PurposeSchema,
    expiresAt: IsoDateTimeSchema,
    grantedAt: IsoDateTimeSchema,
    grantedBy: z.string(),
    readOnly: z.boolean(),
    requestId: z.uuid().optional(),
  })
  .meta({ id: 'Share' });
export type ShareView = z.infer<typeof ShareViewSchema>;

/** A grant as the list of a case's shares shows it: live or past, and who ended it if someone did. */
export const GrantViewSchema = ShareViewSchema.extend({
  revokedAt: IsoDateTimeSchema.optional(),
  revokedBy: z.string().optional(),
  live: z.boolean().meta({ description: 'Neither expired nor revoked: it gives access now.' }),
}).meta({ id: 'Grant' });
export type GrantView = z.infer<typeof GrantViewSchema>;

export const GrantListSchema = z
  .strictObject({
    items: z.array(GrantViewSchema).meta({ description: 'Newest first.' }),
  })
  .meta({ id: 'GrantList' });
export type GrantList = z.infer<typeof GrantListSchema>;

export const RequestBodySchema = z
  .strictObject({
    caseId: CaseIdSchema,
    agency: AgencyIdSchema.meta({
      description:
        'The agency that holds the case (learned from a match or from its notification). The answer is the same whether or not it does.',
    }),
    sections: SectionRefsSchema,
    purpose: PurposeSchema,
    legalBasis: freeText(500),
    urgency: UrgencySchema,
    justification: WhyTextSchema,
  })
  .meta({ id: 'CreateRequest' });
export type RequestBody = z.infer<typeof RequestBodySchema>;

export const DECISIONS = ['approve', 'deny'] as const;

export const DecisionBodySchema = z
  .strictObject({
    decision: z.enum(DECISIONS),
    sections: SectionRefsSchema.optional().meta({
      description: 'Approve: the sections granted, at most those asked; default all asked but `reporter`.',
    }),
    expiresAt: IsoDateTimeSchema.optional(),
    reason: WhyTextSchema,
  })
  .refine(
    (body) => body.decision === 'approve' || (body.sections === undefined && body.expiresAt === undefined),
    { message: 'a denial grants no sections and no expiry', path: ['decision'] },
  )
  .meta({ id: 'Decision' });
export type DecisionBody = z.infer<typeof DecisionBodySchema>;

export const RequestParamsSchema = z.strictObject({ requestId: z.uuid() });

export const EmergencyAccessBodySchema = z
  .strictObject({ justification: WhyTextSchema, sections: SectionRefsSchema })
  .meta({ id: 'EmergencyAccess' });
export type EmergencyAccessBody = z.infer<typeof EmergencyAccessBodySchema>;

export const REQUEST_KINDS = ['access-request', 'emergency-access'] as const;
/** `granted`: emergency access, granted on the spot; `withdrawn`: by the requester while pending. */
export const REQUEST_STATUSES = ['pending', 'approved', 'denied', 'granted', 'withdrawn'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const RequestViewSchema = z
  .strictObject({
    requestId: z.uuid(),
    kind: z.enum(REQUEST_KINDS),
    caseId: CaseIdSchema,
    fromAgency: AgencyIdSchema,
    toAgency: AgencyIdSchema,
    requestedBy: z.string(),
    sections: z.array(z.enum(SECTION_NAMES)),
    purpose: PurposeSchema,
    legalBasis: z.string().optional(),
    urgency: UrgencySchema.optional(),
    justification: z.string(),
    status: z.enum(REQUEST_STATUSES),
    createdAt: IsoDateTimeSchema,
    dueAt: IsoDateTimeSchema.optional().meta({ description: 'When the decision is due (access requests).' }),
    overdue: z.boolean(),
    expiresAt: IsoDateTimeSchema.optional().meta({ description: 'When the access granted ends.' }),
    decision: z
      .strictObject({
        decision: z.enum(DECISIONS),
        sections: z.array(z.enum(SECTION_NAMES)).optional(),
        expiresAt: IsoDateTimeSchema.optional(),
        reason: z.string(),
        decidedAt: IsoDateTimeSchema,
        decidedBy: z.string(),
      })
      .optional(),
    withdrawal: z
      .strictObject({ withdrawnAt: IsoDateTimeSchema, withdrawnBy: z.string() })
      .optional()
      .meta({ description: 'When and by whom the requester withdrew it.' }),
  })
  .meta({ id: 'Request' });
export type RequestView = z.infer<typeof RequestViewSchema>;

export const ListRequestsQuerySchema = z.strictObject({
  box: z.enum(['incoming', 'outgoing']).default('incoming'),
  status: z.enum(REQUEST_STATUSES).optional(),
  kind: z.enum(REQUEST_KINDS).optional(),
  ...pagingQuery({ max: 100, default: 25 }),
});

export const RequestListSchema = pageSchema(RequestViewSchema, 'RequestList');
