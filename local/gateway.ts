import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { scopesOfClaim } from '../src/domain/directory';
import {
  ForbiddenError,
  HttpError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  RouteNotFoundError,
  UnauthorizedError,
} from '../src/http/errors';
import type { GatewayRefusal } from '../src/http/gateway-refusal';
import { MAX_BODY_BYTES } from '../src/http/middlewares/json-body';
import { problemResponse } from '../src/http/problem';
import { type FunctionName, type RouteSpec, routes } from '../src/http/routes';
import { DEADLINES } from '../src/timeouts';
import type { Issuer } from './issuer';
import type { RefusalLog } from './refusal-log';
import type { SignIn } from './sign-in';

/**
 * The local API Gateway: turns HTTP requests into REST proxy events, authorizes them as a Cognito
 * user-pool authorizer would (401/403 before any function runs), and invokes the same handler modules
 * Lambda runs.
 */
export type LambdaHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface GatewayOptions {
  port: number;
  host?: string;
  issuer: Issuer;
  loadHandler(fn: FunctionName): Promise<LambdaHandler>;
  /** Called for every invocation, for tests that check a handler was (not) reached. */
  onInvoke?(fn: FunctionName, event: APIGatewayProxyEvent): void;
  /** Routes outside the route table, each with its own handler; only the benchmark's baseline uses this. */
  extraRoutes?: readonly ExtraRoute[];
  /** How long a function may take before the caller gets 504 (default API Gateway's 29 s). */
  integrationTimeoutMs?: number;
  /** Where the requests the gateway refuses itself are logged (local/refusal-log.ts). */
  refusals?: RefusalLog;
  /**
   * The issuer's sign-in for people (local/sign-in.ts), on this port as Cognito's hosted UI is on its
   * domain: its paths never reach the API's routes.
   */
  signIn?: SignIn;
  /** A static site beside the API on the same origin (the console): true when it answered the request. */
  site?(request: IncomingMessage, response: ServerResponse): boolean;
}

export interface ExtraRoute {
  route: RouteSpec;
  handler: LambdaHandler;
}

export interface Gateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

interface CompiledRoute {
  route: RouteSpec;
  pattern: RegExp;
  paramNames: string[];
  handler?: LambdaHandler;
}

function compileRoutes(extraRoutes: readonly ExtraRoute[]): CompiledRoute[] {
  return (
    [...routes.map((route: RouteSpec) => ({ route })), ...extraRoutes]
      .map(({ route, handler }: { route: RouteSpec; handler?: LambdaHandler }): CompiledRoute => {
        const paramNames: string[] = [];
        const source = route.path
          .split('/')
          .map((segment) => {
            const param = /^\{(\w+)\}$/.exec(segment)?.[1];
            if (!param) return segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
            paramNames.push(param);
            return '([^/]+)';
          })
          .join('/');
        return { route, handler, pattern: new RegExp(`^${source}$`), paramNames };
      })
      // A literal segment wins over a parameter, as in API Gateway.
      .sort((a, b) => a.paramNames.length - b.paramNames.length)
  );
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw new PayloadTooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new PayloadTooLargeError(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, result: APIGatewayProxyResult, requestId: string): void {
  const headers: Record<string, string | number | boolean> = {
    ...(result.headers ?? {}),
    'x-amzn-RequestId': requestId,
  };
  const body = result.isBase64Encoded
    ? Buffer.from(result.body, 'base64')
    : Buffer.from(result.body ?? '', 'utf8');
  response.writeHead(result.statusCode, { ...headers, 'Content-Length': body.length });
  response.end(body);
}

function appendValue(multi: Record<string, string[]>, key: string, value: string): void {
  const values = multi[key];
  if (values) values.push(value);
  else multi[key] = [value];
}

function singleValues(multi: Record<string, string[]>): Record<string, string> {
  return Object.fromEntries(Object.entries(multi).map(([key, values]) => [key, values.at(-1) ?? '']));
}

const FUNCTION_TIMEOUT_MS = DEADLINES.functionTimeoutSeconds * 1000;

function lambdaContext(fn: FunctionName, requestId: string): Context {
  const started = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `himaya-${fn}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:me-central-1:000000000000:function:himaya-${fn}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/himaya-${fn}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, FUNCTION_TIMEOUT_MS - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** One request on its way to a function: what the proxy event is built from. */
interface IncomingCall {
  request: IncomingMessage;
  url: URL;
  method: string;
  body: Buffer;
  requestId: string;
}

/** The route for a path and method: 404 when no route has the path, 405 when none has the method too. */
function findRoute(compiled: readonly CompiledRoute[], method: string, pathname: string): CompiledRoute {
  const candidates = compiled.filter((c) => c.pattern.test(pathname));
  if (candidates.length === 0) throw new RouteNotFoundError();
  const matched = candidates.find((c) => c.route.method === method);
  if (!matched) throw new MethodNotAllowedError([...new Set(candidates.map((c) => c.route.method))]);
  return matched;
}

/** The token's claims when the route needs a scope the token grants, as a Cognito authorizer checks it. */
async function authorize(
  issuer: Issuer,
  route: RouteSpec,
  authorization: string | undefined,
  seen: RefusalContext,
): Promise<Record<string, string> | undefined> {
  if (route.scope === null) return undefined;
  const match = /^Bearer ([\w-]+\.[\w-]*\.[\w-]*)$/.exec(authorization ?? '');
  if (!match?.[1]) throw new UnauthorizedError();
  let claims: Record<string, unknown>;
  try {
    claims = await issuer.verify(match[1]);
  } catch {
    throw new UnauthorizedError();
  }
  // The token is genuine: a refusal from here on is logged as this client's.
  if (typeof claims.client_id === 'string') seen.clientId = claims.client_id;
  if (typeof claims.username === 'string') seen.username = claims.username;
  if (!scopesOfClaim(claims.scope).includes(route.scope)) throw new ForbiddenError();
  // A Cognito authorizer hands claims on as strings.
  return Object.fromEntries(Object.entries(claims).map(([key, value]) => [key, String(value)]));
}

function pathParametersOf(matched: CompiledRoute, pathname: string): Record<string, string> {
  const values = matched.pattern.exec(pathname)?.slice(1) ?? [];
  try {
    return Object.fromEntries(
      matched.paramNames.map((name, i) => [name, decodeURIComponent(values[i] ?? '')]),
    );
  } catch {
    throw new HttpError('invalid-request', 'The path is not valid.');
  }
}

// Maps without a prototype, so that a header or query name such as `__proto__` or `toString` is a name
// like any other rather than an inherited property.
function multiValueHeadersOf(request: IncomingMessage): Record<string, string[]> {
  const multiValueHeaders: Record<string, string[]> = Object.create(null);
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    appendValue(multiValueHeaders, request.rawHeaders[i] as string, request.rawHeaders[i + 1] as string);
  }
  return multiValueHeaders;
}

function multiValueQueryOf(url: URL): Record<string, string[]> {
  const multiValueQuery: Record<string, string[]> = Object.create(null);
  for (const [key, value] of url.searchParams) appendValue(multiValueQuery, key, value);
  return multiValueQuery;
}

function callerIdentity(request: IncomingMessage): APIGatewayProxyEvent['requestContext']['identity'] {
  return {
    accessKey: null,
    accountId: null,
    apiKey: null,
    apiKeyId: null,
    caller: null,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
    user: null,
    userAgent: request.headers['user-agent'] ?? null,
    userArn: null,
  };
}

function requestContextOf(
  call: IncomingCall,
  matched: CompiledRoute,
  claims: Record<string, string> | undefined,
): APIGatewayProxyEvent['requestContext'] {
  return {
    accountId: '000000000000',
    apiId: 'local',
    authorizer: claims ? { claims } : null,
    protocol: `HTTP/${call.request.httpVersion}`,
    httpMethod: call.method,
    identity: callerIdentity(call.request),
    path: `/prod${call.url.pathname}`,
    stage: 'prod',
    requestId: call.requestId,
    requestTimeEpoch: Date.now(),
    resourceId: 'local',
    resourcePath: matched.route.path,
  };
}

/** The REST proxy event API Gateway would hand the function for this request. */
function proxyEvent(
  call: IncomingCall,
  matched: CompiledRoute,
  claims: Record<string, string> | undefined,
  pathParameters: Record<string, string>,
): APIGatewayProxyEvent {
  const multiValueHeaders = multiValueHeadersOf(call.request);
  const multiValueQuery = multiValueQueryOf(call.url);
  const hasQuery = Object.keys(multiValueQuery).length > 0;
  return {
    resource: matched.route.path,
    path: call.url.pathname,
    httpMethod: call.method,
    headers: singleValues(multiValueHeaders),
    multiValueHeaders,
    queryStringParameters: hasQuery ? singleValues(multiValueQuery) : null,
    multiValueQueryStringParameters: hasQuery ? multiValueQuery : null,
    pathParameters: matched.paramNames.length > 0 ? pathParameters : null,
    stageVariables: null,
    body: call.body.length > 0 ? call.body.toString('utf8') : null,
    isBase64Encoded: false,
    requestContext: requestContextOf(call, matched, claims),
  };
}

async function invokeFunction(
  options: GatewayOptions,
  matched: CompiledRoute,
  event: APIGatewayProxyEvent,
  requestId: string,
): Promise<APIGatewayProxyResult> {
  const handler = matched.handler ?? (await options.loadHandler(matched.route.fn));
  options.onInvoke?.(matched.route.fn, event);
  try {
    return await handler(event, lambdaContext(matched.route.fn, requestId));
  } catch {
    // What API Gateway answers when the function itself fails.
    return problemResponse(new HttpError('bad-gateway', 'The function failed.'));
  }
}

/**
 * The function's answer, or API Gateway's 504 once the integration timeout has passed. As in AWS, the
 * function is not stopped: it runs on, and whatever it answers later is dropped.
 */
async function withinIntegrationTimeout(
  invocation: Promise<APIGatewayProxyResult>,
  timeoutMs: number,
): Promise<APIGatewayProxyResult> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<APIGatewayProxyResult>((resolve) => {
    timer = setTimeout(
      () => resolve(problemResponse(new HttpError('timeout', 'The request could not be completed in time.'))),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([invocation, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** What the gateway learnt of a request before refusing it: for its access-log event. */
type RefusalContext = Omit<GatewayRefusal, 'status'>;

/** The gateway's own answer to a refused request, logged; past an anonymous source's budget, a 429. */
async function refuse(log: RefusalLog | undefined, error: unknown, seen: RefusalContext) {
  const throttled = seen.clientId ? undefined : log?.overBudget(seen.sourceIp, seen.time.getTime());
  const result = problemResponse(throttled ?? error);
  await log?.record({ ...seen, status: result.statusCode });
  return result;
}

async function handleRequest(
  options: GatewayOptions,
  compiled: readonly CompiledRoute[],
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const requestId = randomUUID();
  const method = request.method ?? 'GET';
  const seen: RefusalContext = {
    method,
    path: (request.url ?? '/').split('?')[0] ?? '/',
    requestId,
    sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
    time: new Date(),
  };
  try {
    // As API Gateway does, the size limit applies before anything else.
    const body = await readBody(request, MAX_BODY_BYTES);
    const url = new URL(request.url ?? '/', 'http://localhost');
    const matched = findRoute(compiled, method, url.pathname);
    seen.resourcePath = matched.route.path;
    const claims = await authorize(options.issuer, matched.route, request.headers.authorization, seen);
    const pathParameters = pathParametersOf(matched, url.pathname);
    const event = proxyEvent({ request, url, method, body, requestId }, matched, claims, pathParameters);
    const invocation = invokeFunction(options, matched, event, requestId);
    const timeoutMs = options.integrationTimeoutMs ?? DEADLINES.gatewayTimeoutSeconds * 1000;
    send(response, await withinIntegrationTimeout(invocation, timeoutMs), requestId);
  } catch (error) {
    // Drain what the client still sends so that it reads our answer instead of a reset connection.
    request.resume();
    send(response, await refuse(options.refusals, error, seen), requestId);
  }
}

async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const compiled = compileRoutes(options.extraRoutes ?? []);
  const host = options.host ?? '127.0.0.1';
  const origin = { port: 0, url: '' };
  const server: Server = createServer((request, response) => {
    if (options.site?.(request, response)) return;
    const pathname = (request.url ?? '/').split('?')[0] ?? '/';
    const served = options.signIn?.serves(pathname)
      ? options.signIn.handle(request, response, origin)
      : handleRequest(options, compiled, request, response);
    served.catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  origin.port = await listen(server, options.port, host);
  origin.url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${origin.port}`;
  return {
    url: origin.url,
    port: origin.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
