import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { PROBLEM_CODES, type ProblemCodeName } from '../../src/http/problem-codes';

/** Status and title come from the API's one catalogue of problem codes. */
interface GatewayProblem {
  type: apigateway.ResponseType;
  code: ProblemCodeName;
  detail: string;
  headers?: Record<string, string>;
}

/** Errors API Gateway answers itself, in the same RFC 9457 shape as the functions' errors. */
const GATEWAY_PROBLEMS: GatewayProblem[] = [
  {
    type: apigateway.ResponseType.UNAUTHORIZED,
    code: 'unauthorized',
    detail: 'A valid bearer access token with the scope this operation needs is required.',
    headers: { 'WWW-Authenticate': 'Bearer' },
  },
  {
    type: apigateway.ResponseType.ACCESS_DENIED,
    code: 'insufficient-scope',
    detail: 'The access token does not carry the scope this operation needs.',
  },
  {
    // API Gateway's answer to a path or method that no route serves.
    type: apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN,
    code: 'not-found',
    detail: 'No such resource.',
  },
  {
    type: apigateway.ResponseType.WAF_FILTERED,
    code: 'request-blocked',
    detail: 'The request was blocked.',
  },
  {
    type: apigateway.ResponseType.THROTTLED,
    code: 'too-many-requests',
    detail: 'Slow down and retry later.',
    headers: { 'Retry-After': '1' },
  },
  {
    type: apigateway.ResponseType.REQUEST_TOO_LARGE,
    code: 'payload-too-large',
    detail: 'The request body is too large.',
  },
  {
    type: apigateway.ResponseType.BAD_REQUEST_PARAMETERS,
    code: 'invalid-request',
    detail: 'The request parameters are invalid.',
  },
  {
    type: apigateway.ResponseType.BAD_REQUEST_BODY,
    code: 'invalid-request',
    detail: 'The request body is invalid.',
  },
  {
    type: apigateway.ResponseType.INTEGRATION_TIMEOUT,
    code: 'timeout',
    detail: 'The request could not be completed in time.',
  },
  {
    type: apigateway.ResponseType.INTEGRATION_FAILURE,
    code: 'bad-gateway',
    detail: 'The function failed.',
  },
];

/** Has API Gateway answer its own errors in problem+json, never cached, never echoing the request. */
export function addGatewayProblems(restApi: apigateway.RestApi): void {
  for (const problem of GATEWAY_PROBLEMS) {
    const { status, title } = PROBLEM_CODES[problem.code];
    restApi.addGatewayResponse(`Problem-${problem.type.responseType}`, {
      type: problem.type,
      statusCode: String(status),
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
          title,
          status,
          detail: problem.detail,
          code: problem.code,
        }),
      },
    });
  }
}
