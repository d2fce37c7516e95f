import { AssetHashType, DockerImage, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DEADLINES } from '../../src/timeouts';
import { BUNDLE_FILE, bundleFunctionSync, type LambdaFunctionName, PROJECT_ROOT } from '../function-bundles';
import type { HimayaTable } from './data';
import { HimayaLogGroup } from './log-group';

/**
 * How a function may use a table:
 * - `RO`: read items and query the named indexes;
 * - `RW`: `RO` plus put, update and delete items;
 * - `APPEND`: put new items only (with conditions), nothing else: how request functions write the audit
 *   log, which no one but the sealer may change afterwards;
 * - `SEAL`: the sealer's access to the audit log: read the base table, put tree items and checkpoints, and
 *   update events (their `leafIndex`) and the tree head in its transactions. No delete, no index.
 */
export type TableAccess = 'RO' | 'RW' | 'APPEND' | 'SEAL';

const TABLE_ACTIONS: Record<TableAccess, string[]> = {
  RO: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DescribeTable',
  ],
  RW: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DescribeTable',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ],
  APPEND: ['dynamodb:PutItem', 'dynamodb:ConditionCheckItem'],
  SEAL: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:ConditionCheckItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
  ],
};

/** What the function's code asks of the table's key through DynamoDB. */
const TABLE_KEY_ACTIONS: Record<TableAccess, string[]> = {
  RO: ['kms:Decrypt'],
  RW: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
  APPEND: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
  SEAL: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
};

/**
 * A function of the route table, the audit sealer (fed by the AuditLog stream, not by a route), the log
 * of the gateway's own refusals (fed by the API access log) or the outbox processor (fed by the Cases
 * stream): lib/function-bundles.ts lists them.
 */
export type HimayaFunctionName = LambdaFunctionName;

/**
 * A function's role: everything granted to it (by `bind*`, `use*` or CDK's own grants) lands in one
 * customer-managed policy attached to this role only, not in an inline policy, so that the grants can be
 * reviewed as a policy of their own (HIPAA and NIST 800-53 ask for no inline policies).
 */
export class FunctionRole extends iam.Role {
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: iam.RoleProps) {
    super(scope, id, props);
    // A child of the role, so that whatever depends on the role (the function) waits for its grants too.
    this.policy = new iam.ManagedPolicy(this, 'Grants', { description: props.description });
    this.policy.attachToRole(this);
  }

  override addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }
}

export interface HimayaFunctionProps {
  /** The function's name; its entry is `functions/<fn>.ts`, exporting `handler`. */
  fn: HimayaFunctionName;
  /** Environment shared by every function (tables, keys, directory); Powertools variables are added. */
  environment: Record<string, string>;
  /** Encrypts the function's log group. */
  logsKey: kms.IKey;
  /** @default RetentionDays.ONE_YEAR */
  logRetention?: logs.RetentionDays;
  /** @default 'INFO' */
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** @default 1024 MB (CPU scales with memory; KMS and the Encryption SDK are CPU-bound at cold start) */
  memorySize?: number;
  /**
   * @default 15 s: over the SDK calls' own deadlines and under API Gateway's 29 s integration timeout, so
   * the caller gets the function's 503, not a 502 or 504 (src/timeouts.ts)
   */
  timeout?: Duration;
  /** Reserved concurrency: a guard on cost and on what the function can do to its tables and keys. */
  reservedConcurrentExecutions?: number;
  /** Where failed asynchronous invocations go (scheduled functions); none for functions called in sync. */
  deadLetterQueue?: sqs.IQueue;
}

/**
 * The function's code: its bundle (lib/function-bundles.ts), made locally by esbuild when CDK stages the
 * asset — the same files `npm start -- --bundles` serves. The asset hash is the bundle's, so an unchanged
 * bundle is not uploaded again. No Docker: the image is never used, the local bundling always succeeds.
 */
function bundledCode(fn: LambdaFunctionName): lambda.Code {
  return lambda.Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('unused-local-bundling'),
      // CDK reuses a staged asset whose source path and bundling options are the same, and the local
      // hook is a function it cannot compare: the command names the function, so each gets its own.
      command: ['bundle', fn],
      local: {
        tryBundle(outputDir) {
          bundleFunctionSync(fn, outputDir);
          return true;
        },
      },
    },
  });
}

/**
 * The one Lambda function shape of Himaya. Defaults, each on purpose:
 * - Node.js 24 on ARM64 (Graviton: cheaper per ms, same code);
 * - one ESM bundle (`bundledCode`), source maps enabled at run time (`--enable-source-maps`);
 * - its own role, with no managed policy: logs to its own log group, X-Ray, and only what `bind*`/`use*` add;
 * - an explicit log group, KMS-encrypted, with retention, kept on stack deletion;
 * - X-Ray active tracing; Powertools service name `himaya-<fn>` (as `createLogger` names it) and log level.
 */
export class HimayaFunction extends lambda.Function {
  readonly fn: HimayaFunctionName;

  constructor(scope: Construct, id: string, props: HimayaFunctionProps) {
    const logGroup = new HimayaLogGroup(scope, `${id}Logs`, {
      retention: props.logRetention,
      encryptionKey: props.logsKey,
    });
    const role = new FunctionRole(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Himaya ${props.fn} function`,
    });
    super(scope, id, {
      code: bundledCode(props.fn),
      handler: `${BUNDLE_FILE.replace(/\.mjs$/, '')}.handler`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(DEADLINES.functionTimeoutSeconds),
      ...(props.reservedConcurrentExecutions !== undefined
        ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions }
        : {}),
      ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {}),
      role,
      logGroup,
      description: `Himaya ${props.fn}`,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: `himaya-${props.fn}`,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    this.fn = props.fn;
    logGroup.grantWrite(role);
    this.traceActively(role);
    this.acknowledgeNoVpc();
  }

  /**
   * Active tracing, with its permissions in a policy of their own: X-Ray's PutTraceSegments and
   * PutTelemetryRecords take no resource, so this is the one place a `*` resource is acknowledged.
   */
  private traceActively(role: iam.IRole): void {
    (this.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: lambda.Tracing.ACTIVE };
    const tracing = new iam.ManagedPolicy(this, 'TracingPolicy', {
      description: `Himaya ${this.fn} function: X-Ray tracing`,
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          resources: ['*'],
        }),
      ],
    });
    Validations.of(tracing).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions; this policy holds nothing else.',
    });
  }

  private acknowledgeNoVpc(): void {
    const noVpc =
      'The function calls only AWS APIs (DynamoDB, KMS, S3, EventBridge, X-Ray, CloudWatch Logs) over TLS with SigV4 and reaches no private network resource; IAM and the key policies control that traffic, and a VPC would add NAT or endpoint cost without adding a control.';
    for (const pack of ['HIPAA.Security', 'NIST.800.53.R5']) {
      Validations.of(this).acknowledge({ id: `${pack}-LambdaInsideVPC`, reason: noVpc });
    }
  }

  /** Acknowledges the missing dead-letter queue of a function that is only ever invoked synchronously. */
  invokedSynchronouslyOnly(by: string): this {
    const reason = `Invoked synchronously only (${by}): the caller receives the error, and Lambda queues no asynchronous invocation that a dead-letter queue could keep.`;
    for (const pack of ['HIPAA.Security', 'NIST.800.53.R5']) {
      Validations.of(this).acknowledge({ id: `${pack}-LambdaDLQ`, reason });
    }
    return this;
  }

  /**
   * Grants the access to a table (and to its key, only through DynamoDB) that `access` describes;
   * `partitionKeys` narrows it to the items whose partition key matches one of them (IAM
   * `dynamodb:LeadingKeys`, e.g. `EVENT#*`: request functions append audit events, never tree state).
   */
  bindTable(table: HimayaTable, access: TableAccess, options: { partitionKeys?: string[] } = {}): this {
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: TABLE_ACTIONS[access],
        resources: access === 'APPEND' || access === 'SEAL' ? [table.tableArn] : table.arnsWithIndexes,
        ...(options.partitionKeys
          ? {
              conditions: {
                'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': options.partitionKeys },
              },
            }
          : {}),
      }),
    );
    this.useKeys([table.key], TABLE_KEY_ACTIONS[access], {
      StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` },
    });
    return this;
  }

  /**
   * Grants access to some items of a table only: get, put, update and check the items whose partition key
   * matches one of `partitionKeys` (IAM `dynamodb:LeadingKeys`, e.g. `REVIEW#*`), and query `index`.
   */
  bindItems(table: HimayaTable, options: { partitionKeys: string[]; index: string }): this {
    if (!table.definition.indexes.some((index) => index.indexName === options.index)) {
      throw new Error(`table ${table.definition.id} has no index ${options.index}`);
    }
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:ConditionCheckItem',
        ],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': options.partitionKeys } },
      }),
    );
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${table.tableArn}/index/${options.index}`],
      }),
    );
    this.useKeys([table.key], TABLE_KEY_ACTIONS.RW, {
      StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` },
    });
    return this;
  }

  /** Lets the function read the table's stream (the sealer). */
  bindStream(table: HimayaTable): this {
    if (!table.tableStreamArn) throw new Error(`table ${table.definition.id} has no stream`);
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'dynamodb:DescribeStream',
          'dynamodb:GetRecords',
          'dynamodb:GetShardIterator',
          'dynamodb:ListStreams',
        ],
        resources: [table.tableStreamArn],
      }),
    );
    this.useKeys([table.key], ['kms:Decrypt']);
    return this;
  }

  /**
   * Grants named KMS actions on the given keys, e.g. `['kms:GenerateDataKey', 'kms:Decrypt']` on the agency
   * keys for the Encryption SDK, `['kms:GenerateMac']` on the HMAC key, `['kms:Sign']` on the signing key.
   * `conditions` narrows further (e.g. on `kms:EncryptionContext:app`).
   */
  useKeys(keys: readonly kms.IKey[], actions: readonly string[], conditions?: Record<string, unknown>): this {
    if (keys.length === 0) return this;
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [...actions],
        resources: keys.map((key) => key.keyArn),
        ...(conditions ? { conditions } : {}),
      }),
    );
    return this;
  }
}
