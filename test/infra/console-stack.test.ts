import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtConsoleDir } from '../../lib/console-assets';
import { HimayaStack } from '../../lib/himaya-stack';
import { TEST_STACK_PROPS } from '../support/stack-props';

type Resource = { Type: string; Properties: Record<string, unknown> };

const FINGERPRINT = '3f'.repeat(32);
/** CloudFront's managed policies, by id. */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

/** The stack synthesised without bundling, and the `config.json` it uploads beside the console. */
function synthesise(context: Record<string, unknown> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const template = Template.fromStack(new HimayaStack(app, 'Himaya', TEST_STACK_PROPS));
  const configs = readdirSync(app.outdir)
    .map((dir) => join(app.outdir, dir, 'config.json'))
    .filter((file) => existsSync(file));
  expect(configs).toHaveLength(1);
  return {
    template,
    config: JSON.parse(readFileSync(configs[0] as string, 'utf8')) as Record<string, unknown>,
  };
}

let template: Template;
let resources: Record<string, Resource>;
let config: Record<string, unknown>;

const idsOf = (type: string) =>
  Object.entries(resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id]) => id);
const only = (type: string) => {
  const ids = idsOf(type);
  expect(ids, type).toHaveLength(1);
  return ids[0] as string;
};
const officersPool = () => idsOf('AWS::Cognito::UserPool').find((id) => id.startsWith('OfficersUserPool'));

beforeAll(() => {
  ({ template, config } = synthesise({ checkpointKeyFingerprint: FINGERPRINT }));
  resources = template.toJSON().Resources as Record<string, Resource>;
});

describe("HimayaStack compliance officers' sign-in", () => {
  it('keeps people in a pool of their own: admin-created, MFA required with TOTP, risky sign-ins blocked', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolName: 'himaya-officers',
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
  });

  it('has the compliance-officers group in that pool', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', {
      GroupName: 'compliance-officers',
      UserPoolId: { Ref: officersPool() },
    });
  });

  it('offers people audit.read and no other scope', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      UserPoolId: { Ref: officersPool() },
      Identifier: 'himaya',
      Scopes: [Match.objectLike({ ScopeName: 'audit.read' })],
    });
  });

  it('has a hosted UI domain of its own', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: 'himaya-test-officers',
      UserPoolId: { Ref: officersPool() },
    });
  });

  it('gives the console a public client: no secret, code grant only, back to the console, short tokens', () => {
    const consoleUrl = {
      'Fn::Join': [
        '',
        ['https://', { 'Fn::GetAtt': [only('AWS::CloudFront::Distribution'), 'DomainName'] }, '/console/'],
      ],
    };
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'himaya-console',
      UserPoolId: { Ref: officersPool() },
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', { 'Fn::Join': ['', [{ Ref: Match.anyValue() }, '/audit.read']] }],
      CallbackURLs: [consoleUrl],
      LogoutURLs: [consoleUrl],
      SupportedIdentityProviders: ['COGNITO'],
      AccessTokenValidity: 60,
      TokenValidityUnits: Match.objectLike({ AccessToken: 'minutes' }),
    });
  });

  it('gives the console client id to the functions, as the directory client himaya-console', () => {
    const [consoleClient] = idsOf('AWS::Cognito::UserPoolClient').filter((id) =>
      id.includes('ConsoleClient'),
    );
    const fn = Object.values(resources).find(
      (resource) =>
        resource.Type === 'AWS::Lambda::Function' &&
        JSON.stringify(resource.Properties).includes('"POWERTOOLS_SERVICE_NAME":"himaya-audit"'),
    );
    expect(JSON.stringify(fn?.Properties)).toContain(`{"Ref":"${consoleClient}"}`);
  });
});

describe('HimayaStack compliance console site', () => {
  it('keeps the files in a private, versioned, TLS-only bucket with server access logs', () => {
    const files = idsOf('AWS::S3::Bucket').find((id) => id.startsWith('ConsoleFiles')) as string;
    expect(resources[files]?.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: expect.anything(),
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: expect.anything() },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: files },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          // Only this distribution, through origin access control, reads the files.
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it('reads the bucket through origin access control (SigV4, always signed)', () => {
    const oac = only('AWS::CloudFront::OriginAccessControl');
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: {
        Origins: Match.arrayWith([
          Match.objectLike({ OriginAccessControlId: { 'Fn::GetAtt': [oac, 'Id'] } }),
        ]),
      },
    });
  });

  it('serves HTTPS only, logs access, and sends /v1/* to the API uncached with every header but Host', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: {
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        CacheBehaviors: [
          Match.objectLike({
            PathPattern: '/v1/*',
            ViewerProtocolPolicy: 'https-only',
            AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
            CachePolicyId: CACHING_DISABLED,
            OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
          }),
        ],
        Origins: Match.arrayWith([
          Match.objectLike({
            OriginPath: '/prod',
            CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] },
          }),
        ]),
        Logging: { Bucket: Match.anyValue(), Prefix: 'cloudfront/' },
      },
    });
  });

  it('sends strict security headers and a CSP without unsafe-inline, on the files and the API alike', () => {
    const policy = only('AWS::CloudFront::ResponseHeadersPolicy');
    const config = resources[policy]?.Properties.ResponseHeadersPolicyConfig as {
      SecurityHeadersConfig: Record<string, Record<string, unknown>>;
    };
    const headers = config.SecurityHeadersConfig;
    const csp = JSON.stringify(headers.ContentSecurityPolicy?.ContentSecurityPolicy);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    for (const directive of [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).toMatch(/connect-src 'self' https:\/\/.*amazoncognito\.com/);
    expect(headers).toMatchObject({
      StrictTransportSecurity: { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
    });
    const distribution = JSON.stringify(resources[only('AWS::CloudFront::Distribution')]?.Properties);
    expect(distribution.split(`"ResponseHeadersPolicyId":{"Ref":"${policy}"}`)).toHaveLength(3);
  });

  it('uploads the console under /console/ with its config.json, and invalidates it', () => {
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketKeyPrefix: 'console/',
      DistributionPaths: ['/console/*'],
      Prune: true,
    });
  });

  it('tells the console where the API, the hosted UI and its client are, and the pinned key', () => {
    expect(Object.keys(config).sort()).toEqual(
      [
        'apiBase',
        'authBase',
        'checkpointKeyFingerprint',
        'clientId',
        'logOrigin',
        'redirectUri',
        'scope',
      ].sort(),
    );
    expect(config).toMatchObject({
      apiBase: expect.stringMatching(/^https:\/\/<<marker:\w+:\d+>>$/),
      authBase: expect.stringMatching(
        /^https:\/\/<<marker:\w+:\d+>>\.auth\.<<marker:\w+:\d+>>\.amazoncognito\.com$/,
      ),
      redirectUri: expect.stringMatching(/^https:\/\/<<marker:\w+:\d+>>\/console\/$/),
      scope: 'openid himaya/audit.read',
      checkpointKeyFingerprint: FINGERPRINT,
      logOrigin: 'himaya.example/audit',
    });
  });

  it('gives a null fingerprint when none is pinned, so that the console reports verification as not configured', () => {
    expect(synthesise().config.checkpointKeyFingerprint).toBeNull();
  });

  it('refuses a fingerprint that is not a SHA-256 in hex', () => {
    expect(() => synthesise({ checkpointKeyFingerprint: 'SHA256:abc' })).toThrow(/64 lowercase hex/);
  });

  it('stops the synth with what to do when the console is not built', () => {
    expect(() => builtConsoleDir(join(TEST_STACK_PROPS.consoleFiles, 'missing'))).toThrow(
      /console is not built: .* has no index\.html/,
    );
  });
});
