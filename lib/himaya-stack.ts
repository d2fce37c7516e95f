import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { type Directory, DirectorySchema } from '../src/domain/directory';
import { defaultDomainPrefix, HimayaApi } from './constructs/api';
import { ApiFunction, PROJECT_ROOT } from './constructs/api-function';
import { HimayaData } from './constructs/data';
import { HimayaEvents } from './constructs/events';
import { HimayaKeys } from './constructs/keys';
import { FUNCTION_NAMES, type FunctionName } from './routes';

/** What a function may be granted: the stack's data, keys and event bus. */
export interface StackResources {
  data: HimayaData;
  keys: HimayaKeys;
  events: HimayaEvents;
}

/** The Encryption SDK's KMS calls for case sections; the context pins them to this application. */
const SECTION_KEY_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'];
const SECTION_CONTEXT = { StringEquals: { 'kms:EncryptionContext:app': 'himaya' } };

/**
 * Everything each function may do beyond writing its logs and traces: its role starts empty. A function
 * added to `FUNCTION_NAMES` must get an entry here (the type requires it), stating its grants in one place.
 */
export const FUNCTION_GRANTS: Record<FunctionName, (fn: ApiFunction, resources: StackResources) => void> = {
  // Liveness and the OpenAPI document: no data, no key.
  public: () => undefined,
  // The agency directory comes from its environment (`AGENCY_DIRECTORY`); it records each read.
  directory: (fn, { data }) => {
    fn.bindTable(data.tables.AuditLog, 'APPEND');
  },
  // Cases and their audit events (one transaction), idempotent writes, sections under the agency keys,
  // blind indexes for matching. It may add audit events, never change one.
  cases: (fn, { data, keys }) => {
    fn.bindTable(data.tables.Cases, 'RW')
      .bindTable(data.tables.AuditLog, 'APPEND')
      .bindTable(data.tables.Idempotency, 'RW')
      .useKeys([...keys.agencyKeys.values()], SECTION_KEY_ACTIONS, SECTION_CONTEXT)
      .useKeys([keys.hmacKey], ['kms:GenerateMac']);
  },
  // Shares, requests, decisions, emergency access: grants, listings, requests, reviews and the event outbox
  // in Cases, each with its audit event; idempotent writes; domain events to the bus. No agency key: the
  // exchange decides who may see a case and never reads its content.
  exchange: (fn, { data, events }) => {
    fn.bindTable(data.tables.Cases, 'RW')
      .bindTable(data.tables.AuditLog, 'APPEND')
      .bindTable(data.tables.Idempotency, 'RW');
    events.grantPublish(fn);
  },
  // Compliance's review list: the REVIEW# items of Cases and their index only, and their audit events.
  reviews: (fn, { data }) => {
    fn.bindItems(data.tables.Cases, { partitionKeys: ['REVIEW#*'], index: 'byReview' }).bindTable(
      data.tables.AuditLog,
      'APPEND',
    );
  },
  // The scheduled deadline sweep: marks overdue items in Cases, with their audit events, reviews and
  // domain events; no agency key.
  deadlines: (fn, { data, events }) => {
    fn.bindTable(data.tables.Cases, 'RW').bindTable(data.tables.AuditLog, 'APPEND');
    events.grantPublish(fn);
  },
  // Compliance reads the access log (and records its own reads there); it can decrypt no case.
  audit: (fn, { data }) => {
    fn.bindTable(data.tables.AuditLog, 'RO').bindTable(data.tables.AuditLog, 'APPEND');
  },
};

export interface HimayaStackProps extends StackProps {
  /** @default config/agencies.json */
  directory?: Directory;
  /** @default context `himaya:cognitoDomainPrefix`, else `himaya-<account id>` */
  cognitoDomainPrefix?: string;
  /** @default context `himaya:stageName`, else `prod` */
  stageName?: string;
}

export function readDirectory(file = join(PROJECT_ROOT, 'config', 'agencies.json')): Directory {
  return DirectorySchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/**
 * Himaya in AWS: the REST API and its Cognito authorizer, one Lambda function per area of the route table,
 * the DynamoDB tables, and the KMS keys (one per agency, the checkpoint signing key, the matching HMAC key).
 */
export class HimayaStack extends Stack {
  readonly keys: HimayaKeys;
  readonly data: HimayaData;
  readonly events: HimayaEvents;
  readonly functions: ReadonlyMap<FunctionName, ApiFunction>;
  readonly api: HimayaApi;

  constructor(scope: Construct, id: string, props: HimayaStackProps = {}) {
    super(scope, id, {
      description: 'Himaya: secure information exchange between agencies that protect children and families',
      ...props,
    });
    const directory = props.directory ?? readDirectory();
    const context = (key: string): string | undefined => this.node.tryGetContext(key);

    this.keys = new HimayaKeys(this, 'Keys', { directory });
    this.data = new HimayaData(this, 'Data');

    // AGENCY_DIRECTORY is added once the API exists: it carries the Cognito app client ids.
    const environment: Record<string, string> = {
      CASES_TABLE: this.data.tables.Cases.tableName,
      AUDIT_TABLE: this.data.tables.AuditLog.tableName,
      IDEMPOTENCY_TABLE: this.data.tables.Idempotency.tableName,
      SIGNING_KEY_ARN: this.keys.signingKey.keyArn,
      HMAC_KEY_ARN: this.keys.hmacKey.keyArn,
    };
    this.events = new HimayaEvents(this, 'Events');
    const resources: StackResources = { data: this.data, keys: this.keys, events: this.events };
    this.functions = new Map(
      FUNCTION_NAMES.map((fn) => {
        const id = `${fn.charAt(0).toUpperCase()}${fn.slice(1)}Function`;
        const apiFunction = new ApiFunction(this, id, { fn, environment, logsKey: this.keys.logsKey });
        FUNCTION_GRANTS[fn](apiFunction, resources);
        return [fn, apiFunction];
      }),
    );

    // The deadline sweep has no route: a schedule runs it every minute.
    this.events.runEveryMinute(this.functions.get('deadlines') as ApiFunction);

    this.api = new HimayaApi(this, 'Api', {
      functions: this.functions,
      directory,
      logsKey: this.keys.logsKey,
      domainPrefix:
        props.cognitoDomainPrefix ?? context('himaya:cognitoDomainPrefix') ?? defaultDomainPrefix(this),
      stageName: props.stageName ?? context('himaya:stageName') ?? 'prod',
    });

    const deployedDirectory = this.api.withCognitoClientIds(this.keys.withKeyArns(directory));
    const directoryJson = Stack.of(this).toJsonString(deployedDirectory);
    for (const apiFunction of this.functions.values()) {
      apiFunction.addEnvironment('AGENCY_DIRECTORY', directoryJson);
    }

    new CfnOutput(this, 'ApiUrl', { value: this.api.restApi.url, description: 'Base URL of the API' });
    new CfnOutput(this, 'TokenUrl', {
      value: this.api.tokenUrl,
      description: 'OAuth2 token endpoint (client credentials)',
    });
    new CfnOutput(this, 'UserPoolId', { value: this.api.userPool.userPoolId });
  }
}
