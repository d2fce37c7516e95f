import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, type IConstruct } from 'constructs';
import type { ConsoleConfig } from '../../console/config-file';
import { CONSOLE_PATH } from '../../console/paths';

/** What the console reads at start (`/console/config.json`): one type for the console, locally and here. */
export type { ConsoleConfig };
/** Where the console lives on its distribution, as on the local gateway. */
export { CONSOLE_PATH };

export interface ConsoleSiteProps {
  restApi: apigateway.RestApi;
  stageName: string;
  /** The hosted UI's origin: the only other origin the console may call or post a form to. */
  authOrigin: string;
  /** Receives the S3 server access logs of the console's buckets. */
  serverAccessLogs: s3.IBucket;
  /** A CloudFront-scope WAF web ACL (made in us-east-1) to attach, when the operator has one. */
  webAclArn?: string;
}

/**
 * The console's policy: scripts and styles from its own origin only (no `unsafe-inline`), calls to its own
 * origin (the API is behind `/v1/*`) and to the hosted UI, never framed.
 */
export function consoleContentSecurityPolicy(authOrigin: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${authOrigin}`,
    `form-action ${authOrigin}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** `/console/` is its `index.html`, as a web server's directory index; `/` goes to the console. */
const DIRECTORY_INDEX = `function handler(event) {
  var request = event.request;
  if (request.uri === '/') {
    return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '${CONSOLE_PATH}' } } };
  }
  if (request.uri.endsWith('/')) request.uri += 'index.html';
  return request;
}`;

/**
 * The compliance console in AWS: its files in a private bucket that only this distribution may read
 * (origin access control), served over HTTPS only with strict security headers, and `/v1/*` passed to the
 * REST API uncached, so that the console calls its own origin in AWS as it does on the local gateway and
 * the API needs no CORS.
 */
export class ConsoleSite extends Construct {
  readonly bucket: s3.Bucket;
  readonly logs: s3.Bucket;
  readonly headers: cloudfront.ResponseHeadersPolicy;
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Files', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      serverAccessLogsBucket: props.serverAccessLogs,
      serverAccessLogsPrefix: 'console-files/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.logs = this.createLogBucket(props.serverAccessLogs);
    this.headers = this.createHeadersPolicy(props.authOrigin);
    this.distribution = this.createDistribution(props);
    acknowledgeFindings(this, props.webAclArn !== undefined);
  }

  /** The console's own URL: its redirect and sign-out URI. */
  get url(): string {
    return `https://${this.distribution.distributionDomainName}${CONSOLE_PATH}`;
  }

  get origin(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }

  /** CloudFront's standard logs: delivered by CloudFront's log account through an ACL grant. */
  private createLogBucket(serverAccessLogs: s3.IBucket): s3.Bucket {
    return new s3.Bucket(this, 'Logs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(3653), noncurrentVersionExpiration: Duration.days(30) }],
      serverAccessLogsBucket: serverAccessLogs,
      serverAccessLogsPrefix: 'console-logs/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  private createHeadersPolicy(authOrigin: string): cloudfront.ResponseHeadersPolicy {
    return new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: 'Himaya compliance console: strict security headers and a CSP without unsafe-inline',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: consoleContentSecurityPolicy(authOrigin),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
          { header: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()', override: true },
        ],
      },
    });
  }

  private createDistribution(props: ConsoleSiteProps): cloudfront.Distribution {
    const api = new origins.HttpOrigin(
      `${props.restApi.restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`,
      {
        originPath: `/${props.stageName}`,
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      },
    );
    return new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Himaya compliance console',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        functionAssociations: [
          {
            eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
            function: new cloudfront.Function(this, 'DirectoryIndex', {
              code: cloudfront.FunctionCode.fromInline(DIRECTORY_INDEX),
              runtime: cloudfront.FunctionRuntime.JS_2_0,
              comment: 'Serves index.html for a path ending in /',
            }),
          },
        ],
      },
      additionalBehaviors: {
        // The API, never cached: answers are per caller. With caching off, the managed policy passes every
        // viewer header but Host, Authorization among them; API Gateway sees its own host name.
        '/v1/*': {
          origin: api,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.headers,
        },
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // Edges in the Middle East are in price class 200, not 100.
      priceClass: cloudfront.PriceClass.PRICE_CLASS_200,
      enableLogging: true,
      logBucket: this.logs,
      logFilePrefix: 'cloudfront/',
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
    });
  }

  /** Uploads the built console and its `config.json` under `/console/`, and invalidates what changed. */
  deploy(filesDir: string, config: ConsoleConfig): s3deploy.BucketDeployment {
    const deployment = new s3deploy.BucketDeployment(this, 'Deployment', {
      sources: [s3deploy.Source.asset(filesDir), s3deploy.Source.jsonData('config.json', config)],
      destinationBucket: this.bucket,
      destinationKeyPrefix: CONSOLE_PATH.slice(1),
      distribution: this.distribution,
      distributionPaths: [`${CONSOLE_PATH}*`],
      prune: true,
      retainOnDelete: false,
    });
    acknowledgeDeploymentHandler(this);
    return deployment;
  }
}

/**
 * CDK's BucketDeployment copies the files with a Lambda function of its own (one per stack), run by
 * CloudFormation at deploy time only; its code, runtime and role are CDK's.
 */
function acknowledgeDeploymentHandler(site: ConsoleSite): void {
  const handler = Stack.of(site).node.children.find((child) =>
    child.node.id.startsWith('Custom::CDKBucketDeployment'),
  );
  if (!handler) throw new Error('BucketDeployment made no handler function');
  const role = handler.node.findChild('ServiceRole');
  const policy = role.node.findChild('DefaultPolicy');
  const deployOnly =
    "CDK's BucketDeployment handler runs only when CloudFormation deploys the console, never on a request:";
  acknowledge(
    role,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    `${deployOnly} CDK gives its role AWS's basic execution policy, which only lets it write its own logs.`,
  );
  const copying = `${deployOnly} CDK grants it what copying the files needs, read on the asset in CDK's staging bucket and write and delete (prune) in the console bucket, with wildcards over those two buckets' objects only.`;
  for (const finding of [
    'Action::s3:GetObject*',
    'Action::s3:GetBucket*',
    'Action::s3:List*',
    'Action::s3:DeleteObject*',
    'Action::s3:Abort*',
    'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
    `Resource::<${Stack.of(site).getLogicalId(site.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/*`,
  ]) {
    acknowledge(policy, `AwsSolutions-IAM5[${finding}]`, copying);
  }
  acknowledge(
    policy,
    'AwsSolutions-IAM5[Resource::*]',
    `${deployOnly} CloudFront's CreateInvalidation and GetInvalidation are granted on * by CDK, which invalidates the console's paths after an upload so that officers get the new files.`,
  );
  acknowledgeHandlerFunction(handler, policy, deployOnly);
}

/** The handler function's own findings, and its inline policy's. */
function acknowledgeHandlerFunction(handler: IConstruct, policy: IConstruct, deployOnly: string): void {
  acknowledge(
    handler,
    'AwsSolutions-L1',
    `${deployOnly} CDK bundles its code for the Python runtime CDK chooses, and moves it with CDK upgrades.`,
  );
  for (const pack of ['HIPAA.Security', 'NIST.800.53.R5']) {
    acknowledge(
      policy,
      `${pack}-IAMNoInlinePolicy`,
      `${deployOnly} CDK writes its grants inline on the role it creates for it, which nothing else uses.`,
    );
    acknowledge(
      handler,
      `${pack}-LambdaConcurrency`,
      `${deployOnly} one invocation per deploy, so reserved concurrency would guard nothing.`,
    );
    acknowledge(
      handler,
      `${pack}-LambdaDLQ`,
      `${deployOnly} CloudFormation invokes it and sees its failure: the deploy fails and rolls back, so no event is lost.`,
    );
    acknowledge(
      handler,
      `${pack}-LambdaInsideVPC`,
      `${deployOnly} it talks only to S3 and CloudFront, and a VPC would add endpoints and no protection to a copy of public static files.`,
    );
  }
}

function acknowledge(construct: IConstruct, id: string, reason: string): void {
  Validations.of(construct).acknowledge({ id, reason });
}

function acknowledgeFindings(site: ConsoleSite, hasWebAcl: boolean): void {
  const bothPacks = ['HIPAA.Security', 'NIST.800.53.R5'];
  const publicCode =
    'The bucket holds the console: static code and its public configuration that every visitor downloads anyway, no data; SSE-S3 is enough, and CloudFront reads it without a key grant.';
  const rebuilt =
    'The console is rebuilt and uploaded by every deploy from the repository; a replica would add nothing.';
  for (const pack of bothPacks) {
    acknowledge(site.bucket, `${pack}-S3DefaultEncryptionKMS`, publicCode);
    acknowledge(site.bucket, `${pack}-S3BucketReplicationEnabled`, rebuilt);
    acknowledge(
      site.logs,
      `${pack}-S3DefaultEncryptionKMS`,
      "CloudFront's standard logs are written by CloudFront's log-delivery account through an ACL grant; SSE-S3 keeps that foreign account off the stack's keys. The logs hold request metadata, no case data.",
    );
    acknowledge(
      site.logs,
      `${pack}-S3BucketReplicationEnabled`,
      'Access logs of a static site; CloudFront also reports its own metrics, and a replica is left to deployments whose recovery plan asks for one.',
    );
  }
  acknowledge(
    site.distribution,
    'AwsSolutions-CFR1',
    'Compliance officers may work from anywhere; who may use the console is decided by sign-in with MFA, not by country, and the API behind it keeps its own WAF.',
  );
  acknowledge(
    site.distribution,
    'AwsSolutions-CFR4',
    'Without a custom domain the distribution uses the default *.cloudfront.net certificate, whose viewer policy CloudFront fixes; browsers negotiate TLS 1.2 or 1.3 with it. A custom domain with an ACM certificate would allow setting TLSv1.2_2021.',
  );
  if (!hasWebAcl) {
    acknowledge(
      site.distribution,
      'AwsSolutions-CFR2',
      "A CloudFront web ACL must be created in us-east-1, and this stack deploys to any one region; the API behind /v1/* is protected by the stack's regional WAF on its stage (each request passes it), and the rest are static files. Set himaya:consoleWebAclArn to attach one.",
    );
  }
}
