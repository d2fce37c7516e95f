import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { KEY_STORE_NAME } from '../src/adapters/table-definitions';
import { NotesPolicyEnvSchema } from '../src/domain/cases/limits';
import { type Directory, DirectorySchema, RESOURCE_SERVER } from '../src/domain/directory';
import { ExchangePolicyEnvSchema } from '../src/domain/exchange/policy';
import { FUNCTION_NAMES, type FunctionName } from '../src/http/routes';
import { builtConsoleDir } from './console-assets';
import { HimayaApi } from './constructs/api';
import { AuditSealer } from './constructs/audit-sealer';
import { ConsoleSite } from './constructs/console-site';
import { HimayaData } from './constructs/data';
import { HimayaEvents } from './constructs/events';
import { FailureQueue } from './constructs/failure-queue';
import { GatewayRefusalLog } from './constructs/gateway-refusal-log';
import { HimayaFunction } from './constructs/himaya-function';
import { defaultDomainPrefix } from './constructs/identity';
import { KeyOperators } from './constructs/key-operators';
import { HimayaKeys } from './constructs/keys';
import type { MtlsDomain } from './constructs/mtls-domain';
import { HimayaObservability } from './constructs/observability';
import { OfficerSignIn } from './constructs/officer-sign-in';
import { OutboxProcessor } from './constructs/outbox-processor';
import { StatsAggregator } from './constructs/stats-aggregator';
import { PROJECT_ROOT } from './function-bundles';

/** What a function may be granted: the stack's data, keys and event bus. */
export interface StackResources {
  data: HimayaData;
  keys: HimayaKeys;
  events: HimayaEvents;
}

/**
 * The Encryption SDK's KMS calls for case sections: unwrapping the agency's branch key from the key store
 * (once per cache TTL), and decrypting a section the first version wrote under the agency key itself. Each
 * context pins the call to this application; no function creates or rotates a branch key.
 */
const BRANCH_KEY_CONTEXT = { StringEquals: { 'kms:EncryptionContext:tablename': KEY_STORE_NAME } };
const LEGACY_SECTION_CONTEXT = { StringEquals: { 'kms:EncryptionContext:app': 'himaya' } };

/** Request functions append audit events (`pk = EVENT#<id>`) only: tree state is the sealer's alone. */
const AUDIT_EVENTS = { partitionKeys: ['EVENT#*'] };

/**
 * Everything each function may do beyond writing its logs and traces: its role starts empty. A function
 * added to `FUNCTION_NAMES` must get an entry here (the type requires it), stating its grants in one place.
 */
export const FUNCTION_GRANTS: Record<FunctionName, (fn: HimayaFunction, resources: StackResources) => void> =
  {
    // Liveness and the OpenAPI document: no data, no key.
    public: () => undefined,
    // The agency directory comes from its environment (`AGENCY_DIRECTORY`); it records each read.
    directory: (fn, { data }) => {
      fn.bindTable(data.tables.AuditLog, 'APPEND', AUDIT_EVENTS);
    },
    // Cases and their audit events (one transaction), idempotent writes, sections under the agency branch keys,
    // blind indexes for matching and the request-id key (both with the HMAC key). It may add audit events,
    // never change one.
    cases: (fn, { data, keys }) => {
      fn.bindTable(data.tables.Cases, 'RW')
        .bindTable(data.tables.AuditLog, 'APPEND', AUDIT_EVENTS)
        .bindTable(data.tables.Idempotency, 'RW')
        .bindTable(data.tables.BranchKeys, 'RO')
        .useKeys([...keys.agencyKeys.values()], ['kms:Decrypt'], BRANCH_KEY_CONTEXT)
        .useKeys([...keys.agencyKeys.values()], ['kms:Decrypt'], LEGACY_SECTION_CONTEXT)
        .useKeys([keys.hmacKey], ['kms:GenerateMac']);
    },
    // Shares, requests, decisions, emergency access: grants, listings, requests, reviews and the event outbox
    // in Cases, each with its audit event; idempotent writes (ids derived with the HMAC key, once per
    // container). It publishes nothing (the outbox processor does). No agency key: the exchange decides
    // who may see a case and never reads its content.
    exchange: (fn, { data, keys }) => {
      fn.bindTable(data.tables.Cases, 'RW')
        .bindTable(data.tables.AuditLog, 'APPEND', AUDIT_EVENTS)
        .bindTable(data.tables.Idempotency, 'RW')
        .useKeys([keys.hmacKey], ['kms:GenerateMac']);
    },
    // Compliance's review list: the REVIEW# items of Cases and their index only, their audit events, and
    // idempotent closing.
    reviews: (fn, { data, keys }) => {
      fn.bindItems(data.tables.Cases, { partitionKeys: ['REVIEW#*'], index: 'byReview' })
        .bindTable(data.tables.AuditLog, 'APPEND', AUDIT_EVENTS)
        .bindTable(data.tables.Idempotency, 'RW')
        .useKeys([keys.hmacKey], ['kms:GenerateMac']);
    },
    // The scheduled deadline sweep: marks overdue items in Cases, with their audit events, reviews and
    // domain events (outbox); publishes what the outbox processor left behind; no agency key.
    deadlines: (fn, { data, events }) => {
      fn.bindTable(data.tables.Cases, 'RW').bindTable(data.tables.AuditLog, 'APPEND', AUDIT_EVENTS);
      events.grantPublish(fn);
    },
    // Statistics: reads the counters of the Stats table (never the markers of what was applied) and records
    // each read in the access log; it reaches no case and has no key.
    stats: (fn, { data }) => {
      fn.bindTable(data.tables.Stats, 'RO', { partitionKeys: ['COUNTER#*'] }).bindTable(
        data.tables.AuditLog,
        'APPEND',
        AUDIT_EVENTS,
      );
    },
    // Compliance reads the access log (and records its own reads there); it can decrypt no case.
    audit: (fn, { data }) => {
      fn.bindTable(data.tables.AuditLog, 'RO').bindTable(data.tables.AuditLog, 'APPEND', AUDIT_EVENTS);
    },
  };

export interface HimayaStackProps extends StackProps {
  /** @default config/agencies.json */
  directory?: Directory;
  /** @default context `himaya:cognitoDomainPrefix`, else `himaya-<account id>` */
  cognitoDomainPrefix?: string;
  /** @default context `himaya:stageName`, else `prod` */
  stageName?: string;
  /**
   * Prefix of the officers' hosted UI domain. @default context `himaya:consoleDomainPrefix`, else the
   * Cognito domain prefix followed by `-officers`
   */
  consoleDomainPrefix?: string;
  /**
   * The built console's folder. @default `console/dist` (lib/console-assets.ts), built at synth if missing
   */
  consoleFiles?: string;
  /**
   * The checkpoint signing key's pinned fingerprint, given to the console: SHA-256 (lowercase hex) of its
   * DER SubjectPublicKeyInfo, which the operator computes from `aws kms get-public-key` (an out-of-band
   * trust step: a key fetched from the API the console checks would prove nothing).
   * @default context `checkpointKeyFingerprint`, else none: the console reports verification as not configured
   */
  checkpointKeyFingerprint?: string;
  /** A CloudFront-scope web ACL (us-east-1) for the console. @default context `himaya:consoleWebAclArn`, else none */
  consoleWebAclArn?: string;
  /** Origin line of signed checkpoints. @default context `himaya:checkpointOrigin`, else `himaya.example/audit` */
  checkpointOrigin?: string;
  /**
   * Reserved concurrency of each API function (a cost and blast-radius guard; the account must keep 100
   * unreserved). @default context `himaya:functionConcurrency`, else 50
   */
  functionConcurrency?: number;
  /**
   * Custom domain with mutual TLS (the default endpoint is then disabled). @default context
   * `himaya:domainName`, `himaya:certificateArn`, `himaya:truststoreUri` (all three), else none
   */
  mtlsDomain?: MtlsDomain;
  /** Mailed the alarms (SNS email subscription). @default context `himaya:alarmEmail`, else none */
  alarmEmail?: string;
  /** Object Lock retention of archived checkpoints. @default context `himaya:checkpointRetentionDays`, else 2557 */
  checkpointRetentionDays?: number;
  /**
   * How long a function keeps an unwrapped branch key: a KMS outage or a disabled agency key takes effect
   * within it. @default context `himaya:branchKeyCacheTtlSeconds`, else 300
   */
  branchKeyCacheTtlSeconds?: number;
}

/**
 * The functions' limits a deployment may set, each a context value that becomes one environment variable
 * of the one function that reads it. Unset, the variable is left out and the function keeps its default.
 * Each is checked at synth time with the schema the function itself parses its environment with.
 */
export const LIMIT_SETTINGS = [
  { context: 'himaya:emergencyAccessDailyCap', variable: 'EMERGENCY_ACCESS_DAILY_CAP', fn: 'exchange' },
  { context: 'himaya:emergencyAccessSections', variable: 'EMERGENCY_ACCESS_SECTIONS', fn: 'exchange' },
  {
    context: 'himaya:emergencyAfterRevocationDays',
    variable: 'EMERGENCY_AFTER_REVOCATION_DAYS',
    fn: 'exchange',
  },
  { context: 'himaya:openRequestsPerCase', variable: 'OPEN_REQUESTS_PER_CASE', fn: 'exchange' },
  { context: 'himaya:notesPerAgency', variable: 'NOTES_PER_AGENCY', fn: 'cases' },
  { context: 'himaya:caseReadNotes', variable: 'CASE_READ_NOTES', fn: 'cases' },
] as const satisfies readonly { context: string; variable: string; fn: FunctionName }[];

/** The schema each function with limits parses its environment with (functions/cases.ts, functions/exchange.ts). */
const LIMIT_SCHEMAS = { exchange: ExchangePolicyEnvSchema, cases: NotesPolicyEnvSchema } as const;

export function readDirectory(file = join(PROJECT_ROOT, 'config', 'agencies.json')): Directory {
  return DirectorySchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/**
 * The directory as functions read it from `AGENCY_DIRECTORY` in AWS: each agency with its key's ARN, and
 * each client's `id` replaced by its Cognito app client id (a client without one, such as the console's
 * when there is no console, keeps an id no token carries), the value of the `client_id` claim in its access
 * tokens, so that `findClient` maps a token to its agency.
 */
export function deployedDirectory(
  directory: Directory,
  keys: HimayaKeys,
  appClients: ReadonlyMap<string, cognito.IUserPoolClient>,
): Directory {
  return {
    ...directory,
    agencies: directory.agencies.map((agency) => {
      const key = keys.agencyKeys.get(agency.id);
      return key ? { ...agency, keyArn: key.keyArn } : agency;
    }),
    clients: directory.clients.map((client) => {
      const appClient = appClients.get(client.id);
      return appClient ? { ...client, id: appClient.userPoolClientId } : client;
    }),
  };
}

/**
 * Himaya in AWS: the REST API and its Cognito authorizer, one Lambda function per area of the route table,
 * the DynamoDB tables (and their backup plan), the KMS keys (one per agency, the checkpoint signing key, the
 * matching HMAC key), the audit sealer with its write-once checkpoint archive, and the alarms and dashboard.
 */
export class HimayaStack extends Stack {
  readonly keys: HimayaKeys;
  readonly data: HimayaData;
  readonly events: HimayaEvents;
  readonly functions: ReadonlyMap<FunctionName, HimayaFunction>;
  readonly api: HimayaApi;
  readonly sealer: AuditSealer;
  /** The requests API Gateway refuses itself, from its access log into the audit log. */
  readonly refusalLog: GatewayRefusalLog;
  /** Publishes the domain events of the outbox, fed by the Cases stream. */
  readonly outbox: OutboxProcessor;
  /** Keeps the statistics' counters, fed by the Cases stream. */
  readonly statsAggregator: StatsAggregator;
  /** Failed invocations of the scheduled deadline sweep. */
  readonly deadLetters: sqs.Queue;
  readonly observability: HimayaObservability;
  /** Sign-in for compliance officers (absent with mutual TLS, as is the console). */
  readonly officers?: OfficerSignIn;
  /** The compliance console: its files, distribution and `/v1/*` to the API (absent with mutual TLS). */
  readonly console?: ConsoleSite;
  /** The managed policies behind `npm run keys`, held by no one until an operator's role gets them. */
  readonly keyOperators: KeyOperators;

  constructor(scope: Construct, id: string, props: HimayaStackProps = {}) {
    super(scope, id, {
      description: 'Himaya: secure information exchange between agencies that protect children and families',
      ...props,
    });
    const directory = props.directory ?? readDirectory();

    this.keys = new HimayaKeys(this, 'Keys', { directory });
    this.data = new HimayaData(this, 'Data');
    this.keyOperators = new KeyOperators(this, 'KeyOperators', { data: this.data, keys: this.keys });
    this.events = new HimayaEvents(this, 'Events');
    // The deadline sweep runs on a schedule (asynchronous invocations): one at a time, failures kept.
    this.deadLetters = new FailureQueue(this, 'DeadlinesDeadLetters', {
      reason:
        'This queue is itself the dead-letter queue of the scheduled deadline sweep; an alarm watches its depth.',
    });
    this.functions = this.createFunctions(props);
    this.sealer = this.createSealer(props);
    this.outbox = new OutboxProcessor(this, 'Outbox', {
      casesTable: this.data.tables.Cases,
      events: this.events,
      logsKey: this.keys.logsKey,
    });
    this.statsAggregator = new StatsAggregator(this, 'StatsAggregator', {
      casesTable: this.data.tables.Cases,
      statsTable: this.data.tables.Stats,
      logsKey: this.keys.logsKey,
    });
    // The deadline sweep has no route: a schedule runs it every minute.
    this.events.runEveryMinute(this.functions.get('deadlines') as HimayaFunction);

    const { api, officers } = this.createApi(props, directory);
    this.api = api;
    this.officers = officers;
    const appClients = new Map<string, cognito.IUserPoolClient>(api.userPool.clients);
    if (officers) {
      const { site, client } = this.createConsole(officers, props);
      this.console = site;
      appClients.set(officers.consoleClientSpec.id, client);
    }
    // Added once the API exists: it carries the Cognito app client ids.
    const directoryJson = this.toJsonString(deployedDirectory(directory, this.keys, appClients));
    for (const fn of this.functions.values()) fn.addEnvironment('AGENCY_DIRECTORY', directoryJson);
    this.refusalLog = new GatewayRefusalLog(this, 'GatewayRefusals', {
      accessLogs: this.api.accessLogs,
      auditTable: this.data.tables.AuditLog,
      directoryJson,
      logsKey: this.keys.logsKey,
    });

    this.observability = this.createObservability(props);
    this.addOutputs();
  }

  /**
   * The REST API and, unless it asks for mutual TLS, the officers' sign-in, whose user pool its authorizer
   * also accepts. The console reaches the API through CloudFront, which cannot present the client
   * certificate mutual TLS asks for: a deployment with mutual TLS has no console and no officers.
   */
  private createApi(props: HimayaStackProps, directory: Directory) {
    const mtls = this.mtlsDomainOf(props);
    const domainPrefix =
      props.cognitoDomainPrefix ??
      this.contextValue('himaya:cognitoDomainPrefix') ??
      defaultDomainPrefix(this);
    const officers = mtls.mtlsDomain
      ? undefined
      : new OfficerSignIn(this, 'Officers', {
          directory,
          domainPrefix:
            props.consoleDomainPrefix ??
            this.contextValue('himaya:consoleDomainPrefix') ??
            `${domainPrefix}-officers`,
        });
    const api = new HimayaApi(this, 'Api', {
      ...mtls,
      functions: this.functions,
      directory,
      logsKey: this.keys.logsKey,
      domainPrefix,
      stageName: this.stageNameOf(props),
      otherUserPools: officers ? [officers.userPool] : [],
    });
    return { api, officers };
  }

  private stageNameOf(props: HimayaStackProps): string {
    return props.stageName ?? this.contextValue('himaya:stageName') ?? 'prod';
  }

  /**
   * The console: its site (bucket, distribution, `/v1/*` to the API), the officers' app client back to
   * it, and its files with the `config.json` that tells it where everything is.
   */
  private createConsole(officers: OfficerSignIn, props: HimayaStackProps) {
    const webAclArn = props.consoleWebAclArn ?? this.contextValue('himaya:consoleWebAclArn');
    const site = new ConsoleSite(this, 'Console', {
      restApi: this.api.restApi,
      stageName: this.stageNameOf(props),
      authOrigin: officers.authBase,
      serverAccessLogs: this.sealer.accessLogs,
      ...(webAclArn ? { webAclArn } : {}),
    });
    const client = officers.addConsoleClient(site.url);
    site.deploy(builtConsoleDir(props.consoleFiles), {
      apiBase: site.origin,
      authBase: officers.authBase,
      clientId: client.userPoolClientId,
      redirectUri: site.url,
      scope: `openid ${RESOURCE_SERVER}/audit.read`,
      checkpointKeyFingerprint: this.checkpointKeyFingerprint(props),
      logOrigin: this.checkpointOrigin(props),
    });
    return { site, client };
  }

  /** The pinned fingerprint, checked for its shape: a typo would make every verification fail. */
  private checkpointKeyFingerprint(props: HimayaStackProps): string | null {
    const fingerprint = props.checkpointKeyFingerprint ?? this.contextValue('checkpointKeyFingerprint');
    if (fingerprint === undefined) return null;
    if (!/^[0-9a-f]{64}$/.test(fingerprint)) {
      throw new Error('checkpointKeyFingerprint must be the SHA-256 of the key (64 lowercase hex digits)');
    }
    return fingerprint;
  }

  private checkpointOrigin(props: HimayaStackProps): string {
    return props.checkpointOrigin ?? this.contextValue('himaya:checkpointOrigin') ?? 'himaya.example/audit';
  }

  private contextValue(key: string): string | undefined {
    return this.node.tryGetContext(key);
  }

  /**
   * The limits set in the context, as environment variables by function: only the variables given, so a
   * deployment without them synthesises as before. An invalid value fails the synth, as it would fail the
   * function at cold start.
   */
  private limitsByFunction(): Partial<Record<FunctionName, Record<string, string>>> {
    const byFunction: Partial<Record<keyof typeof LIMIT_SCHEMAS, Record<string, string>>> = {};
    for (const setting of LIMIT_SETTINGS) {
      const value: unknown = this.node.tryGetContext(setting.context);
      if (value === undefined) continue;
      byFunction[setting.fn] = { ...byFunction[setting.fn], [setting.variable]: String(value) };
    }
    const invalid: string[] = [];
    for (const fn of Object.keys(LIMIT_SCHEMAS) as (keyof typeof LIMIT_SCHEMAS)[]) {
      const variables = byFunction[fn];
      const parsed = variables === undefined ? undefined : LIMIT_SCHEMAS[fn].safeParse(variables);
      for (const issue of parsed?.error?.issues ?? []) {
        const setting = LIMIT_SETTINGS.find((s) => s.variable === issue.path[0]);
        invalid.push(`${setting?.context} (${setting?.variable}): ${issue.message}`);
      }
    }
    if (invalid.length > 0) throw new Error(`invalid limit in the context: ${invalid.join('; ')}`);
    return byFunction;
  }

  /** One function per name of `FUNCTION_NAMES`, each with the grants of `FUNCTION_GRANTS` and nothing more. */
  private createFunctions(props: HimayaStackProps): ReadonlyMap<FunctionName, HimayaFunction> {
    const environment: Record<string, string> = {
      CASES_TABLE: this.data.tables.Cases.tableName,
      AUDIT_TABLE: this.data.tables.AuditLog.tableName,
      IDEMPOTENCY_TABLE: this.data.tables.Idempotency.tableName,
      KEY_STORE_TABLE: this.data.tables.BranchKeys.tableName,
      STATS_TABLE: this.data.tables.Stats.tableName,
      BRANCH_KEY_CACHE_TTL_SECONDS: String(
        props.branchKeyCacheTtlSeconds ?? this.contextValue('himaya:branchKeyCacheTtlSeconds') ?? 300,
      ),
      SIGNING_KEY_ARN: this.keys.signingKey.keyArn,
      HMAC_KEY_ARN: this.keys.hmacKey.keyArn,
    };
    const resources: StackResources = { data: this.data, keys: this.keys, events: this.events };
    const limits = this.limitsByFunction();
    const concurrency = Number(
      props.functionConcurrency ?? this.contextValue('himaya:functionConcurrency') ?? 50,
    );
    return new Map(
      FUNCTION_NAMES.map((fn) => {
        const id = `${fn.charAt(0).toUpperCase()}${fn.slice(1)}Function`;
        const created = new HimayaFunction(this, id, {
          fn,
          environment: { ...environment, ...limits[fn] },
          logsKey: this.keys.logsKey,
          ...(fn === 'deadlines'
            ? { reservedConcurrentExecutions: 1, deadLetterQueue: this.deadLetters }
            : { reservedConcurrentExecutions: concurrency }),
        });
        if (fn !== 'deadlines') created.invokedSynchronouslyOnly('API Gateway Lambda proxy integration');
        FUNCTION_GRANTS[fn](created, resources);
        return [fn, created];
      }),
    );
  }

  private createSealer(props: HimayaStackProps): AuditSealer {
    const retention = props.checkpointRetentionDays ?? this.contextValue('himaya:checkpointRetentionDays');
    return new AuditSealer(this, 'Sealer', {
      auditTable: this.data.tables.AuditLog,
      signingKey: this.keys.signingKey,
      logsKey: this.keys.logsKey,
      ...(retention !== undefined ? { retentionDays: Number(retention) } : {}),
      origin: this.checkpointOrigin(props),
    });
  }

  /** The custom domain with mutual TLS from the props, else from the context, which has all of it or none. */
  private mtlsDomainOf(props: HimayaStackProps): { mtlsDomain?: MtlsDomain } {
    const domainName = this.contextValue('himaya:domainName');
    const certificateArn = this.contextValue('himaya:certificateArn');
    const truststoreUri = this.contextValue('himaya:truststoreUri');
    const truststoreVersion = this.contextValue('himaya:truststoreVersion');
    const fromContext: MtlsDomain | undefined =
      domainName && certificateArn && truststoreUri
        ? { domainName, certificateArn, truststoreUri, ...(truststoreVersion ? { truststoreVersion } : {}) }
        : undefined;
    if (!fromContext && (domainName || certificateArn || truststoreUri)) {
      throw new Error('mutual TLS needs himaya:domainName, himaya:certificateArn and himaya:truststoreUri');
    }
    const mtlsDomain = props.mtlsDomain ?? fromContext;
    return mtlsDomain ? { mtlsDomain } : {};
  }

  private createObservability(props: HimayaStackProps): HimayaObservability {
    const alarmEmail = props.alarmEmail ?? this.contextValue('himaya:alarmEmail');
    return new HimayaObservability(this, 'Observability', {
      restApi: this.api.restApi,
      functions: this.functions,
      sealer: this.sealer.function,
      outbox: this.outbox.function,
      statsAggregator: this.statsAggregator.function,
      deadLetterQueues: new Map<string, sqs.IQueue>([
        ['DeadlinesDeadLetters', this.deadLetters],
        ['SealerHeartbeatDeadLetters', this.sealer.deadLetters],
        ['SealerStreamFailures', this.sealer.failures],
        ['GatewayRefusalsDeadLetters', this.refusalLog.failures],
        ['OutboxStreamFailures', this.outbox.failures],
        ['StatsStreamFailures', this.statsAggregator.failures],
      ]),
      ...(alarmEmail ? { alarmEmail } : {}),
    });
  }

  private addOutputs(): void {
    const { domainName } = this.api;
    new CfnOutput(this, 'ApiUrl', {
      value: domainName ? `https://${domainName.domainName}/` : this.api.restApi.url,
      description: 'Base URL of the API',
    });
    if (domainName) {
      new CfnOutput(this, 'MtlsDomainTarget', {
        value: domainName.domainNameAliasDomainName,
        description: 'Point a CNAME (or an alias record) of the custom domain at this name',
      });
    }
    new CfnOutput(this, 'TokenUrl', {
      value: this.api.userPool.tokenUrl,
      description: 'OAuth2 token endpoint (client credentials)',
    });
    new CfnOutput(this, 'UserPoolId', { value: this.api.userPool.userPoolId });
    if (this.officers && this.console) {
      new CfnOutput(this, 'ConsoleUrl', {
        value: this.console.url,
        description: 'The compliance console (officers sign in through the hosted UI)',
      });
      new CfnOutput(this, 'OfficersUserPoolId', {
        value: this.officers.userPool.userPoolId,
        description:
          'Compliance officers: create each one here and add them to the compliance-officers group',
      });
      new CfnOutput(this, 'OfficersSignInUrl', {
        value: this.officers.authBase,
        description: 'Hosted UI of the officers (authorization code + PKCE, MFA)',
      });
    }
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.observability.topic.topicArn,
      description: 'SNS topic of the alarms: subscribe the on-call address or tool',
    });
    new CfnOutput(this, 'CheckpointBucket', {
      value: this.sealer.archive.bucketName,
      description: 'Write-once archive of signed audit checkpoints (Object Lock, compliance mode)',
    });
    new CfnOutput(this, 'KeyStoreTable', {
      value: this.data.tables.BranchKeys.tableName,
      description: 'Branch key store: KEY_STORE_TABLE for `npm run keys`',
    });
    new CfnOutput(this, 'CasesTable', {
      value: this.data.tables.Cases.tableName,
      description: 'CASES_TABLE for `npm run keys -- reencrypt`',
    });
    new CfnOutput(this, 'BranchKeyAdminPolicyArn', {
      value: this.keyOperators.branchKeyAdmin.managedPolicyArn,
      description: 'Attach to the operator role for `npm run keys -- create|rotate`',
    });
    new CfnOutput(this, 'SectionReencryptionPolicyArn', {
      value: this.keyOperators.sectionReencryption.managedPolicyArn,
      description:
        'Attach to the operator role while `npm run keys -- reencrypt` runs (it decrypts sections)',
    });
    new CfnOutput(this, 'SigningKeyArn', {
      value: this.keys.signingKey.keyArn,
      description:
        'Ed25519 checkpoint key: `aws kms get-public-key` gives compliance officers its public key',
    });
  }
}
