import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { type Directory, SCOPES, type Scope } from '../../src/domain/directory';
import { type FunctionName, type RouteSpec, routes } from '../../src/http/routes';
import { requestModelSchema } from '../request-models';

/** The resource server's identifier: Cognito puts scopes in the token as `himaya/<scope>`. */
export const RESOURCE_SERVER_ID = 'himaya';

const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  'cases.read': 'Read cases the agency owns or that are shared with it',
  'cases.write': 'Create and update cases, add notes',
  exchange: 'Share cases, request access, decide requests, emergency access',
  'audit.read': 'Read and verify the access log',
  'stats.read': 'Read de-identified statistics',
};

export interface HimayaApiProps {
  /** The function serving each area of the route table. */
  functions: ReadonlyMap<FunctionName, lambda.IFunction>;
  directory: Directory;
  logsKey: kms.IKey;
  /** Prefix of the Cognito domain that serves `/oauth2/token`; unique per region across AWS. */
  domainPrefix: string;
  /** @default 'prod' */
  stageName?: string;
  /** Steady-state requests per second for the whole stage. @default 100 */
  throttlingRateLimit?: number;
  /** @default 200 */
  throttlingBurstLimit?: number;
  /** Requests per 5 minutes from one IP address before WAF blocks it. @default 2000 */
  wafRateLimitPerIp?: number;
  /** @default RetentionDays.ONE_YEAR */
  logRetention?: logs.RetentionDays;
  /**
   * A custom domain with mutual TLS: agency systems must present a client certificate issued by a CA of
   * the trust store. When set, the default `execute-api` endpoint is disabled.
   */
  mtlsDomain?: MtlsDomain;
}

export interface MtlsDomain {
  /** e.g. `api.himaya.example` (a CNAME or alias to the regional domain name is left to the operator). */
  domainName: string;
  /** ACM certificate for `domainName`, in the stack's region. */
  certificateArn: string;
  /** `s3://<bucket>/<key>` of the PEM trust store (the CA certificates of the agencies' client certificates). */
  truststoreUri: string;
  /** S3 object version of the trust store, to pin it. */
  truststoreVersion?: string;
}

/** Requests per second, for the whole stage, of each unauthenticated route (health, OpenAPI document). */
export const PUBLIC_RATE_LIMIT = 10;

/** Errors API Gateway answers itself, in the same RFC 9457 shape as the functions' errors. */
const GATEWAY_PROBLEMS: {
  type: apigateway.ResponseType;
  status: number;
  code: string;
  title: string;
  detail: string;
  headers?: Record<string, string>;
}[] = [
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

/** The API Gateway model name of a route's request body (letters and digits only): `CreateCaseBody`. */
export function modelNameOf(route: Pick<RouteSpec, 'operationId'>): string {
  return `${route.operationId.charAt(0).toUpperCase()}${route.operationId.slice(1)}Body`;
}

/** Path parameter names of an API Gateway resource path (`/v1/cases/{caseId}` → `caseId`). */
function pathParameters(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\+?\}/g)].map((match) => match[1] as string);
}

/**
 * The REST API (API Gateway v1), built from the route table: one resource per path, one method per route,
 * one Lambda proxy integration per function. Scoped routes go through a Cognito user-pool authorizer that
 * requires `himaya/<scope>`; the rest are public. One app client (client-credentials flow) per client of
 * the agency directory. Access logs (JSON), execution logs (errors only), X-Ray, stage throttling, a WAF
 * web ACL, TLS 1.2+ with forward secrecy, and problem+json for the errors API Gateway answers itself.
 */
export class HimayaApi extends Construct {
  readonly restApi: apigateway.RestApi;
  readonly userPool: cognito.UserPool;
  readonly resourceServer: cognito.UserPoolResourceServer;
  readonly authorizer: apigateway.CognitoUserPoolsAuthorizer;
  /** Directory client id → its Cognito app client. */
  readonly clients: ReadonlyMap<string, cognito.UserPoolClient>;
  readonly domain: cognito.UserPoolDomain;
  readonly accessLogs: logs.LogGroup;
  readonly webAcl: wafv2.CfnWebACL;
  readonly wafLogs: logs.LogGroup;
  /** The custom domain with mutual TLS, when configured. */
  readonly domainName?: apigateway.DomainName;

  constructor(scope: Construct, id: string, props: HimayaApiProps) {
    super(scope, id);
    const stageName = props.stageName ?? 'prod';
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;

    // --- Identity: machine clients only, with OAuth2 client credentials and resource-server scopes.
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: 'himaya',
      selfSignUpEnabled: false,
      // No person signs in to this pool; should one ever be added, these hold for them.
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(1),
      },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.NONE,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const scopes = new Map(
      SCOPES.map((name) => [
        name,
        new cognito.ResourceServerScope({ scopeName: name, scopeDescription: SCOPE_DESCRIPTIONS[name] }),
      ]),
    );
    this.resourceServer = this.userPool.addResourceServer('ResourceServer', {
      identifier: RESOURCE_SERVER_ID,
      userPoolResourceServerName: 'Himaya API',
      scopes: [...scopes.values()],
    });

    this.clients = new Map(
      props.directory.clients.map((client) => [
        client.id,
        this.userPool.addClient(`Client-${client.id}`, {
          userPoolClientName: `himaya-${client.id}`,
          generateSecret: true,
          oAuth: {
            flows: { clientCredentials: true },
            scopes: client.scopes.map((name) =>
              cognito.OAuthScope.resourceServer(
                this.resourceServer,
                scopes.get(name) as cognito.ResourceServerScope,
              ),
            ),
          },
          accessTokenValidity: Duration.minutes(30),
          enableTokenRevocation: true,
          preventUserExistenceErrors: true,
        }),
      ]),
    );

    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: props.domainPrefix },
    });

    // --- Logs: access logs in JSON, execution logs created here so they are encrypted and expire.
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention,
      encryptionKey: props.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.restApi = new apigateway.RestApi(this, 'RestApi', {
      restApiName: 'himaya',
      description: 'Himaya: secure information exchange between child-protection agencies',
      endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
      // With mutual TLS on the custom domain, the default endpoint would be a way around it.
      disableExecuteApiEndpoint: props.mtlsDomain !== undefined,
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName,
        description: 'Himaya API',
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.custom(
          JSON.stringify({
            requestId: apigateway.AccessLogField.contextRequestId(),
            extendedRequestId: apigateway.AccessLogField.contextExtendedRequestId(),
            requestTime: apigateway.AccessLogField.contextRequestTime(),
            sourceIp: apigateway.AccessLogField.contextIdentitySourceIp(),
            clientId: apigateway.AccessLogField.contextAuthorizerClaims('client_id'),
            httpMethod: apigateway.AccessLogField.contextHttpMethod(),
            resourcePath: apigateway.AccessLogField.contextResourcePath(),
            status: apigateway.AccessLogField.contextStatus(),
            responseLength: apigateway.AccessLogField.contextResponseLength(),
            responseLatency: apigateway.AccessLogField.contextResponseLatency(),
            integrationLatency: apigateway.AccessLogField.contextIntegrationLatency(),
            integrationStatus: apigateway.AccessLogField.contextIntegrationStatus(),
            errorType: apigateway.AccessLogField.contextErrorResponseType(),
            wafStatus: apigateway.AccessLogField.contextWafStatus(),
            xrayTraceId: apigateway.AccessLogField.contextXrayTraceId(),
            tlsVersion: '$context.tlsVersion',
          }),
        ),
        // Errors only, and never request or response bodies: they carry case data.
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: props.throttlingRateLimit ?? 100,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 200,
        // Per method: the unauthenticated routes get a small share, so that anonymous traffic cannot use
        // up the stage's limit before WAF's per-IP rate rule reacts.
        methodOptions: Object.fromEntries(
          (routes as readonly RouteSpec[])
            .filter((route) => route.scope === null)
            .map((route) => [
              `${route.path}/${route.method}`,
              { throttlingRateLimit: PUBLIC_RATE_LIMIT, throttlingBurstLimit: 2 * PUBLIC_RATE_LIMIT },
            ]),
        ),
      },
    });
    const cfnRestApi = this.restApi.node.defaultChild as apigateway.CfnRestApi;
    cfnRestApi.securityPolicy = apigateway.SecurityPolicy.TLS13_1_2_PFS_PQ_2025_09;
    // Strict: callers of the default endpoint must negotiate this policy. API Gateway allows no mutual TLS
    // with an enhanced policy, so with the mTLS domain (TLS 1.2 policy) the API's mode is basic, and the
    // default endpoint is disabled.
    cfnRestApi.endpointAccessMode = props.mtlsDomain
      ? apigateway.EndpointAccessMode.BASIC
      : apigateway.EndpointAccessMode.STRICT;

    const executionLogs = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.restApi.restApiId}/${stageName}`,
      retention,
      encryptionKey: props.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Otherwise API Gateway may create it first, unencrypted and kept forever.
    this.restApi.deploymentStage.node.addDependency(executionLogs);

    // The account-level role API Gateway logs with; CDK attaches AWS's own policy for it.
    const cloudWatchRole = this.restApi.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          "API Gateway's account-level logging role needs to create and write its execution and access log groups, whose names API Gateway chooses; this AWS-managed policy is the documented one for that role and is used by no function.",
      });
    }

    for (const problem of GATEWAY_PROBLEMS) {
      this.restApi.addGatewayResponse(`Problem-${problem.type.responseType}`, {
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

    // --- Routes: every method of the table, and nothing else.
    this.authorizer = new apigateway.CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [this.userPool],
      authorizerName: 'himaya-cognito',
      identitySource: apigateway.IdentitySource.header('Authorization'),
    });
    // The validator checks the declared path parameters and, for a route with a body, the body against a
    // model made from the route's zod schema (lib/request-models.ts): a malformed body is refused here with
    // the BAD_REQUEST_BODY problem above, and costs no invocation. The function parses the body again with
    // the same schema, which also checks what JSON Schema cannot say (non-blank text, NFC).
    const validator = this.restApi.addRequestValidator('Validator', {
      requestValidatorName: 'himaya-parameters-and-body',
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    const integrations = new Map<FunctionName, apigateway.LambdaIntegration>();
    const integrationOf = (fn: FunctionName) => {
      let integration = integrations.get(fn);
      if (!integration) {
        const handler = props.functions.get(fn);
        if (!handler) throw new Error(`no function for ${fn}`);
        integration = new apigateway.LambdaIntegration(handler, { proxy: true, allowTestInvoke: false });
        integrations.set(fn, integration);
      }
      return integration;
    };

    for (const route of routes as readonly RouteSpec[]) {
      const resource = this.restApi.root.resourceForPath(route.path);
      const requestParameters = Object.fromEntries(
        pathParameters(route.path).map((name) => [`method.request.path.${name}`, true]),
      );
      const body = route.request?.body;
      const method = resource.addMethod(route.method, integrationOf(route.fn), {
        operationName: route.operationId,
        requestValidator: validator,
        requestParameters,
        ...(body
          ? {
              requestModels: {
                'application/json': this.restApi.addModel(`Model-${route.operationId}`, {
                  modelName: modelNameOf(route),
                  contentType: 'application/json',
                  description: `Request body of ${route.operationId}`,
                  schema: requestModelSchema(body),
                }),
              },
            }
          : {}),
        ...(route.scope === null
          ? { authorizationType: apigateway.AuthorizationType.NONE }
          : {
              authorizationType: apigateway.AuthorizationType.COGNITO,
              authorizer: this.authorizer,
              authorizationScopes: [`${RESOURCE_SERVER_ID}/${route.scope}`],
            }),
      });
      if (route.scope === null) {
        const reason = `${route.method} ${route.path} (${route.operationId}) is declared unauthenticated in src/http/routes.ts (scope null); an unauthenticated route serves no case, audit or directory data.`;
        Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason });
        Validations.of(method).acknowledge({ id: 'AwsSolutions-COG4', reason });
      }
    }

    // --- Optional custom domain with mutual TLS.
    if (props.mtlsDomain) {
      const truststore = /^s3:\/\/([^/]+)\/(.+)$/.exec(props.mtlsDomain.truststoreUri);
      if (!truststore) throw new Error('the mTLS trust store must be given as s3://<bucket>/<key>');
      this.domainName = this.restApi.addDomainName('MtlsDomain', {
        domainName: props.mtlsDomain.domainName,
        certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.mtlsDomain.certificateArn),
        endpointType: apigateway.EndpointType.REGIONAL,
        securityPolicy: apigateway.SecurityPolicy.TLS_1_2,
        mtls: {
          bucket: s3.Bucket.fromBucketName(this, 'Truststore', truststore[1] as string),
          key: truststore[2] as string,
          ...(props.mtlsDomain.truststoreVersion ? { version: props.mtlsDomain.truststoreVersion } : {}),
        },
      });
    }

    // --- WAF: AWS managed rule groups and a per-IP rate limit in front of the stage.
    const managedRule = (priority: number, name: string, overrides: string[] = []) => ({
      name,
      priority,
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ...(overrides.length > 0
            ? { ruleActionOverrides: overrides.map((rule) => ({ name: rule, actionToUse: { count: {} } })) }
            : {}),
        },
      },
      overrideAction: { none: {} },
      visibilityConfig: { sampledRequestsEnabled: true, cloudWatchMetricsEnabled: true, metricName: name },
    });
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: 'himaya-api',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: {
        sampledRequestsEnabled: true,
        cloudWatchMetricsEnabled: true,
        metricName: 'himaya-api',
      },
      rules: [
        managedRule(0, 'AWSManagedRulesAmazonIpReputationList'),
        // Case records may exceed the 8 KB body limit of the common rule set; the function caps bodies.
        managedRule(1, 'AWSManagedRulesCommonRuleSet', ['SizeRestrictions_BODY']),
        managedRule(2, 'AWSManagedRulesKnownBadInputsRuleSet'),
        {
          name: 'RateLimitPerIp',
          priority: 3,
          statement: {
            rateBasedStatement: { limit: props.wafRateLimitPerIp ?? 2000, aggregateKeyType: 'IP' },
          },
          action: { block: {} },
          visibilityConfig: {
            sampledRequestsEnabled: true,
            cloudWatchMetricsEnabled: true,
            metricName: 'RateLimitPerIp',
          },
        },
      ],
    });
    // WAF logs (the name must start with `aws-waf-logs-`), without the bearer token.
    this.wafLogs = new logs.LogGroup(this, 'WafLogs', {
      logGroupName: `aws-waf-logs-himaya-${stageName}`,
      retention,
      encryptionKey: props.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const wafLogging = new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: this.wafLogs.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
    });
    wafLogging.node.addDependency(this.wafLogs);

    // Findings on the stage that do not apply to a Lambda-proxy API without a cache.
    const stage = this.restApi.deploymentStage;
    const noCache =
      'The stage has no cache: responses are per caller, confidential and must not outlive the request, so caching is off and nothing is stored to encrypt.';
    const noHttpBackend =
      'Every integration is a Lambda proxy integration invoked through the Lambda API with IAM; there is no HTTP backend to present a client certificate to.';
    for (const pack of ['HIPAA.Security', 'NIST.800.53.R5']) {
      Validations.of(stage).acknowledge({ id: `${pack}-APIGWCacheEnabledAndEncrypted`, reason: noCache });
      Validations.of(stage).acknowledge({ id: `${pack}-APIGWSSLEnabled`, reason: noHttpBackend });
    }

    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.restApi.deploymentStage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }

  /** Token endpoint clients call for an access token (OAuth2 client credentials). */
  get tokenUrl(): string {
    return `${this.domain.baseUrl()}/oauth2/token`;
  }

  /**
   * The directory as functions see it in AWS: each client's `id` is its Cognito app client id, the value of
   * the `client_id` claim in its access tokens, so that `findClient` maps a token to its agency.
   */
  withCognitoClientIds(directory: Directory): Directory {
    return {
      ...directory,
      clients: directory.clients.map((client) => {
        const appClient = this.clients.get(client.id);
        return appClient ? { ...client, id: appClient.userPoolClientId } : client;
      }),
    };
  }
}

/** Region-unique default for the Cognito domain prefix. */
export function defaultDomainPrefix(scope: Construct): string {
  return `himaya-${Stack.of(scope).account}`;
}
