import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Directory } from '../../src/domain/directory';
import type { FunctionName } from '../../src/http/routes';
import { addRoutes, publicRouteThrottling } from './api-routes';
import { type Firewall, protectWithFirewall } from './firewall';
import { addGatewayProblems } from './gateway-problems';
import { HimayaUserPool } from './identity';
import { HimayaLogGroup } from './log-group';
import { addMtlsDomain, type MtlsDomain } from './mtls-domain';

export interface HimayaApiProps {
  /** The function serving each area of the route table. */
  functions: ReadonlyMap<FunctionName, lambda.IFunction>;
  directory: Directory;
  logsKey: kms.IKey;
  /** Prefix of the Cognito domain that serves `/oauth2/token`; unique per region across AWS. */
  domainPrefix: string;
  /** Other user pools whose access tokens the authorizer accepts: the compliance officers'. */
  otherUserPools?: readonly cognito.IUserPool[];
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

/** One JSON line per request: who called what, how it ended, and where to look next (X-Ray, WAF). */
const ACCESS_LOG_FORMAT = apigateway.AccessLogFormat.custom(
  JSON.stringify({
    requestId: apigateway.AccessLogField.contextRequestId(),
    extendedRequestId: apigateway.AccessLogField.contextExtendedRequestId(),
    requestTime: apigateway.AccessLogField.contextRequestTime(),
    requestTimeEpoch: apigateway.AccessLogField.contextRequestTimeEpoch(),
    sourceIp: apigateway.AccessLogField.contextIdentitySourceIp(),
    clientId: apigateway.AccessLogField.contextAuthorizerClaims('client_id'),
    // A signed-in officer's token names them: a refusal of it is logged with who was refused.
    username: apigateway.AccessLogField.contextAuthorizerClaims('username'),
    httpMethod: apigateway.AccessLogField.contextHttpMethod(),
    resourcePath: apigateway.AccessLogField.contextResourcePath(),
    // The path as requested, stage first: the audit event of a refusal names it (normalised).
    path: apigateway.AccessLogField.contextPath(),
    stage: apigateway.AccessLogField.contextStage(),
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
);

/**
 * The REST API (API Gateway v1), put together from one construct or step per concern: identity (the Cognito
 * user pool, `identity.ts`), routes built from the route table (`api-routes.ts`), problem+json for the
 * errors API Gateway answers itself (`gateway-problems.ts`), the optional custom domain with mutual TLS
 * (`mtls-domain.ts`) and the WAF web ACL (`firewall.ts`). Here: the stage, with access logs (JSON),
 * execution logs (errors only), X-Ray and throttling, TLS 1.2+ with forward secrecy, and the Cognito
 * authorizer the routes use. Every resource keeps the construct path, hence the logical ID, it was deployed
 * with: the steps add to this construct or to the REST API, and the user pool is its own construct.
 */
export class HimayaApi extends Construct {
  readonly userPool: HimayaUserPool;
  readonly accessLogs: logs.LogGroup;
  readonly restApi: apigateway.RestApi;
  readonly authorizer: apigateway.CognitoUserPoolsAuthorizer;
  /** The custom domain with mutual TLS, when configured. */
  readonly domainName?: apigateway.DomainName;
  readonly firewall: Firewall;

  constructor(scope: Construct, id: string, props: HimayaApiProps) {
    super(scope, id);
    const stageName = props.stageName ?? 'prod';
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;

    this.userPool = new HimayaUserPool(this, 'UserPool', {
      directory: props.directory,
      domainPrefix: props.domainPrefix,
    });
    this.accessLogs = new HimayaLogGroup(this, 'AccessLogs', { retention, encryptionKey: props.logsKey });
    this.restApi = this.createRestApi(props, stageName);
    this.createExecutionLogs(stageName, props.logsKey, retention);
    addGatewayProblems(this.restApi);

    this.authorizer = new apigateway.CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [this.userPool, ...(props.otherUserPools ?? [])],
      authorizerName: 'himaya-cognito',
      identitySource: apigateway.IdentitySource.header('Authorization'),
    });
    addRoutes(this.restApi, { functions: props.functions, authorizer: this.authorizer });
    if (props.mtlsDomain) this.domainName = addMtlsDomain(this.restApi, props.mtlsDomain);

    this.firewall = protectWithFirewall(this, {
      stage: this.restApi.deploymentStage,
      stageName,
      logsKey: props.logsKey,
      retention,
      rateLimitPerIp: props.wafRateLimitPerIp,
    });
    acknowledgeStageFindings(this.restApi.deploymentStage);
  }

  private createRestApi(props: HimayaApiProps, stageName: string): apigateway.RestApi {
    const restApi = new apigateway.RestApi(this, 'RestApi', {
      restApiName: 'himaya',
      description: 'Himaya: secure information exchange between child-protection agencies',
      endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
      // The access log's tiles are bytes: a function's base64 body is sent as such when the caller
      // accepts application/octet-stream.
      binaryMediaTypes: ['application/octet-stream'],
      // With mutual TLS on the custom domain, the default endpoint would be a way around it.
      disableExecuteApiEndpoint: props.mtlsDomain !== undefined,
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName,
        description: 'Himaya API',
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: ACCESS_LOG_FORMAT,
        // Errors only, and never request or response bodies: they carry case data.
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: props.throttlingRateLimit ?? 100,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 200,
        methodOptions: publicRouteThrottling(),
      },
    });
    const cfnRestApi = restApi.node.defaultChild as apigateway.CfnRestApi;
    cfnRestApi.securityPolicy = apigateway.SecurityPolicy.TLS13_1_2_PFS_PQ_2025_09;
    // Strict: callers of the default endpoint must negotiate this policy. API Gateway allows no mutual TLS
    // with an enhanced policy, so with the mTLS domain (TLS 1.2 policy) the API's mode is basic, and the
    // default endpoint is disabled.
    cfnRestApi.endpointAccessMode = props.mtlsDomain
      ? apigateway.EndpointAccessMode.BASIC
      : apigateway.EndpointAccessMode.STRICT;
    acknowledgeCloudWatchRole(restApi);
    return restApi;
  }

  /** Created here so that they are encrypted and expire: otherwise API Gateway may create them first. */
  private createExecutionLogs(stageName: string, logsKey: kms.IKey, retention: logs.RetentionDays): void {
    const executionLogs = new HimayaLogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.restApi.restApiId}/${stageName}`,
      retention,
      encryptionKey: logsKey,
    });
    this.restApi.deploymentStage.node.addDependency(executionLogs);
  }
}

/** The account-level role API Gateway logs with; CDK attaches AWS's own policy for it. */
function acknowledgeCloudWatchRole(restApi: apigateway.RestApi): void {
  const cloudWatchRole = restApi.node.tryFindChild('CloudWatchRole');
  if (!cloudWatchRole) return;
  Validations.of(cloudWatchRole).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    reason:
      "API Gateway's account-level logging role needs to create and write its execution and access log groups, whose names API Gateway chooses; this AWS-managed policy is the documented one for that role and is used by no function.",
  });
}

/** Findings on the stage that do not apply to a Lambda-proxy API without a cache. */
function acknowledgeStageFindings(stage: apigateway.Stage): void {
  const noCache =
    'The stage has no cache: responses are per caller, confidential and must not outlive the request, so caching is off and nothing is stored to encrypt.';
  const noHttpBackend =
    'Every integration is a Lambda proxy integration invoked through the Lambda API with IAM; there is no HTTP backend to present a client certificate to.';
  for (const pack of ['HIPAA.Security', 'NIST.800.53.R5']) {
    Validations.of(stage).acknowledge({ id: `${pack}-APIGWCacheEnabledAndEncrypted`, reason: noCache });
    Validations.of(stage).acknowledge({ id: `${pack}-APIGWSSLEnabled`, reason: noHttpBackend });
  }
}
