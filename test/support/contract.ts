import { appendFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ErrorObject, Options } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { type Document, OpenAPIBackend, type Operation, SetMatchType } from 'openapi-backend';
import { buildOpenApiDocument } from '../../src/http/openapi';
import { ProblemSchema } from '../../src/http/schemas';

/**
 * The contract check: every response the integration tests get is held against the OpenAPI document that
 * `buildOpenApiDocument()` publishes. openapi-backend matches the request to its operation and validates
 * the response headers; Ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1) validates the body against
 * the schema the document gives for that status and media type. A response of no operation (an unknown
 * path or method, or an oversized body, refused by the gateway before routing) must still be problem+json
 * of the API's `ProblemSchema` shape.
 *
 * `HIMAYA_CONTRACT=strict` (the default) fails the test that got the response; `HIMAYA_CONTRACT=report`
 * records every violation in `CONTRACT_REPORT_DIR` instead (see contract-report.ts) and fails nothing.
 */

/** One HTTP exchange as a test saw it. */
export interface Exchange {
  method: string;
  /** The request path, with its query string if any. */
  path: string;
  status: number;
  headers: Headers;
  text: string;
}

export type ViolationKind =
  | 'undocumented-status'
  | 'undocumented-media-type'
  | 'body-mismatch'
  | 'missing-header'
  | 'header-mismatch'
  | 'unrouted-not-problem';

export interface ContractViolation {
  /** null for a response of no documented operation. */
  operationId: string | null;
  method: string;
  path: string;
  status: number;
  kind: ViolationKind;
  message: string;
}

export type ContractCheck = (exchange: Exchange) => ContractViolation[];

export class ContractViolationError extends Error {
  constructor(readonly violations: ContractViolation[]) {
    super(`the response drifted from the OpenAPI document:\n${violations.map(describeViolation).join('\n')}`);
    this.name = 'ContractViolationError';
  }
}

export const CONTRACT_REPORT_DIR = join(tmpdir(), 'himaya-contract');
export const CONTRACT_VIOLATIONS_FILE = join(CONTRACT_REPORT_DIR, 'violations.jsonl');

export function describeViolation(violation: ContractViolation): string {
  const where = `${violation.method} ${violation.path} → ${violation.status}`;
  return `  ${violation.operationId ?? '(no operation)'} ${where}: [${violation.kind}] ${violation.message}`;
}

/** OpenAPI 3.1 schemas are JSON Schema 2020-12; openapi-backend's default Ajv is draft-07. */
function newAjv(options: Options): Ajv2020 {
  const ajv = new Ajv2020({ ...options, strict: false, allErrors: true });
  addFormats(ajv);
  return ajv;
}

const ajvErrors = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? [])
    .slice(0, 5)
    .map((error) => `${error.instancePath || '(root)'} ${error.message ?? error.keyword}`)
    .join('; ');

type ResponseObject = {
  headers?: Record<string, { required?: boolean }>;
  content?: Record<string, { schema?: object }>;
};

/** The documented response for a status: the exact code, then its range (`4XX`), then `default`. */
function documentedResponse(operation: Operation, status: number) {
  const responses = (operation.responses ?? {}) as Record<string, ResponseObject>;
  const range = `${String(status).charAt(0)}XX`;
  const key =
    Object.keys(responses).find((code) => code === String(status)) ??
    Object.keys(responses).find((code) => code.toUpperCase() === range) ??
    ('default' in responses ? 'default' : undefined);
  const response = key === undefined ? undefined : responses[key];
  return key === undefined || response === undefined ? undefined : { key, response };
}

const essence = (mediaType: string) => (mediaType.split(';')[0] ?? '').trim().toLowerCase();

/** The documented media type a Content-Type falls under: the same type and subtype, or a wildcard. */
function documentedMediaType(content: Record<string, { schema?: object }>, contentType: string) {
  const actual = essence(contentType);
  const [type] = actual.split('/');
  const key =
    Object.keys(content).find((documented) => essence(documented) === actual) ??
    Object.keys(content).find((documented) => essence(documented) === `${type}/*`) ??
    Object.keys(content).find((documented) => essence(documented) === '*/*');
  return key === undefined ? undefined : { key, media: content[key] ?? {} };
}

const isJson = (mediaType: string) => /^application\/(?:[\w.-]+\+)?json$/.test(essence(mediaType));

/** A JSON pointer token (RFC 6901). */
const token = (part: string) => part.replaceAll('~', '~0').replaceAll('/', '~1');

/** The key Ajv holds the document under; a body schema is `openapi.json#<JSON pointer>`. */
const DOCUMENT_ID = 'openapi.json';

/** What one check needs: the router and header validation, and Ajv holding the document for bodies. */
interface Checker {
  api: OpenAPIBackend;
  ajv: Ajv2020;
  document: Record<string, unknown>;
}

/** Builds the check for one document (it works on copies: the document is not changed). */
export async function contractCheck(document: object): Promise<ContractCheck> {
  const api = new OpenAPIBackend({
    definition: structuredClone(document) as Document,
    // Quick mode skips openapi-backend's structural check of the document, which knows OpenAPI 3.0 only
    // (`npm run lint:openapi` checks the structure), and compiles validators as operations are met.
    quick: true,
    // The gateway routes paths exactly: `/v1/cases/` is not `/v1/cases`.
    ignoreTrailingSlashes: false,
    customizeAjv: (_draft07, options) => newAjv(options) as never,
  });
  await api.init();
  // Bodies are validated against the document itself, `$ref`s and all, so recursive schemas and
  // keywords beside a `$ref` keep their 3.1 meaning.
  const ajv = newAjv({});
  const original = structuredClone(document) as Record<string, unknown>;
  ajv.addSchema(original, DOCUMENT_ID, undefined, false);
  const checker: Checker = { api, ajv, document: original };

  return (exchange) => {
    // Split by hand: a path such as `//x` would read as a host to `new URL`.
    const [path = ''] = exchange.path.split('?');
    const operation = api.router.matchOperation({ method: exchange.method.toLowerCase(), path, headers: {} });
    const found = operation ? checkOperation(checker, operation, exchange) : checkUnrouted(exchange);
    return found.map((violation) => ({
      operationId: operation?.operationId ?? null,
      method: exchange.method.toUpperCase(),
      path,
      status: exchange.status,
      ...violation,
    }));
  };
}

const unescapeToken = (part: string) => part.replaceAll('~1', '/').replaceAll('~0', '~');

const nodeAt = (document: object, pointer: string) =>
  pointer
    .split('/')
    .slice(1)
    .reduce<unknown>(
      (node, part) => (node as Record<string, unknown> | undefined)?.[unescapeToken(part)],
      document,
    );

/**
 * Where a JSON pointer leads once the local `$ref`s met on the way (a response or a media type kept in
 * `components`) are followed; the last node, the schema, is left as it is for Ajv to resolve.
 */
function resolvePointer(document: object, pointer: string): string | undefined {
  const parts = pointer.split('/').slice(1);
  let resolved = '';
  for (const [index, part] of parts.entries()) {
    resolved = `${resolved}/${part}`;
    const node = nodeAt(document, resolved) as { $ref?: unknown } | undefined;
    if (node === undefined) return undefined;
    if (index < parts.length - 1 && typeof node.$ref === 'string' && node.$ref.startsWith('#/')) {
      const target = resolvePointer(document, node.$ref.slice(1));
      if (target === undefined) return undefined;
      resolved = target;
    }
  }
  return resolved;
}

type Finding = { kind: ViolationKind; message: string };

/**
 * A response of no operation has no documented schema: it must still be an error of the API, a
 * problem+json body that parses as `ProblemSchema`, the shape every documented problem response extends.
 */
function checkUnrouted(exchange: Exchange): Finding[] {
  const kind = 'unrouted-not-problem';
  const contentType = exchange.headers.get('content-type') ?? '(none)';
  if (essence(contentType) !== 'application/problem+json') {
    return [{ kind, message: `Content-Type ${contentType}, not application/problem+json` }];
  }
  let body: unknown;
  try {
    body = JSON.parse(exchange.text);
  } catch {
    return [
      { kind, message: `the problem+json body is not JSON: ${JSON.stringify(exchange.text.slice(0, 80))}` },
    ];
  }
  const parsed = ProblemSchema.safeParse(body);
  if (parsed.success) return [];
  const issues = parsed.error.issues.map((issue) => `/${issue.path.join('/')} ${issue.message}`);
  return [{ kind, message: `the body is not a problem: ${issues.slice(0, 5).join('; ')}` }];
}

function checkOperation(checker: Checker, operation: Operation, exchange: Exchange): Finding[] {
  const documented = documentedResponse(operation, exchange.status);
  if (!documented) {
    const codes = Object.keys(operation.responses ?? {}).join(', ');
    return [
      {
        kind: 'undocumented-status',
        message: `status ${exchange.status} is not documented (documented: ${codes})`,
      },
    ];
  }
  const pointer = `/paths/${token(operation.path)}/${operation.method}/responses/${token(documented.key)}`;
  return [
    ...checkContent(checker, pointer, documented.response, exchange),
    ...checkHeaders(checker, operation, documented.response, exchange),
  ];
}

function checkContent(
  checker: Checker,
  pointer: string,
  response: ResponseObject,
  exchange: Exchange,
): Finding[] {
  const content = response.content ?? {};
  const documented = Object.keys(content);
  if (exchange.text === '') {
    return documented.length === 0
      ? []
      : [
          {
            kind: 'undocumented-media-type',
            message: `no body, but the document gives ${documented.join(', ')}`,
          },
        ];
  }
  const contentType = exchange.headers.get('content-type');
  const match = contentType === null ? undefined : documentedMediaType(content, contentType);
  if (!match) {
    const promised = documented.length === 0 ? 'no body' : documented.join(', ');
    return [
      {
        kind: 'undocumented-media-type',
        message: `Content-Type ${contentType ?? '(none)'} with a body is not documented (documented: ${promised})`,
      },
    ];
  }
  if (!match.media.schema) return [];
  const schema = `${pointer}/content/${token(match.key)}/schema`;
  return checkBody(checker, schema, match.key, exchange.text, 'body-mismatch');
}

function checkBody(checker: Checker, pointer: string, mediaType: string, text: string, kind: ViolationKind) {
  let body: unknown = text;
  if (isJson(mediaType)) {
    try {
      body = JSON.parse(text);
    } catch {
      return [{ kind, message: `the ${mediaType} body is not JSON: ${JSON.stringify(text.slice(0, 80))}` }];
    }
  }
  const resolved = resolvePointer(checker.document, pointer);
  const validate = resolved === undefined ? undefined : checker.ajv.getSchema(`${DOCUMENT_ID}#${resolved}`);
  if (!validate) throw new Error(`no schema at ${pointer} in the OpenAPI document`);
  if (validate(body)) return [];
  return [
    { kind, message: `the ${mediaType} body does not match its schema: ${ajvErrors(validate.errors)}` },
  ];
}

function checkHeaders(
  checker: Checker,
  operation: Operation,
  response: ResponseObject,
  exchange: Exchange,
): Finding[] {
  const missing = Object.entries(response.headers ?? {})
    .filter(([name, header]) => header.required && !exchange.headers.has(name))
    .map(([name]) => ({ kind: 'missing-header' as const, message: `required header ${name} is missing` }));
  const values = checker.api.validateResponseHeaders(Object.fromEntries(exchange.headers), operation, {
    statusCode: exchange.status,
    setMatchType: SetMatchType.Any,
  });
  const mismatched = values.valid
    ? []
    : [{ kind: 'header-mismatch' as const, message: `header values: ${ajvErrors(values.errors)}` }];
  return [...missing, ...mismatched];
}

type Mode = 'strict' | 'report';

function contractMode(): Mode {
  const mode = process.env.HIMAYA_CONTRACT ?? 'strict';
  if (mode !== 'strict' && mode !== 'report') {
    throw new Error(`HIMAYA_CONTRACT must be strict or report, not ${JSON.stringify(mode)}`);
  }
  return mode;
}

let published: Promise<ContractCheck> | undefined;

/**
 * Holds a response against the published document: throws a ContractViolationError in strict mode, or
 * appends the violations to the report file in report mode. The document is built once per test file.
 */
export async function enforceContract(exchange: Exchange): Promise<void> {
  const mode = contractMode();
  published ??= contractCheck(buildOpenApiDocument());
  const violations = (await published)(exchange);
  if (violations.length === 0) return;
  if (mode === 'strict') throw new ContractViolationError(violations);
  mkdirSync(CONTRACT_REPORT_DIR, { recursive: true });
  appendFileSync(CONTRACT_VIOLATIONS_FILE, violations.map((v) => `${JSON.stringify(v)}\n`).join(''));
}

/**
 * `fetch` with the contract check, for tests that talk to a gateway of their own: the body is read,
 * checked, and handed back in a fresh Response that the caller can read as usual.
 */
export async function fetchChecked(url: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(url, init);
  const text = await response.text();
  const { pathname, search } = new URL(url);
  await enforceContract({
    method: init.method ?? 'GET',
    path: `${pathname}${search}`,
    status: response.status,
    headers: response.headers,
    text,
  });
  return new Response(text === '' ? null : text, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
