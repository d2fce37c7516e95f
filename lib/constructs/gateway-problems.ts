import * as apigateway from 'aws-cdk-lib/aws-apigateway';

interface GatewayProblem {
  type: apigateway.ResponseType;
  status: number;
  code: string;
  title: string;
  detail: string;
  headers?: Record<string, string>;
}

/** Errors API Gateway answers itself, in the same RFC 9457 shape as the functions' errors. */
const GATEWAY_PROBLEMS: GatewayProblem[] = [
  {
    type: apigateway.ResponseType.UNAUTHORIZED,
    status: 401,
    code: 'unauthorized',
    title: 'Unauthorized',
    detail: 'A valid bearer access token with the scope this operation needs is required.',
    headers: { 'WWW-Authenticate': 'Bearer' },
  },
  {
    type: apigateway.ResponseType.ACCESS_DENIED,
    status: 403,
    code: 'insufficient-scope',
    title: 'Forbidden',
    detail: 'The access token does not carry the scope this operation needs.',
  },
  {
    // API Gateway's answer to a path or method that no route serves.
    type: apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN,
    status: 404,
    code: 'not-found',
    title: 'Not Found',
    detail: 'No such resource.',
  },
  {
    type: apigateway.ResponseType.WAF_FILTERED,
    status: 403,
    code: 'request-blocked',
    title: 'Forbidden',
    detail: 'The request was blocked.',
  },
  {
    type: apigateway.ResponseType.THROTTLED,
    status: 429,
    code: 'too-many-requests',
    title: 'Too Many Requests',
    detail: 'Slow down and retry later.',
  },
  {
    type: apigateway.ResponseType.REQUEST_TOO_LARGE,
    status: 413,
    code: 'payload-too-large',
    title: 'Payload Too Large',
    detail: 'The request body is too large.',
  },
  {
    type: apigateway.ResponseType.BAD_REQUEST_PARAMETERS,
    status: 400,
    code: 'invalid-request',
    title: 'Bad Request',
    detail: 'The request parameters are invalid.',
  },
  {
    type: apigateway.ResponseType.BAD_REQUEST_BODY,
    status: 400,
    code: 'invalid-request',
    title: 'Bad Request',
    detail: 'The request body is invalid.',
  },
  {
    type: apigateway.ResponseType.INTEGRATION_TIMEOUT,
    status: 504,
    code: 'timeout',
    title: 'Gateway Timeout',
    detail: 'The request could not be completed in time.',
  },
  {
    type: apigateway.ResponseType.INTEGRATION_FAILURE,
    status: 502,
    code: 'bad-gateway',
    title: 'Bad Gateway',
    detail: 'The function failed.',
  },
];

/** Has API Gateway answer its own errors in problem+json, never cached, never echoing the request. */
export function addGatewayProblems(restApi: apigateway.RestApi): void {
  for (const problem of GATEWAY_PROBLEMS) {
    restApi.addGatewayResponse(`Problem-${problem.type.responseType}`, {
      type: problem.type,
      statusCode: String(problem.status),
      responseHeaders: Object.fromEntries(
        Object.entries({
          'Content-Type': 'application/problem+json',
          'Cache-Control': 'no-store',
          ...problem.headers,
        }).map(([name, value]) => [name, `'${value}'`]),
      ),
      templates: {
        'application/json': JSON.stringify({
          type: `https://himaya.example/problems/${problem.code}`,
          title: problem.title,
          status: problem.status,
          detail: problem.detail,
          code: problem.code,
        }),
      },
    });
  }
}
