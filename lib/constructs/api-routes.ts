import { Duration, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { scopeClaim } from '../../src/domain/directory';
import { type FunctionName, type RouteSpec, routes } from '../../src/http/routes';
import { DEADLINES } from '../../src/timeouts';
import { requestModelSchema } from '../request-models';

/** Requests per second, for the whole stage, of each unauthenticated route (health, OpenAPI document). */
export const PUBLIC_RATE_LIMIT = 10;

const ROUTES = routes as readonly RouteSpec[];

/** The API Gateway model name of a route's request body (letters and digits only): `CreateCaseBody`. */
export function modelNameOf(route: Pick<RouteSpec, 'operationId'>): string {
  return `${route.operationId.charAt(0).toUpperCase()}${route.operationId.slice(1)}Body`;
}

/** Path parameter names of an API Gateway resource path (`/v1/cases/{caseId}` → `caseId`). */
function pathParameters(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\+?\}/g)].map((match) => match[1] as string);
}

/**
 * Stage settings per method: the unauthenticated routes get a small share of the stage's rate, so that
 * anonymous traffic cannot use up the stage's limit before WAF's per-IP rate rule reacts.
 */
export function publicRouteThrottling(): Record<string, apigateway.MethodDeploymentOptions> {
  return Object.fromEntries(
    ROUTES.filter((route) => route.scope === null).map((route) => [
      `${route.path}/${route.method}`,
      { throttlingRateLimit: PUBLIC_RATE_LIMIT, throttlingBurstLimit: 2 * PUBLIC_RATE_LIMIT },
    ]),
  );
}

export interface ApiRoutesProps {
  /** The function serving each area of the route table. */
  functions: ReadonlyMap<FunctionName, lambda.IFunction>;
  /** Checks the scope of every route that declares one. */
  authorizer: apigateway.IAuthorizer;
}

/**
 * Routes: one resource per path of the route table (`src/http/routes.ts`), one method per route, one Lambda
 * proxy integration per function, and nothing else. Scoped routes require `himaya/<scope>` from the
 * authorizer; the rest are public.
 *
 * The validator checks the declared path parameters and, for a route with a body, the body against a model
 * made from the route's zod schema (lib/request-models.ts): a malformed body is refused with the
 * BAD_REQUEST_BODY problem and costs no invocation. The function parses the body again with the same schema,
 * which also checks what JSON Schema cannot say (non-blank text, NFC).
 */
export function addRoutes(restApi: apigateway.RestApi, props: ApiRoutesProps): void {
  const validator = restApi.addRequestValidator('Validator', {
    requestValidatorName: 'himaya-parameters-and-body',
    validateRequestParameters: true,
    validateRequestBody: true,
  });
  const integrationOf = lambdaIntegrations(props.functions);
  for (const route of ROUTES) {
    const resource = restApi.root.resourceForPath(route.path);
    const method = resource.addMethod(route.method, integrationOf(route.fn), {
      operationName: route.operationId,
      requestValidator: validator,
      requestParameters: Object.fromEntries(
        pathParameters(route.path).map((name) => [`method.request.path.${name}`, true]),
      ),
      ...requestModelOf(restApi, route),
      ...authorizationOf(route, props.authorizer),
    });
    if (route.scope === null) acknowledgePublicRoute(method, route);
  }
}

/** One integration per function, shared by its routes. */
function lambdaIntegrations(
  functions: ReadonlyMap<FunctionName, lambda.IFunction>,
): (fn: FunctionName) => apigateway.LambdaIntegration {
  const integrations = new Map<FunctionName, apigateway.LambdaIntegration>();
  return (fn) => {
    let integration = integrations.get(fn);
    if (!integration) {
      const handler = functions.get(fn);
      if (!handler) throw new Error(`no function for ${fn}`);
      integration = new apigateway.LambdaIntegration(handler, {
        proxy: true,
        allowTestInvoke: false,
        // Outlasts the function's own timeout, so a slow dependency ends as the function's 503 (src/timeouts.ts).
        timeout: Duration.seconds(DEADLINES.gatewayTimeoutSeconds),
      });
      integrations.set(fn, integration);
    }
    return integration;
  };
}

/** The model of the route's JSON body, if it has one. */
function requestModelOf(restApi: apigateway.RestApi, route: RouteSpec): apigateway.MethodOptions {
  const body = route.request?.body;
  if (!body) return {};
  const model = restApi.addModel(`Model-${route.operationId}`, {
    modelName: modelNameOf(route),
    contentType: 'application/json',
    description: `Request body of ${route.operationId}`,
    schema: requestModelSchema(body),
  });
  return { requestModels: { 'application/json': model } };
}

function authorizationOf(route: RouteSpec, authorizer: apigateway.IAuthorizer): apigateway.MethodOptions {
  return route.scope === null
    ? { authorizationType: apigateway.AuthorizationType.NONE }
    : {
        authorizationType: apigateway.AuthorizationType.COGNITO,
        authorizer,
        authorizationScopes: [scopeClaim(route.scope)],
      };
}

function acknowledgePublicRoute(method: apigateway.Method, route: RouteSpec): void {
  const reason = `${route.method} ${route.path} (${route.operationId}) is declared unauthenticated in src/http/routes.ts (scope null); an unauthenticated route serves no case, audit or directory data.`;
  Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason });
  Validations.of(method).acknowledge({ id: 'AwsSolutions-COG4', reason });
}
