import { App, type PolicyViolation, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { HimayaStack, readDirectory } from '../../lib/himaya-stack';
import { FUNCTION_NAMES, type FunctionName, type RouteSpec, routes } from '../../lib/routes';
import { TABLE_DEFINITIONS } from '../../src/adapters/table-definitions';
import { SCOPES } from '../../src/domain/directory';

type Resource = { Type: string; Properties?: Record<string, unknown> } & Record<string, unknown>;

const directory = readDirectory();
let template: Template;
let resources: Record<string, Resource>;
let nagViolations: PolicyViolation[];
let acknowledged: { path: string; id: string; reason: string }[];

function propertiesOf(id: string): Record<string, unknown> {
  const resource = resources[id];
  if (!resource) throw new Error(`no resource ${id} in the template`);
  return resource.Properties ?? {};
}
const getAttTarget = (value: unknown) => (value as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
const refTarget = (value: unknown) => (value as { Ref: string }).Ref;

/** `/v1/cases/{caseId}` for each AWS::ApiGateway::Resource logical id, walking up the parents. */
function resourcePaths(): Map<string, string> {
  const paths = new Map<string, string>();
  const pathOf = (id: string): string => {
    const known = paths.get(id);
    if (known !== undefined) return known;
    const props = propertiesOf(id) as { ParentId: { Ref?: string }; PathPart: string };
    const parent = props.ParentId.Ref ? pathOf(props.ParentId.Ref) : '';
    const path = `${parent}/${props.PathPart}`;
    paths.set(id, path);
    return path;
  };
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type === 'AWS::ApiGateway::Resource') pathOf(id);
  }
  return paths;
}

function logicalIdsOf(type: string, predicate: (resource: Resource) => boolean = () => true): string[] {
  return Object.entries(resources)
    .filter(([, resource]) => resource.Type === type && predicate(resource))
    .map(([id]) => id);
}

function functionId(fn: FunctionName): string {
  const ids = logicalIdsOf('AWS::Lambda::Function', (resource) => {
    const environment = resource.Properties?.Environment as
      | { Variables?: Record<string, unknown> }
      | undefined;
    return environment?.Variables?.POWERTOOLS_SERVICE_NAME === `himaya-${fn}`;
  });
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

/** Every IAM statement attached to a function's role, in any policy. */
function statementsOf(
  fn: FunctionName,
): { Action: string | string[]; Resource: unknown; Condition?: unknown }[] {
  const role = getAttTarget(propertiesOf(functionId(fn)).Role);
  return logicalIdsOf('AWS::IAM::Policy', (policy) =>
    ((policy.Properties?.Roles ?? []) as unknown[]).some((ref) => refTarget(ref) === role),
  ).flatMap((id) => (propertiesOf(id).PolicyDocument as { Statement: never[] }).Statement);
}

const actionsOf = (statement: { Action: string | string[] }) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

function aliasTarget(alias: string): string {
  const ids = logicalIdsOf('AWS::KMS::Alias', (resource) => resource.Properties?.AliasName === alias);
  expect(ids, alias).toHaveLength(1);
  return getAttTarget(propertiesOf(ids[0] as string).TargetKeyId);
}

const describeViolation = (violation: PolicyViolation) =>
  `${violation.ruleName} at ${violation.violatingResources.map((resource) => resource.constructPath).join(', ')}`;

function collectAcknowledgements(root: IConstruct) {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

beforeAll(() => {
  // Synthesise once, without bundling: the template is the same, and the esbuild runs are what takes time.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new HimayaStack(app, 'Himaya', { cognitoDomainPrefix: 'himaya-test' });
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
  // The AwsSolutions pack on the synthesised tree, as `Validations.of(app).addPlugins(...)` runs it in
  // bin/himaya.ts (where any finding fails `cdk synth`); here each finding is reported by name.
  nagViolations = new AwsSolutionsChecks(app).validateScope(app).violations;
  acknowledged = collectAcknowledgements(app);
});

describe('HimayaStack API', () => {
  it('has exactly one method per route of the table', () => {
    template.resourceCountIs('AWS::ApiGateway::Method', routes.length);
  });

  it.each(routes as readonly RouteSpec[])(
    'serves $method $path with the scope of the route table',
    (route) => {
      const resourceIds = [...resourcePaths()].filter(([, path]) => path === route.path).map(([id]) => id);
      expect(resourceIds, route.path).toHaveLength(1);
      const [authorizer] = logicalIdsOf('AWS::ApiGateway::Authorizer');

      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: route.method,
        ResourceId: { Ref: resourceIds[0] },
        ...(route.scope === null
          ? { AuthorizationType: 'NONE', AuthorizerId: Match.absent(), AuthorizationScopes: Match.absent() }
          : {
              AuthorizationType: 'COGNITO_USER_POOLS',
              AuthorizerId: { Ref: authorizer },
              AuthorizationScopes: [`himaya/${route.scope}`],
            }),
        RequestValidatorId: Match.anyValue(),
        Integration: {
          Type: 'AWS_PROXY',
          IntegrationHttpMethod: 'POST',
          Uri: Match.anyValue(),
        },
      });
      const method = logicalIdsOf(
        'AWS::ApiGateway::Method',
        (resource) =>
          resource.Properties?.HttpMethod === route.method &&
          refTarget(resource.Properties?.ResourceId) === resourceIds[0],
      );
      expect(method).toHaveLength(1);
      const uri = JSON.stringify((propertiesOf(method[0] as string).Integration as { Uri: unknown }).Uri);
      expect(uri).toContain(`"${functionId(route.fn)}"`);
    },
  );

  it('authorizes with the Cognito user pool', () => {
    const [userPool] = logicalIdsOf('AWS::Cognito::UserPool');
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      IdentitySource: 'method.request.header.Authorization',
      ProviderARNs: [{ 'Fn::GetAtt': [userPool, 'Arn'] }],
    });
  });

  it('has a resource server `himaya` with the five scopes', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'himaya',
      Scopes: SCOPES.map((scope) => Match.objectLike({ ScopeName: scope })),
    });
  });

  it('has one client-credentials app client per client of the directory, with its scopes', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolClient', directory.clients.length);
    const [resourceServer] = logicalIdsOf('AWS::Cognito::UserPoolResourceServer');
    for (const client of directory.clients) {
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        ClientName: `himaya-${client.id}`,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthFlowsUserPoolClient: true,
        GenerateSecret: true,
        AllowedOAuthScopes: client.scopes.map((scope) => ({
          'Fn::Join': ['', [{ Ref: resourceServer }, `/${scope}`]],
        })),
      });
    }
  });

  it('names the Cognito domain from its prop', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'himaya-test' });
  });

  it('logs access in JSON and errors only, never bodies, throttles and traces the stage', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.serializedJson(Match.anyValue()) },
      TracingEnabled: true,
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          ThrottlingRateLimit: Match.anyValue(),
          ThrottlingBurstLimit: Match.anyValue(),
        }),
      ],
    });
  });

  it('validates requests, accepts TLS 1.2+ only and sits behind a WAF web ACL', () => {
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      SecurityPolicy: Match.stringLikeRegexp('^SecurityPolicy_TLS13_1_2'),
      EndpointAccessMode: 'STRICT',
    });
    const [stage] = logicalIdsOf('AWS::ApiGateway::Stage');
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: { 'Fn::Join': ['', Match.arrayWith([{ Ref: stage }])] },
    });
  });

  it('answers its own 401 and 403 in problem+json', () => {
    for (const [type, status] of [
      ['UNAUTHORIZED', '401'],
      ['ACCESS_DENIED', '403'],
    ]) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        StatusCode: status,
        ResponseParameters: Match.objectLike({
          'gatewayresponse.header.Content-Type': "'application/problem+json'",
        }),
      });
    }
  });
});

describe('HimayaStack data', () => {
  it('builds every table of TABLE_DEFINITIONS with PITR, deletion protection and a customer-managed key', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', TABLE_DEFINITIONS.length);
    template.allResourcesProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
      },
    });
    template.allResources('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it.each(TABLE_DEFINITIONS)('builds the $id table with its keys, indexes, TTL and stream', (definition) => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: definition.partitionKey, KeyType: 'HASH' },
        ...(definition.sortKey ? [{ AttributeName: definition.sortKey, KeyType: 'RANGE' }] : []),
      ],
      GlobalSecondaryIndexes:
        definition.indexes.length === 0
          ? Match.absent()
          : definition.indexes.map((index) =>
              Match.objectLike({
                IndexName: index.indexName,
                KeySchema: [
                  { AttributeName: index.partitionKey, KeyType: 'HASH' },
                  { AttributeName: index.sortKey, KeyType: 'RANGE' },
                ],
              }),
            ),
      TimeToLiveSpecification: definition.ttlAttribute
        ? { AttributeName: definition.ttlAttribute, Enabled: true }
        : Match.absent(),
      StreamSpecification: definition.stream ? { StreamViewType: 'NEW_IMAGE' } : Match.absent(),
    });
  });
});

describe('HimayaStack keys', () => {
  it.each(directory.agencies)('gives agency $id its own rotating key and alias', (agency) => {
    const key = aliasTarget(`alias/himaya-agency-${agency.id}`);
    expect(resources[key]?.Type).toBe('AWS::KMS::Key');
    expect(resources[key]?.Properties).toMatchObject({ EnableKeyRotation: true });
    expect(resources[key]?.Properties?.KeySpec ?? 'SYMMETRIC_DEFAULT').toBe('SYMMETRIC_DEFAULT');
    expect(resources[key]).toMatchObject({ DeletionPolicy: 'Retain' });
  });

  it('has an Ed25519 signing key and an HMAC-256 key', () => {
    const signing = aliasTarget('alias/himaya-audit-signing');
    expect(resources[signing]?.Properties).toMatchObject({
      KeySpec: 'ECC_NIST_EDWARDS25519',
      KeyUsage: 'SIGN_VERIFY',
    });
    const hmac = aliasTarget('alias/himaya-match-hmac');
    expect(resources[hmac]?.Properties).toMatchObject({
      KeySpec: 'HMAC_256',
      KeyUsage: 'GENERATE_VERIFY_MAC',
    });
  });

  it('rotates every symmetric key', () => {
    for (const id of logicalIdsOf('AWS::KMS::Key', (key) => key.Properties?.KeySpec === undefined)) {
      expect(resources[id]?.Properties?.EnableKeyRotation, id).toBe(true);
    }
  });
});

describe('HimayaStack functions', () => {
  it('has one Node.js 24 ARM64 function per function name, traced, with an explicit log group', () => {
    template.resourceCountIs('AWS::Lambda::Function', FUNCTION_NAMES.length);
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 1024,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogGroup: { Ref: Match.anyValue() } },
    });
  });

  it.each(FUNCTION_NAMES)('gives %s the environment functions read', (fn) => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: `himaya-${fn}`,
          POWERTOOLS_LOG_LEVEL: Match.anyValue(),
          AGENCY_DIRECTORY: Match.anyValue(),
          CASES_TABLE: Match.anyValue(),
          AUDIT_TABLE: Match.anyValue(),
          IDEMPOTENCY_TABLE: Match.anyValue(),
          SIGNING_KEY_ARN: Match.anyValue(),
          HMAC_KEY_ARN: Match.anyValue(),
        }),
      },
    });
  });

  it('keeps every log group for a limited time, encrypted', () => {
    template.allResourcesProperties('AWS::Logs::LogGroup', {
      RetentionInDays: Match.anyValue(),
      KmsKeyId: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
    });
  });

  it('gives each function a role of its own with no managed policy', () => {
    const roles = FUNCTION_NAMES.map((fn) => getAttTarget(propertiesOf(functionId(fn)).Role));
    expect(new Set(roles).size).toBe(FUNCTION_NAMES.length);
    for (const role of roles) expect(propertiesOf(role).ManagedPolicyArns, role).toBeUndefined();
  });

  it('lets public touch no table and no key', () => {
    const actions = statementsOf('public').flatMap(actionsOf);
    expect(actions.filter((action) => /^(dynamodb|kms):/.test(action))).toEqual([]);
  });

  it('lets directory only append its reads to the audit log', () => {
    const actions = statementsOf('directory').flatMap(actionsOf);
    const dataActions = actions.filter((action) => /^dynamodb:/.test(action)).sort();
    expect(dataActions).toEqual(['dynamodb:ConditionCheckItem', 'dynamodb:PutItem']);
    // KMS only for the table key, through DynamoDB: no agency key, so no case can be decrypted.
    const agencyKeys = directory.agencies.map((agency) => aliasTarget(`alias/himaya-agency-${agency.id}`));
    for (const statement of statementsOf('directory')) {
      for (const key of agencyKeys) expect(JSON.stringify(statement.Resource)).not.toContain(`"${key}"`);
      if (actionsOf(statement).some((action) => action.startsWith('kms:'))) {
        expect(JSON.stringify(statement.Condition)).toContain('kms:ViaService');
      }
    }
  });

  it('lets audit read and append to the audit log only, and decrypt no case', () => {
    const statements = statementsOf('audit');
    const agencyKeys = directory.agencies.map((agency) => aliasTarget(`alias/himaya-agency-${agency.id}`));
    for (const statement of statements) {
      const resource = JSON.stringify(statement.Resource);
      for (const key of agencyKeys) expect(resource).not.toContain(`"${key}"`);
      for (const action of actionsOf(statement)) {
        expect(['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']).not.toContain(
          action,
        );
      }
    }
  });

  it('lets cases use the agency keys only under the himaya encryption context', () => {
    const agencyKeys = directory.agencies.map((agency) => aliasTarget(`alias/himaya-agency-${agency.id}`));
    const statements = statementsOf('cases').filter((statement) =>
      agencyKeys.some((key) => JSON.stringify(statement.Resource).includes(`"${key}"`)),
    );
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Condition: { StringEquals: { 'kms:EncryptionContext:app': 'himaya' } },
    });
  });

  it('never lets a request function update or delete audit events', () => {
    const [auditTable] = logicalIdsOf(
      'AWS::DynamoDB::Table',
      (table) => table.Properties?.StreamSpecification !== undefined,
    );
    for (const fn of FUNCTION_NAMES) {
      for (const statement of statementsOf(fn)) {
        if (!JSON.stringify(statement.Resource).includes(`"${auditTable}"`)) continue;
        expect(actionsOf(statement), fn).not.toContain('dynamodb:UpdateItem');
        expect(actionsOf(statement), fn).not.toContain('dynamodb:DeleteItem');
      }
    }
  });
});

describe('HimayaStack cdk-nag (AwsSolutions)', () => {
  it('has no unacknowledged error', () => {
    const errors = nagViolations.filter((violation) => violation.severity === 'error');
    expect(errors.map(describeViolation)).toEqual([]);
    expect(errors).toHaveLength(0);
  });

  it('has no unacknowledged warning either (any finding fails the synth)', () => {
    expect(nagViolations.map(describeViolation)).toEqual([]);
  });

  it('synthesises with the pack registered as a validation plugin, as bin/himaya.ts does', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    new HimayaStack(app, 'Himaya', { cognitoDomainPrefix: 'himaya-test' });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });

  it('acknowledges only the expected findings, each with a reason', () => {
    const publicRoutes = (routes as readonly RouteSpec[]).filter((route) => route.scope === null);
    const expected = [
      ...FUNCTION_NAMES.map(
        (fn) =>
          `${fn.charAt(0).toUpperCase()}${fn.slice(1)}Function/TracingPolicy AwsSolutions-IAM5[Resource::*]`,
      ),
      'Api/RestApi/CloudWatchRole AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      ...publicRoutes.flatMap((route) => [
        `Api/RestApi/Default${route.path}/${route.method} AwsSolutions-APIG4`,
        `Api/RestApi/Default${route.path}/${route.method} AwsSolutions-COG4`,
      ]),
    ];
    expect(acknowledged.map((ack) => `${ack.path.replace(/^Himaya\//, '')} ${ack.id}`).sort()).toEqual(
      expected.sort(),
    );
    for (const ack of acknowledged) expect(ack.reason.length, ack.id).toBeGreaterThan(40);
  });
});
