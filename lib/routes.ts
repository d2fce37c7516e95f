import type { ZodObject, ZodType } from 'zod';
import { AuditEventListSchema, ListAuditEventsQuerySchema } from '../src/domain/audit/api-schemas';
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
} from '../src/domain/cases/schemas';
import type { Scope } from '../src/domain/directory';
import { AgencyListSchema, HealthSchema } from '../src/http/schemas';

/**
 * The one route table. The local gateway serves from it, the CDK stack builds API Gateway from it and the
 * OpenAPI document is generated from it. Nothing else lists routes.
 */
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** One Lambda function per area; its entry is `functions/<name>.ts`. */
export const FUNCTION_NAMES = ['public', 'directory', 'cases', 'audit'] as const;
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
] as const satisfies readonly RouteSpec[];

export type OperationId = (typeof routes)[number]['operationId'];

export function routesOf(fn: FunctionName): RouteSpec[] {
  return routes.filter((route) => route.fn === fn);
}

export function findRoute(method: string, resourcePath: string): RouteSpec | undefined {
  return routes.find((route) => route.method === method && route.path === resourcePath);
}
