import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { ensureConsoleBuilt } from '../console/build';
import { CONSOLE_DIST_DIR } from '../console/paths';
import { BUNDLE_FILE, bundleAllFunctions, type LambdaFunctionName } from '../lib/function-bundles';
import { documentClient, dynamoDbClient } from '../src/adapters/aws-clients';
import { kmsCheckpointSigner } from '../src/adapters/checkpoint-signer';
import { dynamoDbAuditStore } from '../src/adapters/dynamodb/audit-store';
import { DEFAULT_ORIGIN } from '../src/domain/audit/sealer';
import { type Directory, DirectorySchema } from '../src/domain/directory';
import type { FunctionName } from '../src/http/routes';
import { type BootstrappedResources, bootstrap } from './bootstrap';
import type { LocalProcess } from './child-process';
import { consoleSite, localConsoleConfig, type SiteHandler } from './console-server';
import { startDeadlineTimer } from './deadline-timer';
import { installationCredentials, type LocalCredentials, newLocalCredentials } from './dynamodb-credentials';
import { startDynamoDbLocal } from './dynamodb-local';
import { type Gateway, type GatewayOptions, type LambdaHandler, startGateway } from './gateway';
import { type Issuer, openIssuer } from './issuer';
import { type KmsProcess, startKmsProcess } from './kms-process';
import { OFFICERS_FILE, type OfficerAccount, openOfficerAccounts } from './officer-accounts';
import { type RefusalLog, refusalLog } from './refusal-log';
import { type SealerLoopSettings, startSealerLoop } from './sealer-loop';
import { startSealerWorker } from './sealer-worker';
import { localSignIn, type SignIn } from './sign-in';
import { startOutboxLoop, startStatsLoop } from './stream-loop';

export const DEFAULT_DATA_DIR = '.himaya';
export const LOCAL_REGION = 'me-central-1';

export interface LocalStackOptions {
  /** Where data, keys and the issuer key live (default `.himaya`). */
  dataDir?: string;
  /** Keep DynamoDB and KMS state in memory only (a throwaway run). */
  inMemory?: boolean;
  /** Gateway port; 0 picks a free one. */
  port?: number;
  host?: string;
  onInvoke?: GatewayOptions['onInvoke'];
  extraRoutes?: GatewayOptions['extraRoutes'];
  /**
   * Serve the API from the functions' bundles (lib/function-bundles.ts: the files CDK uploads), built
   * into `<dataDir>/bundles` at start, rather than from the TypeScript sources.
   */
  bundles?: boolean;
  /** Timing of the audit sealer loop; false runs no sealer. */
  sealer?: SealerLoopSettings | false;
  /**
   * Runs the sealer loop in a worker thread of its own rather than on the thread that serves requests
   * (the benchmark's `--sealer worker`): in AWS the sealer is a function of its own.
   */
  sealerThread?: boolean;
  log?: (line: string) => void;
}

export interface LocalEndpoints {
  gateway: string;
  dynamodb: string;
  kms: string;
  region: string;
  /** What DynamoDB Local's tables answer to: made once per installation (see dynamodb-credentials.ts). */
  credentials: LocalCredentials;
  tables: BootstrappedResources['tables'];
  signingKeyArn: string;
  hmacKeyArn: string;
  /** The folder where the sealer archives every signed checkpoint (write-once files). */
  checkpointArchive?: string;
  /** The file the demo compliance officers' passwords are kept in (mode 0600). */
  officersFile: string;
}

export interface LocalStack {
  endpoints: LocalEndpoints;
  issuer: Issuer;
  directory: Directory;
  /** The demo compliance officers who sign in to the console, passwords included. */
  officers: readonly OfficerAccount[];
  /** The environment the functions run with (what CDK gives them in AWS). */
  environment: Record<string, string>;
  /** Calls per KMS operation since the emulator (re)started, as the emulator counts them. */
  kmsStats(): Promise<Record<string, number>>;
  /** The module each function's handler is loaded from (a URL): its source, or its bundle. */
  functionModule(fn: LambdaFunctionName): string;
  /** DynamoDB Local and the KMS emulator, each a process of its own: to pause, kill and restart. */
  processes: { dynamodb: LocalProcess; kms: LocalProcess };
  stop(): Promise<void>;
}

export async function readDirectoryFile(file = 'config/agencies.json'): Promise<Directory> {
  return DirectorySchema.parse(JSON.parse(await readFile(file, 'utf8')));
}

function functionEnvironment(resources: BootstrappedResources, storage: Storage): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: storage.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: storage.credentials.secretAccessKey,
    DYNAMODB_ENDPOINT: storage.dynamodbLocal.endpoint,
    KMS_ENDPOINT: storage.kms.endpoint,
    CASES_TABLE: resources.tables.Cases,
    AUDIT_TABLE: resources.tables.AuditLog,
    IDEMPOTENCY_TABLE: resources.tables.Idempotency,
    KEY_STORE_TABLE: resources.tables.BranchKeys,
    STATS_TABLE: resources.tables.Stats,
    BRANCH_KEY_CACHE_TTL_SECONDS: process.env.BRANCH_KEY_CACHE_TTL_SECONDS ?? '300',
    AGENCY_DIRECTORY: JSON.stringify(resources.directory),
    SIGNING_KEY_ARN: resources.signingKeyArn,
    HMAC_KEY_ARN: resources.hmacKeyArn,
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    // Metrics (embedded metric format) would print a JSON line per request; set it to `false` to see them.
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
  };
}

async function writeJsonAtomically(file: string, value: unknown): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, file);
}

/** What every step of the start shares: the options, the data directory and the parts to stop. */
interface StartContext {
  options: LocalStackOptions;
  dataDir: string;
  log: (line: string) => void;
  /** Stop functions of the parts started so far, in start order: stopped in reverse. */
  stoppers: (() => Promise<void>)[];
}

interface Storage {
  dynamodbLocal: LocalProcess;
  kms: KmsProcess;
  credentials: LocalCredentials;
}

/** A throwaway run gets throwaway credentials; a kept one, the installation's. */
function storageCredentials(context: StartContext, dynamodbDir: string): Promise<LocalCredentials> {
  if (context.options.inMemory) return Promise.resolve(newLocalCredentials());
  return installationCredentials(context.dataDir, { dynamodbDir, region: LOCAL_REGION });
}

/**
 * DynamoDB Local and the KMS emulator, started side by side; whichever started is stopped with the rest,
 * even when the other failed.
 */
async function startStorage(context: StartContext): Promise<Storage> {
  const { options, dataDir, stoppers } = context;
  const dynamodbDir = join(dataDir, 'dynamodb');
  const credentials = await storageCredentials(context, dynamodbDir);
  context.log('starting DynamoDB Local and the KMS emulator…');
  const [dynamodbLocal, kms] = await Promise.allSettled([
    startDynamoDbLocal(options.inMemory ? { credentials } : { credentials, dataDir: dynamodbDir }),
    startKmsProcess(options.inMemory ? {} : { stateFile: join(dataDir, 'kms-keys.json') }),
  ]);
  for (const started of [dynamodbLocal, kms]) {
    if (started.status === 'fulfilled') stoppers.push(started.value.stop);
  }
  if (dynamodbLocal.status === 'rejected') throw dynamodbLocal.reason;
  if (kms.status === 'rejected') throw kms.reason;
  return { dynamodbLocal: dynamodbLocal.value, kms: kms.value, credentials };
}

/** Tables and keys as CDK would create them, through clients used for this only. */
async function bootstrapResources(context: StartContext, storage: Storage): Promise<BootstrappedResources> {
  const directoryFile = await readDirectoryFile();
  const clientConfig = { region: LOCAL_REGION, credentials: storage.credentials };
  const dynamodb = new DynamoDBClient({ endpoint: storage.dynamodbLocal.endpoint, ...clientConfig });
  const kmsClient = new KMSClient({ endpoint: storage.kms.endpoint, ...clientConfig });
  context.log('bootstrapping tables and keys…');
  const resources = await bootstrap(dynamodb, kmsClient, directoryFile);
  dynamodb.destroy();
  kmsClient.destroy();
  return resources;
}

/**
 * The audit sealer on the AuditLog stream (local/sealer-loop.ts), unless turned off; the folder its
 * checkpoints are archived in. An in-memory log gets a throwaway archive, which an older log's archive
 * would contradict.
 */
async function startSealer(
  context: StartContext,
  environment: Record<string, string>,
): Promise<string | undefined> {
  const { options, stoppers } = context;
  if (options.sealer === false) return undefined;
  const archiveDir = options.inMemory
    ? await mkdtemp(join(tmpdir(), 'himaya-checkpoints-'))
    : join(context.dataDir, 'checkpoints');
  if (options.inMemory) stoppers.push(() => rm(archiveDir, { recursive: true, force: true }));
  const loopOptions = { environment, archiveDir, ...options.sealer, log: context.log };
  const sealerLoop = options.sealerThread
    ? await startSealerWorker(loopOptions)
    : await startSealerLoop(loopOptions);
  stoppers.push(sealerLoop.stop);
  return archiveDir;
}

/** Where each function's handler module is: its source, or its built bundle. */
type FunctionModules = (fn: LambdaFunctionName) => string;

const SOURCE_MODULES: FunctionModules = (fn) => new URL(`../functions/${fn}.ts`, import.meta.url).href;

async function functionModules(context: StartContext): Promise<FunctionModules> {
  if (!context.options.bundles) return SOURCE_MODULES;
  context.log('bundling the functions…');
  const folders = await bundleAllFunctions(join(context.dataDir, 'bundles'));
  return (fn) => pathToFileURL(join(folders[fn], BUNDLE_FILE)).href;
}

/** Loads each function's handler module once, on its first request, as Lambda does at cold start. */
function handlerLoader(modules: FunctionModules): GatewayOptions['loadHandler'] {
  const handlers = new Map<FunctionName, Promise<LambdaHandler>>();
  return (fn: FunctionName) => {
    let loaded = handlers.get(fn);
    if (!loaded) {
      loaded = import(modules(fn)).then((module: { handler: LambdaHandler }) => module.handler);
      handlers.set(fn, loaded);
    }
    return loaded;
  };
}

/** The gateway's refusals go to the AuditLog table through the functions' own audit store. */
function gatewayRefusalLog(
  context: StartContext,
  resources: BootstrappedResources,
  dynamodbEndpoint: string,
) {
  const dynamodb = dynamoDbClient({ AWS_REGION: LOCAL_REGION, DYNAMODB_ENDPOINT: dynamodbEndpoint });
  context.stoppers.push(async () => dynamodb.destroy());
  const recorder = dynamoDbAuditStore(documentClient(dynamodb), resources.tables.AuditLog);
  return refusalLog({ recorder, directory: resources.directory });
}

/**
 * The compliance console at /console on the gateway's origin, built first when missing or stale. Its
 * config.json names this gateway, its issuer and the checkpoint key (read from KMS on first use).
 */
async function consoleSiteFor(
  context: StartContext,
  storage: Storage,
  resources: BootstrappedResources,
  gatewayUrl: () => string,
): Promise<SiteHandler> {
  await ensureConsoleBuilt();
  const kms = new KMSClient({
    endpoint: storage.kms.endpoint,
    region: LOCAL_REGION,
    credentials: storage.credentials,
  });
  context.stoppers.push(async () => kms.destroy());
  const signer = kmsCheckpointSigner(kms, resources.signingKeyArn);
  // The local sealer signs under the default origin.
  const logOrigin = DEFAULT_ORIGIN;
  return consoleSite({
    distDir: CONSOLE_DIST_DIR,
    origin: gatewayUrl,
    // The signer fetches the key once, and again only after a failure.
    config: async (origin) => localConsoleConfig(origin, await signer.publicKey(), logOrigin),
  });
}

async function startLocalGateway(
  context: StartContext,
  issuer: Issuer,
  refusals: RefusalLog,
  modules: FunctionModules,
  signIn: SignIn,
  site: (gatewayUrl: () => string) => Promise<SiteHandler>,
): Promise<Gateway> {
  const { options } = context;
  let url = '';
  const gateway = await startGateway({
    port: options.port ?? 3000,
    issuer,
    refusals,
    signIn,
    site: await site(() => url),
    loadHandler: handlerLoader(modules),
    ...(options.host ? { host: options.host } : {}),
    ...(options.onInvoke ? { onInvoke: options.onInvoke } : {}),
    ...(options.extraRoutes ? { extraRoutes: options.extraRoutes } : {}),
  });
  url = gateway.url;
  context.stoppers.push(gateway.close);
  return gateway;
}

/** Starts every part in order; each one's stop is in `context.stoppers` as soon as it runs. */
async function startParts(context: StartContext): Promise<LocalStack> {
  const storage = await startStorage(context);
  const { dynamodbLocal, kms } = storage;
  const resources = await bootstrapResources(context, storage);

  // Functions read their configuration from the environment at load time, as in Lambda.
  const environment = functionEnvironment(resources, storage);
  Object.assign(process.env, environment);

  const archiveDir = await startSealer(context, environment);
  const modules = await functionModules(context);
  // Domain events: the outbox processor on the Cases stream, as the event-source mapping runs it in AWS.
  context.stoppers.push(
    (await startOutboxLoop({ environment, log: context.log, entry: modules('outbox') })).stop,
  );
  // Statistics: the aggregator on the Cases stream, as its own event-source mapping runs it in AWS.
  context.stoppers.push(
    (await startStatsLoop({ environment, log: context.log, entry: modules('stats-aggregator') })).stop,
  );
  // Exchange deadlines: the sweep every minute, as the EventBridge schedule runs it in AWS
  // (local/deadline-timer.ts); it also logs the domain events published on the in-process bus.
  context.stoppers.push(startDeadlineTimer({ log: context.log, entry: modules('deadlines') }).stop);

  const issuer = await openIssuer(join(context.dataDir, 'issuer-key.json'), resources.directory);
  const refusals = gatewayRefusalLog(context, resources, dynamodbLocal.endpoint);
  // The demo officers' passwords are made once per data directory, even for an in-memory run.
  const officersFile = join(context.dataDir, OFFICERS_FILE);
  const officers = await openOfficerAccounts(officersFile);
  const signIn = localSignIn({ issuer, directory: resources.directory, officers });
  const gateway = await startLocalGateway(context, issuer, refusals, modules, signIn, (url) =>
    consoleSiteFor(context, storage, resources, url),
  );
  const endpoints: LocalEndpoints = {
    gateway: gateway.url,
    dynamodb: dynamodbLocal.endpoint,
    kms: kms.endpoint,
    region: LOCAL_REGION,
    credentials: storage.credentials,
    tables: resources.tables,
    signingKeyArn: resources.signingKeyArn,
    hmacKeyArn: resources.hmacKeyArn,
    ...(archiveDir ? { checkpointArchive: archiveDir } : {}),
    officersFile,
  };
  await writeJsonAtomically(join(context.dataDir, 'local.json'), endpoints);
  const stop = () => stopAll(context.stoppers);
  return {
    endpoints,
    issuer,
    directory: resources.directory,
    officers: officers.accounts,
    environment,
    kmsStats: kms.stats,
    functionModule: modules,
    processes: { dynamodb: dynamodbLocal, kms },
    stop,
  };
}

async function stopAll(stoppers: (() => Promise<void>)[]): Promise<void> {
  for (const stopper of stoppers.reverse()) await stopper().catch(() => undefined);
  stoppers.length = 0;
}

/**
 * Starts the whole system on this machine: DynamoDB Local, the KMS emulator, the bootstrap, the token
 * issuer and the gateway in front of the function handlers. `stop()` stops every part it started.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const context: StartContext = { options, dataDir, log, stoppers: [] };
  try {
    return await startParts(context);
  } catch (error) {
    await stopAll(context.stoppers);
    throw error;
  }
}
