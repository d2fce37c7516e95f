import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { KEY_ALIASES } from '../../local/bootstrap';
import { DEFAULT_DATA_DIR, type LocalEndpoints, readDirectoryFile } from '../../local/stack';
import { documentClient, dynamoDbClient, kmsClient } from '../../src/adapters/aws-clients';
import { kmsBlindIndexer } from '../../src/adapters/blind-indexer';
import {
  createBranchKey,
  hasBranchKey,
  type KeyStoreClients,
  rotateBranchKey,
} from '../../src/adapters/branch-keys';
import { reindexCases } from '../../src/adapters/dynamodb/reindex';
import { reencryptFirstVersionMessages } from '../../src/adapters/dynamodb/section-reencryption';
import { encryptionSdkCipher } from '../../src/adapters/section-cipher';
import type { SectionCipher } from '../../src/domain/cases/ports';
import type { Agency, Directory } from '../../src/domain/directory';
import { MatchingPolicyEnvSchema, matchingPolicyFromEnvironment } from '../../src/domain/matching/policy';

export const USAGE = `usage: npm run keys -- create <agency> | rotate <agency> | reencrypt | reindex [--data-dir <dir>]

  create <agency>   make the agency's branch key (refused if it has one)
  rotate <agency>   make a new active version of it; older versions stay, for what they encrypted
  reencrypt         move every section and note the first version encrypted under an agency's KMS key
                    directly to the agency's branch key (safe to run while the API serves, and again)
  reindex           rebuild every case's blind-index entries for matching (\`npm run reindex\`), under
                    the normaliser version of this code and MATCH_EXPECTED_RECORDS (default 50000): after
                    a normaliser change, or for cases written before matching (safe while the API serves)

In AWS: AWS_REGION, KEY_STORE_TABLE and (for reencrypt) CASES_TABLE from the stack; the agency keys are
and the HMAC key found by their aliases (alias/himaya-agency-<agency>, alias/himaya-match-hmac). Without KEY_STORE_TABLE: the local stack that
\`npm start\` runs, from <data dir>/local.json (default .himaya).`;

export interface KeysCliIo {
  out(line: string): void;
  err(line: string): void;
}

interface Target {
  region: string;
  keyStoreTable: string;
  casesTable?: string | undefined;
  /** The settings the command reads besides the target (MATCH_EXPECTED_RECORDS). */
  env: NodeJS.ProcessEnv;
  dynamodbEndpoint?: string;
  kmsEndpoint?: string;
}

/** The stack to work on: the one named by the environment, else the local one. */
function targetOf(env: NodeJS.ProcessEnv, localFile: string): Target {
  if (env.KEY_STORE_TABLE) {
    return {
      region: env.AWS_REGION ?? 'me-central-1',
      keyStoreTable: env.KEY_STORE_TABLE,
      casesTable: env.CASES_TABLE,
      env,
      ...(env.DYNAMODB_ENDPOINT ? { dynamodbEndpoint: env.DYNAMODB_ENDPOINT } : {}),
      ...(env.KMS_ENDPOINT ? { kmsEndpoint: env.KMS_ENDPOINT } : {}),
    };
  }
  if (!existsSync(localFile))
    throw new Error(`set KEY_STORE_TABLE, or run \`npm start\` first (${localFile})`);
  const local = JSON.parse(readFileSync(localFile, 'utf8')) as LocalEndpoints;
  Object.assign(env, {
    AWS_ACCESS_KEY_ID: local.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: local.credentials.secretAccessKey,
  });
  return {
    region: local.region,
    keyStoreTable: local.tables.BranchKeys,
    casesTable: local.tables.Cases,
    env,
    dynamodbEndpoint: local.dynamodb,
    kmsEndpoint: local.kms,
  };
}

function clientsOf(target: Target) {
  const endpoints = {
    AWS_REGION: target.region,
    DYNAMODB_ENDPOINT: target.dynamodbEndpoint,
    KMS_ENDPOINT: target.kmsEndpoint,
  };
  return { dynamodb: dynamoDbClient(endpoints), kms: kmsClient(endpoints) };
}

/** The directory with each agency's key ARN, found by its alias. */
async function withKeyArns(directory: Directory, clients: KeyStoreClients): Promise<Directory> {
  const agencies = await Promise.all(
    directory.agencies.map(async (agency) => {
      const { KeyMetadata } = await clients.kms.send(
        new DescribeKeyCommand({ KeyId: KEY_ALIASES.agency(agency.id) }),
      );
      return { ...agency, keyArn: KeyMetadata?.Arn };
    }),
  );
  return { ...directory, agencies };
}

function agencyNamed(directory: Directory, id: string | undefined): Agency {
  const agency = directory.agencies.find((candidate) => candidate.id === id);
  if (!agency) throw new Error(`no agency ${id ?? '(none given)'} in config/agencies.json`);
  return agency;
}

async function run(command: string, id: string | undefined, target: Target, io: KeysCliIo): Promise<void> {
  const clients = { ...clientsOf(target), table: target.keyStoreTable };
  const directory = await withKeyArns(await readDirectoryFile(), clients);
  if (command === 'create' || command === 'rotate') {
    const agency = agencyNamed(directory, id);
    if (command === 'rotate') {
      await rotateBranchKey(clients, agency);
      io.out(`${agency.id}: new active branch key version; functions take it within their cache TTL`);
    } else if (await hasBranchKey(clients, agency)) {
      throw new Error(`${agency.id} already has a branch key: rotate it instead`);
    } else {
      io.out(`${agency.id}: branch key ${await createBranchKey(clients, agency)} created`);
    }
    return;
  }
  if (!target.casesTable) throw new Error('set CASES_TABLE');
  const cipher = encryptionSdkCipher({
    kms: clients.kms,
    directory,
    keyStore: clients,
    cacheTtlSeconds: 300,
  });
  if (command === 'reindex') {
    await reindex(clients, target.casesTable, cipher, io, target.env);
    return;
  }
  const count = await reencryptFirstVersionMessages(
    documentClient(clients.dynamodb),
    target.casesTable,
    cipher,
  );
  io.out(
    `${count.seen} sections and notes read, ${count.moved} moved to branch keys, ${count.changed} changed meanwhile (left)`,
  );
  // Case ids and section names only: what an investigation starts from.
  for (const refused of count.refused) io.err(`failed its integrity check, left as it was: ${refused}`);
}

/** Every case's blind-index entries made again with the HMAC key (found by its alias). */
async function reindex(
  clients: ReturnType<typeof clientsOf>,
  casesTable: string,
  cipher: SectionCipher,
  io: KeysCliIo,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const { KeyMetadata } = await clients.kms.send(new DescribeKeyCommand({ KeyId: KEY_ALIASES.matchHmac }));
  if (!KeyMetadata?.Arn) throw new Error(`no key ${KEY_ALIASES.matchHmac}`);
  const matching = matchingPolicyFromEnvironment(MatchingPolicyEnvSchema.parse(env));
  const indexer = kmsBlindIndexer(clients.kms, KeyMetadata.Arn);
  const count = await reindexCases(documentClient(clients.dynamodb), casesTable, {
    indexer,
    cipher,
    matching,
  });
  io.out(
    `${count.seen} cases read, ${count.reindexed} re-indexed (${matching.truncationBits}-bit keys), ${count.changed} changed meanwhile (indexed by that change)`,
  );
  for (const refused of count.refused) io.err(`failed its integrity check, left as it was: ${refused}`);
}

/** `npm run keys -- <command>`: branch key operations. Returns the exit code. */
export async function runKeysCli(
  args: string[],
  io: KeysCliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let parsed: ReturnType<typeof parseKeysArgs>;
  try {
    parsed = parseKeysArgs(args);
  } catch {
    parsed = { command: undefined, id: undefined, dataDir: DEFAULT_DATA_DIR };
  }
  const { command, id, dataDir } = parsed;
  if (command === undefined || !['create', 'rotate', 'reencrypt', 'reindex'].includes(command)) {
    io.err(USAGE);
    return 2;
  }
  try {
    await run(command, id, targetOf(env, join(dataDir, 'local.json')), io);
    return 0;
  } catch (error) {
    io.err(`keys ${command}: ${(error as Error).name}: ${(error as Error).message}`);
    return 1;
  }
}

function parseKeysArgs(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'data-dir': { type: 'string', default: DEFAULT_DATA_DIR } },
  });
  return { command: positionals[0], id: positionals[1], dataDir: values['data-dir'] };
}
