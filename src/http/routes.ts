import type { ZodObject, ZodType } from 'zod';
import {
  AuditEventListSchema,
  ConsistencyProofQuerySchema,
  ConsistencyProofSchema,
  EntryBundleParamsSchema,
  EntryBundleRangeParamsSchema,
  EntryBundleRangeSchema,
  EntryBundleSchema,
  HashTileParamsSchema,
  HashTileSchema,
  InclusionProofQuerySchema,
  InclusionProofSchema,
  ListAuditEventsQuerySchema,
  PublicKeyPemSchema,
  SignedCheckpointSchema,
  TileQuerySchema,
} from '../domain/audit/api-schemas';
import {
  CaseListSchema,
  CaseMetadataSchema,
  CaseParamsSchema,
  CaseViewSchema,
  CreateCaseBodySchema,
  ListCasesQuerySchema,
  ListNotesQuerySchema,
  NoteBodySchema,
  NoteListSchema,
  NoteViewSchema,
  UpdateCaseBodySchema,
} from '../domain/cases/schemas';
import type { Scope } from '../domain/directory';
import {
  DecisionBodySchema,
  EmergencyAccessBodySchema,
  GrantListSchema,
  ListRequestsQuerySchema,
  RequestBodySchema,
  RequestListSchema,
  RequestParamsSchema,
  RequestViewSchema,
  ShareBodySchema,
  ShareParamsSchema,
  ShareViewSchema,
} from '../domain/exchange/schemas';
import { MatchBodySchema, MatchListSchema } from '../domain/matching/schemas';
import {
  CloseReviewBodySchema,
  ListReviewsQuerySchema,
  ReviewListSchema,
  ReviewParamsSchema,
  ReviewViewSchema,
} from '../domain/reviews/schemas';
import { StatsCsvSchema, StatsQuerySchema, StatsTableSchema } from '../domain/stats/schemas';
import type { ProblemCodeName } from './problem-codes';
import { AgencyListSchema, HealthSchema, OpenApiDocumentSchema } from './schemas';

/**
 * The one route table. The local gateway serves from it, the CDK stack builds API Gateway from it and the
 * OpenAPI document is generated from it. Nothing else lists routes.
 */
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** One Lambda function per area; its entry is `functions/<name>.ts`. */
export const FUNCTION_NAMES = [
  'public',
  'directory',
  'cases',
  'audit',
  'exchange',
  'reviews',
  'deadlines',
  'stats',
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export interface RouteSpec {
  operationId: string;
  method: HttpMethod;
  /** API Gateway resource path, with `{name}` parameters. */
  path: string;
  fn: FunctionName;
  /** The OAuth2 scope the access token must carry; null for the unauthenticated routes. */
  scope: Scope | null;
  summary: string;
  /** The action recorded in the access log; every authenticated route has one. */
  action?: string;
  /** Whether the operation accepts `Idempotency-Key`. */
  idempotent?: boolean;
  /** What an integrator needs to know beyond the summary (published as the operation's description). */
  description: string;
  request?: {
    params?: ZodObject;
    query?: ZodObject;
    body?: ZodType;
    /** A valid body, published as the example (a test parses it with `body`). */
    example?: unknown;
  };
  /** Whether `X-Himaya-Purpose` is required (reads of case content). */
  purpose?: boolean;
  /** Whether the operation reads `If-Match` (428 without it, 412 if stale). */
  ifMatch?: boolean;
  /** Whether the operation answers 304 to an `If-None-Match` naming the ETag it would send. */
  ifNoneMatch?: boolean;
  /**
   * The problem codes the operation itself can answer with; those every route of its kind can answer
   * (bad input, no token, throttling, a failing dependency…) are added by `problemCodesOf`.
   */
  refusals?: readonly ProblemCodeName[];
  response: {
    status: number;
    description: string;
    schema?: ZodType;
    contentType?: string;
    /** Response headers the success carries. */
    headers?: readonly ('ETag' | 'Location' | 'Cache-Control')[];
    /** A second success the operation may answer instead, with the same body and headers. */
    also?: { status: number; description: string };
    /** The same success in other media types, chosen by the request's `Accept`. */
    alternatives?: readonly { contentType: string; schema: ZodType }[];
  };
}

export const routes = [
  {
    operationId: 'getHealth',
    method: 'GET',
    path: '/v1/health',
    fn: 'public',
    scope: null,
    summary: 'Liveness',
    description: 'Answers 200 while the service runs; no token needed, nothing logged.',
    response: { status: 200, description: 'The service is up', schema: HealthSchema },
  },
  {
    operationId: 'getOpenApi',
    method: 'GET',
    path: '/v1/openapi.json',
    fn: 'public',
    scope: null,
    summary: 'This API description (OpenAPI 3.1)',
    description: 'This document, generated from the route table and its zod schemas. No token needed.',
    response: { status: 200, description: 'The OpenAPI document', schema: OpenApiDocumentSchema },
  },
  {
    operationId: 'listAgencies',
    method: 'GET',
    path: '/v1/agencies',
    fn: 'directory',
    scope: 'cases.read',
    summary: 'The agency directory',
    description:
      'The agencies that exchange through Himaya, with their names in Arabic and English. Key ARNs and clients are never listed.',
    action: 'agency.list',
    response: { status: 200, description: 'Agencies that exchange through Himaya', schema: AgencyListSchema },
  },
  {
    operationId: 'createCase',
    method: 'POST',
    path: '/v1/cases',
    fn: 'cases',
    scope: 'cases.write',
    summary: 'Create a case (report) owned by the caller’s agency',
    description:
      "Records a report as a case owned by the caller's agency. Each section is encrypted under that agency's key; metadata stays in clear for routing and statistics. With `Idempotency-Key`, a retry with the same body answers the first 201.",
    refusals: ['section-too-large', 'duplicate-request', 'configuration'],
    action: 'case.create',
    idempotent: true,
    request: {
      body: CreateCaseBodySchema,
      example: {
        category: 'neglect',
        urgency: 'high',
        region: { emirate: 'sharjah', city: 'Khor Fakkan' },
        sections: {
          identity: {
            children: [{ name: { ar: 'مريم أحمد', en: 'Maryam Ahmed' }, dateOfBirth: '2015-03-02' }],
          },
          report: {
            receivedAt: '2026-11-20T08:15:00Z',
            channel: 'school',
            narrative: 'Repeated absence from school and signs of neglect',
          },
        },
      },
    },
    response: {
      status: 201,
      description: 'The case was created',
      schema: CaseMetadataSchema,
      headers: ['ETag', 'Location'],
    },
  },
  {
    operationId: 'listCases',
    method: 'GET',
    path: '/v1/cases',
    fn: 'cases',
    scope: 'cases.read',
    summary: 'Cases the caller may see: metadata only, newest first',
    description:
      'Metadata of the cases the caller owns or holds a live share of; no section content. Filters combine; `nextCursor` pages on.',
    action: 'case.list',
    request: { query: ListCasesQuerySchema },
    response: { status: 200, description: 'A page of case metadata', schema: CaseListSchema },
  },
  {
    operationId: 'getCase',
    method: 'GET',
    path: '/v1/cases/{caseId}',
    fn: 'cases',
    scope: 'cases.read',
    summary: 'A case with the sections the caller may see, decrypted',
    description:
      'The case with only the sections the caller may see, decrypted, and the newest notes it may read (at most 10, configured); when older ones exist, `notesNext` is the path that pages them. A case the caller may not see answers exactly as one that does not exist (404). Another agency reads only under the purpose its grants were made for (emergency grants: `emergency`), else 403 `purpose-not-permitted`. The read is logged with its purpose and the grants it used.',
    refusals: ['not-found', 'purpose-not-permitted', 'integrity-failure', 'configuration'],
    action: 'case.read',
    purpose: true,
    request: { params: CaseParamsSchema },
    response: {
      status: 200,
      description: 'The case; ETag carries its version',
      schema: CaseViewSchema,
      headers: ['ETag'],
    },
  },
  {
    operationId: 'updateCase',
    method: 'PATCH',
    path: '/v1/cases/{caseId}',
    fn: 'cases',
    scope: 'cases.write',
    summary: 'The owner updates status, metadata or sections (If-Match required)',
    description:
      'The owner changes metadata or sections (a section set to null is removed). Send `If-Match` with the ETag read: 428 without it, 412 if the case changed since.',
    ifMatch: true,
    refusals: [
      'not-found',
      'not-owner',
      'precondition-required',
      'stale-version',
      'access-changed',
      'section-too-large',
      'configuration',
    ],
    action: 'case.update',
    request: {
      params: CaseParamsSchema,
      body: UpdateCaseBodySchema,
      example: {
        status: 'under-assessment',
        sections: { assessment: { riskLevel: 'high', summary: 'Home visit needed' } },
      },
    },
    response: {
      status: 200,
      description: 'The updated metadata; ETag carries the new version',
      schema: CaseMetadataSchema,
      headers: ['ETag'],
    },
  },
  {
    operationId: 'addNote',
    method: 'POST',
    path: '/v1/cases/{caseId}/notes',
    fn: 'cases',
    scope: 'cases.write',
    summary: 'Add a case update (any agency with access)',
    description:
      "Any agency that can see the case adds an update (a police response, an outcome). The note is encrypted under the owner's key. Emergency access is read-only. An agency adds at most a configured number of notes to a case (default 200; then 422 `note-limit-reached`).",
    refusals: ['not-found', 'read-only-access', 'note-limit-reached', 'duplicate-request', 'configuration'],
    action: 'case.note',
    idempotent: true,
    request: {
      params: CaseParamsSchema,
      body: NoteBodySchema,
      example: { kind: 'police-response', text: 'Patrol visited the home; the child is safe.' },
    },
    response: { status: 201, description: 'The note was added', schema: NoteViewSchema },
  },
  {
    operationId: 'listNotes',
    method: 'GET',
    path: '/v1/cases/{caseId}/notes',
    fn: 'cases',
    scope: 'cases.read',
    summary: 'The notes of a case the caller may read, newest first, a page at a time',
    description:
      'The notes the caller may read, decrypted, newest first: the owner reads every agency’s, an agency with a live grant its own. `nextCursor` pages on (a case read links the first page after its own notes as `notesNext`). A case the caller may not see answers exactly as one that does not exist (404); another agency lists them only under a purpose its grants were made for, else 403 `purpose-not-permitted`, as for a case read. The read is logged with its purpose and the grants it used.',
    refusals: ['not-found', 'purpose-not-permitted', 'integrity-failure', 'configuration'],
    action: 'note.list',
    purpose: true,
    request: { params: CaseParamsSchema, query: ListNotesQuerySchema },
    response: { status: 200, description: 'A page of notes', schema: NoteListSchema },
  },
  {
    operationId: 'findMatches',
    method: 'POST',
    path: '/v1/matches',
    fn: 'cases',
    scope: 'exchange',
    summary: 'Which other agencies hold a case about this child, and the case id to ask for',
    description:
      "A privacy-preserving lookup (blind indexes): give an Emirates ID, or a name (Arabic, Latin or both) with a date or a year of birth. The answer lists, for each case of another agency whose identity section confirms it, the agency, the case id and how it matched (`exact-id`, `name-dob`, `name-year`) — never content, never the caller's own cases; an empty list when nothing matches, with the same status and shape. Names match across tashkeel, hamza forms, spacing (عبد الله = عبدالله) and known romanisations. Every lookup is logged (one access-log event per case found, naming it) and each holder is told (`match.found`). An agency makes at most a configured number of lookups per minute (default 30; then 429 `match-rate-limited` with `Retry-After`). Ask for access with `POST /v1/requests` and the case id.",
    refusals: ['match-rate-limited', 'integrity-failure', 'configuration'],
    action: 'case.match',
    purpose: true,
    request: {
      body: MatchBodySchema,
      example: { name: { ar: 'مريم أحمد' }, dateOfBirth: '2015-03-02' },
    },
    response: { status: 200, description: 'The confirmed matches (possibly none)', schema: MatchListSchema },
  },
  // --- Exchange between agencies (functions/exchange.ts); `deadlines` has no route, a schedule runs it.
  {
    operationId: 'createShare',
    method: 'POST',
    path: '/v1/cases/{caseId}/shares',
    fn: 'exchange',
    scope: 'exchange',
    summary: 'The owner shares sections of a case with another agency until a time',
    description:
      'The owner shares named sections with another agency, for a purpose, until a time within the policy. The grantee reads them only under that purpose.',
    refusals: [
      'not-found',
      'not-owner',
      'unknown-agency',
      'own-agency',
      'unknown-section',
      'expiry-not-in-future',
      'expiry-too-late',
      'access-changed',
    ],
    action: 'case.share',
    idempotent: true,
    request: {
      params: CaseParamsSchema,
      body: ShareBodySchema,
      example: {
        agency: 'police',
        sections: ['identity', 'report'],
        purpose: 'criminal-investigation',
        expiresAt: '2026-12-07T08:00:00Z',
      },
    },
    response: { status: 201, description: 'The share (a grant)', schema: ShareViewSchema },
  },
  {
    operationId: 'listShares',
    method: 'GET',
    path: '/v1/cases/{caseId}/shares',
    fn: 'exchange',
    scope: 'exchange',
    summary: 'The grants of a case, live and past: all to the owner, its own to a grantee',
    description:
      'Shares and emergency accesses of the case, live and past (expired or revoked), newest first: the owner sees every grant, an agency holding a live grant sees its own, anyone else gets 404 as for a case that does not exist. Who may see which sections until when; never case content.',
    refusals: ['not-found'],
    action: 'share.list',
    request: { params: CaseParamsSchema },
    response: { status: 200, description: 'The grants the caller may see', schema: GrantListSchema },
  },
  {
    operationId: 'revokeShare',
    method: 'DELETE',
    path: '/v1/cases/{caseId}/shares/{agency}',
    fn: 'exchange',
    scope: 'exchange',
    summary: 'The owner ends every live share and emergency access of an agency to a case',
    description:
      'The owner ends every live grant of the agency on the case, shares and emergency access alike; the agency then gets 404 for the case.',
    refusals: ['not-found', 'not-owner', 'access-changed'],
    action: 'case.revoke',
    request: { params: ShareParamsSchema },
    response: { status: 204, description: 'Revoked' },
  },
  {
    operationId: 'createRequest',
    method: 'POST',
    path: '/v1/requests',
    fn: 'exchange',
    scope: 'exchange',
    summary: 'Ask the agency that holds a case for access (same answer whether or not it does)',
    description:
      'Asks the agency believed to hold a case for access to sections, with purpose, legal basis, urgency and justification. The answer is the same, and takes as long, whether or not that agency holds the case, so a request reveals nothing. An identical request (same case, agency, sections, purpose, legal basis, urgency and justification) still pending answers 200 with that request instead of adding one; at most a configured number (default 5) of different requests about one case may be pending per agency (422 `open-request-limit-reached`).',
    refusals: [
      'unknown-agency',
      'own-agency',
      'unknown-section',
      'open-request-limit-reached',
      'duplicate-request',
      'access-changed',
    ],
    action: 'request.create',
    idempotent: true,
    request: {
      body: RequestBodySchema,
      example: {
        caseId: '0b8f4c3e-6d2a-4f51-9c7e-2a1d5b9e8f10',
        agency: 'cfpc',
        sections: ['identity', 'report', 'assessment'],
        purpose: 'criminal-investigation',
        legalBasis: 'Federal Law No. 3 of 2016 (Wadeema), art. 33',
        urgency: 'high',
        justification: 'Joint investigation of a reported assault',
      },
    },
    response: {
      status: 201,
      description: 'The request, pending',
      schema: RequestViewSchema,
      headers: ['Location'],
      also: { status: 200, description: 'The identical request already pending, made earlier' },
    },
  },
  {
    operationId: 'listRequests',
    method: 'GET',
    path: '/v1/requests',
    fn: 'exchange',
    scope: 'exchange',
    summary:
      'Incoming or outgoing requests and emergency accesses, newest first, with due time and overdue state',
    description:
      "The caller's incoming (asked of it) or outgoing (made by it) requests and emergency accesses, with due times and whether they are overdue.",
    action: 'request.list',
    request: { query: ListRequestsQuerySchema },
    response: { status: 200, description: 'A page of requests', schema: RequestListSchema },
  },
  {
    operationId: 'getRequest',
    method: 'GET',
    path: '/v1/requests/{requestId}',
    fn: 'exchange',
    scope: 'exchange',
    summary: 'One request or emergency access, to the agency that made it and the agency asked',
    description:
      'A request (or an emergency access) as both boxes show it: to the agency that made it, and to the agency asked once the request reached it (an emergency access always reaches the owner). Anyone else gets 404 as for an unknown id.',
    refusals: ['not-found'],
    action: 'request.read',
    request: { params: RequestParamsSchema },
    response: { status: 200, description: 'The request', schema: RequestViewSchema },
  },
  {
    operationId: 'withdrawRequest',
    method: 'POST',
    path: '/v1/requests/{requestId}/withdraw',
    fn: 'exchange',
    scope: 'exchange',
    summary: 'The agency that made a request withdraws it while it is pending',
    description:
      'The requester withdraws a pending request: it is no longer due or decidable, and the agency asked is told (event `request.withdrawn`). A withdrawal and a decision made at the same moment: exactly one stands, the other gets 409. An emergency access is never pending (the owner revokes it). No body.',
    refusals: ['not-found', 'not-requester', 'already-decided', 'access-changed'],
    action: 'request.withdraw',
    idempotent: true,
    request: { params: RequestParamsSchema },
    response: { status: 200, description: 'The withdrawn request', schema: RequestViewSchema },
  },
  {
    operationId: 'decideRequest',
    method: 'POST',
    path: '/v1/requests/{requestId}/decision',
    fn: 'exchange',
    scope: 'exchange',
    summary: 'The owner approves (a share, possibly of fewer sections) or denies a request, with a reason',
    description:
      'The agency asked decides a pending request: approve (a share of the sections named, at most those asked, until the expiry) or deny, with a reason.',
    refusals: [
      'not-found',
      'not-owner',
      'already-decided',
      'sections-not-requested',
      'reporter-not-named',
      'unknown-section',
      'expiry-not-in-future',
      'expiry-too-late',
      'access-changed',
    ],
    action: 'request.decide',
    idempotent: true,
    request: {
      params: RequestParamsSchema,
      body: DecisionBodySchema,
      example: {
        decision: 'approve',
        sections: ['identity', 'report'],
        reason: 'Joint investigation agreed',
      },
    },
    response: { status: 200, description: 'The decided request', schema: RequestViewSchema },
  },
  {
    operationId: 'requestEmergencyAccess',
    method: 'POST',
    path: '/v1/cases/{caseId}/emergency-access',
    fn: 'exchange',
    scope: 'exchange',
    summary: 'Break glass: short read-only access at once (purpose emergency), reviewed by compliance',
    description:
      'Break glass: read-only access at once to the sections named (of a configured set; never `reporter`), for a short configured time, with purpose `emergency` and a written justification. The owner is told and compliance reviews it. One live emergency grant per case and agency (409 `emergency-access-live` names it), a daily cap per agency (429 with `Retry-After`). Soon after the owner revoked the agency it is still given, flagged `after-revocation` at high priority for compliance, and the owner and oversight are told at once.',
    refusals: [
      'not-found',
      'own-case',
      'emergency-purpose-required',
      'reporter-sealed',
      'emergency-section-closed',
      'emergency-access-live',
      'emergency-cap-reached',
      'unknown-section',
      'duplicate-request',
      'access-changed',
    ],
    action: 'case.emergency-access',
    purpose: true,
    idempotent: true,
    request: {
      params: CaseParamsSchema,
      body: EmergencyAccessBodySchema,
      example: {
        justification: 'Child reported missing tonight',
        sections: ['identity', 'report', 'assessment'],
      },
    },
    response: {
      status: 201,
      description: 'The emergency access, granted',
      schema: RequestViewSchema,
      headers: ['Location'],
    },
  },
  // --- Compliance review list (functions/reviews.ts).
  {
    operationId: 'listReviews',
    method: 'GET',
    path: '/v1/audit/reviews',
    fn: 'reviews',
    scope: 'audit.read',
    summary: 'Emergency accesses and missed deadlines awaiting (or past) compliance review',
    description:
      'The compliance review list: emergency accesses and missed deadlines, open or closed, newest first; `priority=high` finds those to look at first (emergency access soon after a revocation, flagged `after-revocation`).',
    action: 'review.list',
    request: { query: ListReviewsQuerySchema },
    response: { status: 200, description: 'A page of review items', schema: ReviewListSchema },
  },
  {
    operationId: 'closeReview',
    method: 'POST',
    path: '/v1/audit/reviews/{reviewId}',
    fn: 'reviews',
    scope: 'audit.read',
    summary: 'Close a review item with an outcome and a written finding',
    description:
      'Closes a review item with an outcome and a written finding, recorded with the officer who closed it.',
    refusals: ['not-found', 'already-closed'],
    action: 'review.close',
    idempotent: true,
    request: {
      params: ReviewParamsSchema,
      body: CloseReviewBodySchema,
      example: { outcome: 'justified', finding: 'Missing-child report confirmed with the duty officer' },
    },
    response: { status: 200, description: 'The closed review item', schema: ReviewViewSchema },
  },
  // --- Statistics (functions/stats.ts).
  {
    operationId: 'getStats',
    method: 'GET',
    path: '/v1/stats',
    fn: 'stats',
    scope: 'stats.read',
    summary: 'A de-identified statistics table (small counts and their complements suppressed), JSON or CSV',
    description:
      "One table of the fixed catalogue (`table`) over whole months (`from`, `to`, at most 120), built from pre-computed counters of case metadata and exchange records only, never a section. `scope=own` (the default) is the calling agency's own figures, `scope=all` every agency's together; an oversight body (no cases of its own) always gets all agencies'. Counts of 1 to 10 are suppressed, and complements so that none can be worked out from the totals (or, for all agencies, from the rest beside an agency's own figures); a suppressed figure is `{\"suppressed\": true}` in JSON and `[c]` in CSV. `Accept: text/csv` (or `format=csv`) answers CSV. The figures trail the changes they count by the aggregator's lag (normally about a second). The answer carries an ETag: `If-None-Match` with it answers 304 while the figures are unchanged.",
    action: 'stats.read',
    ifNoneMatch: true,
    request: { query: StatsQuerySchema },
    response: {
      status: 200,
      description: 'The table with its row, column and grand totals, suppressed figures marked',
      schema: StatsTableSchema,
      headers: ['ETag', 'Cache-Control'],
      alternatives: [{ contentType: 'text/csv; charset=utf-8', schema: StatsCsvSchema }],
    },
  },
  {
    operationId: 'listAuditEvents',
    method: 'GET',
    path: '/v1/audit/events',
    fn: 'audit',
    scope: 'audit.read',
    summary: 'The access log, oldest first, filtered; cursor paging',
    description:
      'The access log: who did what to which case, when, why and with what outcome, filtered; oldest first.',
    action: 'audit.list',
    request: { query: ListAuditEventsQuerySchema },
    response: { status: 200, description: 'A page of audit events', schema: AuditEventListSchema },
  },
  {
    operationId: 'getAuditCheckpoint',
    method: 'GET',
    path: '/v1/audit/checkpoint',
    fn: 'audit',
    scope: 'audit.read',
    summary: 'The latest signed checkpoint of the access log (C2SP signed note)',
    description:
      'The latest signed checkpoint (C2SP signed note: origin, tree size, root hash, Ed25519 signature).',
    refusals: ['not-found'],
    action: 'audit.checkpoint',
    response: {
      status: 200,
      description: 'The checkpoint: origin, tree size, root hash and the Ed25519 signature line',
      schema: SignedCheckpointSchema,
      contentType: 'text/plain; charset=utf-8',
    },
  },
  {
    operationId: 'getInclusionProof',
    method: 'GET',
    path: '/v1/audit/proofs/inclusion',
    fn: 'audit',
    scope: 'audit.read',
    summary: 'RFC 9162 inclusion proof of one event in the tree of a signed size',
    description:
      "The RFC 9162 inclusion proof of one event in the tree of a signed size (default: the latest checkpoint's).",
    refusals: ['not-found', 'not-yet-sealed', 'integrity-failure'],
    action: 'audit.inclusion-proof',
    request: { query: InclusionProofQuerySchema },
    response: { status: 200, description: 'The leaf and its audit path', schema: InclusionProofSchema },
  },
  {
    operationId: 'getConsistencyProof',
    method: 'GET',
    path: '/v1/audit/proofs/consistency',
    fn: 'audit',
    scope: 'audit.read',
    summary: 'RFC 9162 consistency proof between two tree sizes',
    description:
      'The RFC 9162 consistency proof that the tree of `to` leaves extends the tree of `from` leaves.',
    refusals: ['not-found', 'integrity-failure'],
    action: 'audit.consistency-proof',
    request: { query: ConsistencyProofQuerySchema },
    response: { status: 200, description: 'The consistency proof', schema: ConsistencyProofSchema },
  },
  {
    operationId: 'getAuditPublicKey',
    method: 'GET',
    path: '/v1/audit/public-key',
    fn: 'audit',
    scope: 'audit.read',
    summary: 'The checkpoint signing key (Ed25519, PEM SubjectPublicKeyInfo)',
    description: 'The public key that verifies checkpoint signatures, as PEM SubjectPublicKeyInfo.',
    refusals: ['not-found'],
    action: 'audit.public-key',
    response: {
      status: 200,
      description: 'The public key that verifies checkpoint signatures',
      schema: PublicKeyPemSchema,
      contentType: 'application/x-pem-file',
    },
  },
  {
    operationId: 'getAuditHashTile',
    method: 'GET',
    path: '/v1/audit/tiles/hashes/{level}/{index}',
    fn: 'audit',
    scope: 'audit.read',
    summary: 'A hash tile of the access log tree (C2SP tlog-tiles), binary',
    description:
      'Hash tile (level, index) as C2SP tlog-tiles lays the tree out: 256 hashes of tree level 8 × `level`, from entry 256 × `index`; with `width`, the first `width` hashes of a tile that is still partial. Only tiles of the tree of the latest signed checkpoint are served (404 beyond it). A full tile never changes: `Cache-Control: private, max-age=31536000, immutable`.',
    refusals: ['not-found', 'integrity-failure'],
    action: 'audit.tile',
    request: { params: HashTileParamsSchema, query: TileQuerySchema },
    response: {
      status: 200,
      description: 'The tile: concatenated 32-byte hashes',
      schema: HashTileSchema,
      contentType: 'application/octet-stream',
      headers: ['ETag', 'Cache-Control'],
    },
  },
  {
    operationId: 'getAuditEntryBundle',
    method: 'GET',
    path: '/v1/audit/tiles/entries/{index}',
    fn: 'audit',
    scope: 'audit.read',
    summary: 'An entry bundle of the access log: the sealed bytes of 256 events (C2SP tlog-tiles), binary',
    description:
      'Entry bundle `index`: the canonical bytes (leaf inputs) of leaves 256 × `index` to 256 × `index` + 255, each after a big-endian uint16 length, as C2SP tlog-tiles serves `tile/entries/N`; with `width`, the first `width` of a bundle that is still partial. Only bundles of the tree of the latest signed checkpoint are served (404 beyond it). A full bundle never changes: `Cache-Control: private, max-age=31536000, immutable`.',
    refusals: ['not-found', 'integrity-failure'],
    action: 'audit.entries',
    request: { params: EntryBundleParamsSchema, query: TileQuerySchema },
    response: {
      status: 200,
      description: 'The entry bundle',
      schema: EntryBundleSchema,
      contentType: 'application/octet-stream',
      headers: ['ETag', 'Cache-Control'],
    },
  },
  {
    operationId: 'getAuditEntryBundleRange',
    method: 'GET',
    path: '/v1/audit/entry-bundles/{index}/{count}',
    fn: 'audit',
    scope: 'audit.read',
    summary: 'Up to 8 consecutive full entry bundles of the access log in one response, binary',
    description:
      'Entry bundles `index` to `index` + `count` - 1 (`count` at most 8), each exactly as `GET /v1/audit/tiles/entries/{index}` serves it when full, one after the other: the canonical bytes of leaves 256 × `index` to 256 × (`index` + `count`) - 1. One request, and one access-log event, for up to 2,048 events: a verifier reading the whole log makes an eighth of the requests. Every bundle must be full in the tree of the latest signed checkpoint (404 otherwise; the partial one at the edge is read with `width`). It never changes: `Cache-Control: private, max-age=31536000, immutable`.',
    refusals: ['not-found', 'integrity-failure'],
    action: 'audit.entries',
    request: { params: EntryBundleRangeParamsSchema },
    response: {
      status: 200,
      description: 'The entry bundles, concatenated',
      schema: EntryBundleRangeSchema,
      contentType: 'application/octet-stream',
      headers: ['ETag', 'Cache-Control'],
    },
  },
] as const satisfies readonly RouteSpec[];

export type OperationId = (typeof routes)[number]['operationId'];
