import type { ZodObject, ZodType } from 'zod';
import {
  AuditEventListSchema,
  ConsistencyProofQuerySchema,
  ConsistencyProofSchema,
  InclusionProofQuerySchema,
  InclusionProofSchema,
  ListAuditEventsQuerySchema,
  PublicKeyPemSchema,
  SignedCheckpointSchema,
} from '../domain/audit/api-schemas';
import {
  CaseListSchema,
  CaseMetadataSchema,
  CaseParamsSchema,
  CaseViewSchema,
  CreateCaseBodySchema,
  ListCasesQuerySchema,
  NoteBodySchema,
  NoteViewSchema,
  UpdateCaseBodySchema,
} from '../domain/cases/schemas';
import type { Scope } from '../domain/directory';
import {
  DecisionBodySchema,
  EmergencyAccessBodySchema,
  ListRequestsQuerySchema,
  RequestBodySchema,
  RequestListSchema,
  RequestParamsSchema,
  RequestViewSchema,
  ShareBodySchema,
  ShareParamsSchema,
  ShareViewSchema,
} from '../domain/exchange/schemas';
import {
  CloseReviewBodySchema,
  ListReviewsQuerySchema,
  ReviewListSchema,
  ReviewParamsSchema,
  ReviewViewSchema,
} from '../domain/reviews/schemas';
import { AgencyListSchema, HealthSchema } from './schemas';

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
  request?: {
    params?: ZodObject;
    query?: ZodObject;
    body?: ZodType;
  };
  /** Whether `X-Himaya-Purpose` is required (reads of case content). */
  purpose?: boolean;
  response: { status: number; description: string; schema?: ZodType; contentType?: string };
}

export const routes = [
  {
    operationId: 'getHealth',
    method: 'GET',
    path: '/v1/health',
    fn: 'public',
    scope: null,
    summary: 'Liveness',
    response: { status: 200, description: 'The service is up', schema: HealthSchema },
  },
  {
    operationId: 'getOpenApi',
    method: 'GET',
    path: '/v1/openapi.json',
    fn: 'public',
    scope: null,
    summary: 'This API description (OpenAPI 3.1)',
    response: { status: 200, description: 'The OpenAPI document' },
  },
  {
    operationId: 'listAgencies',
    method: 'GET',
    path: '/v1/agencies',
    fn: 'directory',
    scope: 'cases.read',
    summary: 'The agency directory',
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
    action: 'case.create',
    idempotent: true,
    request: { body: CreateCaseBodySchema },
    response: { status: 201, description: 'The case was created', schema: CaseMetadataSchema },
  },
  {
    operationId: 'listCases',
    method: 'GET',
    path: '/v1/cases',
    fn: 'cases',
    scope: 'cases.read',
    summary: 'Cases the caller may see: metadata only, newest first',
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
    action: 'case.read',
    purpose: true,
    request: { params: CaseParamsSchema },
    response: { status: 200, description: 'The case; ETag carries its version', schema: CaseViewSchema },
  },
  {
    operationId: 'updateCase',
    method: 'PATCH',
    path: '/v1/cases/{caseId}',
    fn: 'cases',
    scope: 'cases.write',
    summary: 'The owner updates status, metadata or sections (If-Match required)',
    action: 'case.update',
    request: { params: CaseParamsSchema, body: UpdateCaseBodySchema },
    response: {
      status: 200,
      description: 'The updated metadata; ETag carries the new version',
      schema: CaseMetadataSchema,
    },
  },
  {
    operationId: 'addNote',
    method: 'POST',
    path: '/v1/cases/{caseId}/notes',
    fn: 'cases',
    scope: 'cases.write',
    summary: 'Add a case update (any agency with access)',
    action: 'case.note',
    idempotent: true,
    request: { params: CaseParamsSchema, body: NoteBodySchema },
    response: { status: 201, description: 'The note was added', schema: NoteViewSchema },
  },
  // --- Exchange between agencies (functions/exchange.ts); `deadlines` has no route, a schedule runs it.
  {
    operationId: 'createShare',
    method: 'POST',
    path: '/v1/cases/{caseId}/shares',
    fn: 'exchange',
    scope: 'exchange',
    summary: 'The owner shares sections of a case with another agency until a time',
    action: 'case.share',
    idempotent: true,
    request: { params: CaseParamsSchema, body: ShareBodySchema },
    response: { status: 201, description: 'The share (a grant)', schema: ShareViewSchema },
  },
  {
    operationId: 'revokeShare',
    method: 'DELETE',
    path: '/v1/cases/{caseId}/shares/{agency}',
    fn: 'exchange',
    scope: 'exchange',
    summary: 'The owner ends every live share and emergency access of an agency to a case',
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
    action: 'request.create',
    idempotent: true,
    request: { body: RequestBodySchema },
    response: { status: 201, description: 'The request, pending', schema: RequestViewSchema },
  },
  {
    operationId: 'listRequests',
    method: 'GET',
    path: '/v1/requests',
    fn: 'exchange',
    scope: 'exchange',
    summary:
      'Incoming or outgoing requests and emergency accesses, newest first, with due time and overdue state',
    action: 'request.list',
    request: { query: ListRequestsQuerySchema },
    response: { status: 200, description: 'A page of requests', schema: RequestListSchema },
  },
  {
    operationId: 'decideRequest',
    method: 'POST',
    path: '/v1/requests/{requestId}/decision',
    fn: 'exchange',
    scope: 'exchange',
    summary: 'The owner approves (a share, possibly of fewer sections) or denies a request, with a reason',
    action: 'request.decide',
    idempotent: true,
    request: { params: RequestParamsSchema, body: DecisionBodySchema },
    response: { status: 200, description: 'The decided request', schema: RequestViewSchema },
  },
  {
    operationId: 'requestEmergencyAccess',
    method: 'POST',
    path: '/v1/cases/{caseId}/emergency-access',
    fn: 'exchange',
    scope: 'exchange',
    summary: 'Break glass: short read-only access at once (purpose emergency), reviewed by compliance',
    action: 'case.emergency-access',
    purpose: true,
    idempotent: true,
    request: { params: CaseParamsSchema, body: EmergencyAccessBodySchema },
    response: { status: 201, description: 'The emergency access, granted', schema: RequestViewSchema },
  },
  // --- Compliance review list (functions/reviews.ts).
  {
    operationId: 'listReviews',
    method: 'GET',
    path: '/v1/audit/reviews',
    fn: 'reviews',
    scope: 'audit.read',
    summary: 'Emergency accesses and missed deadlines awaiting (or past) compliance review',
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
    action: 'review.close',
    request: { params: ReviewParamsSchema, body: CloseReviewBodySchema },
    response: { status: 200, description: 'The closed review item', schema: ReviewViewSchema },
  },
  {
    operationId: 'listAuditEvents',
    method: 'GET',
    path: '/v1/audit/events',
    fn: 'audit',
    scope: 'audit.read',
    summary: 'The access log, oldest first, filtered; cursor paging',
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
    action: 'audit.public-key',
    response: {
      status: 200,
      description: 'The public key that verifies checkpoint signatures',
      schema: PublicKeyPemSchema,
      contentType: 'application/x-pem-file',
    },
  },
] as const satisfies readonly RouteSpec[];

export type OperationId = (typeof routes)[number]['operationId'];
