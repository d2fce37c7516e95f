import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  type GlobalSecondaryIndexDescription,
  type Projection,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  type KeySpec,
  type KeyUsageType,
  type KMSClient,
  NotFoundException,
} from '@aws-sdk/client-kms';
import { ensureBranchKey } from '../src/adapters/branch-keys';
import {
  type IndexDefinition,
  TABLE_DEFINITIONS,
  type TableDefinition,
} from '../src/adapters/table-definitions';
import type { Directory } from '../src/domain/directory';

/** Local names of the tables; in AWS, CloudFormation names them. */
export const LOCAL_TABLE_NAMES: Record<TableDefinition['id'], string> = {
  Cases: 'himaya-cases',
  AuditLog: 'himaya-audit-log',
  Idempotency: 'himaya-idempotency',
  BranchKeys: 'himaya-branch-keys',
  Stats: 'himaya-stats',
};

export const KEY_ALIASES = {
  agency: (agencyId: string) => `alias/himaya-agency-${agencyId}`,
  checkpointSigning: 'alias/himaya-checkpoint-signing',
  matchHmac: 'alias/himaya-match-hmac',
};

export interface BootstrappedResources {
  tables: Record<TableDefinition['id'], string>;
  /** The directory with each agency's key ARN filled in. */
  directory: Directory;
  signingKeyArn: string;
  hmacKeyArn: string;
}

function projectionOf(index: IndexDefinition): Projection {
  return index.nonKeyAttributes
    ? { ProjectionType: 'INCLUDE', NonKeyAttributes: index.nonKeyAttributes }
    : { ProjectionType: 'ALL' };
}

function createTableInput(definition: TableDefinition, tableName: string): CreateTableCommandInput {
  const keyNames = new Set([definition.partitionKey, ...(definition.sortKey ? [definition.sortKey] : [])]);
  for (const index of definition.indexes) {
    keyNames.add(index.partitionKey);
    keyNames.add(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...keyNames].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: definition.partitionKey, KeyType: 'HASH' },
      ...(definition.sortKey ? [{ AttributeName: definition.sortKey, KeyType: 'RANGE' as const }] : []),
    ],
    ...(definition.indexes.length > 0
      ? {
          GlobalSecondaryIndexes: definition.indexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
              { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
            ],
            Projection: projectionOf(index),
          })),
        }
      : {}),
    ...(definition.stream
      ? { StreamSpecification: { StreamEnabled: true, StreamViewType: definition.stream } }
      : {}),
  };
}

/** Creates the table if missing; brings an existing one's indexes and stream up to its definition. */
export async function ensureTable(
  client: DynamoDBClient,
  definition: TableDefinition,
  tableName: string,
): Promise<void> {
  try {
    const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
    await ensureIndexes(client, definition, tableName, described.Table?.GlobalSecondaryIndexes ?? []);
    await ensureStream(client, definition, tableName, described.Table?.StreamSpecification);
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await client.send(new CreateTableCommand(createTableInput(definition, tableName)));
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: tableName });
  if (definition.ttlAttribute) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: definition.ttlAttribute, Enabled: true },
      }),
    );
  }
}

/**
 * A table made by an older version gets its stream, or the stream it now needs: DynamoDB changes a
 * stream's view type only by turning the stream off and on again (a new stream, read from its start).
 */
async function ensureStream(
  client: DynamoDBClient,
  definition: TableDefinition,
  tableName: string,
  current: { StreamEnabled?: boolean | undefined; StreamViewType?: string | undefined } | undefined,
): Promise<void> {
  if (!definition.stream) return;
  if (current?.StreamEnabled && current.StreamViewType === definition.stream) return;
  if (current?.StreamEnabled) {
    await client.send(
      new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: false } }),
    );
  }
  await client.send(
    new UpdateTableCommand({
      TableName: tableName,
      StreamSpecification: { StreamEnabled: true, StreamViewType: definition.stream },
    }),
  );
}

const sameProjection = (a: Projection | undefined, b: Projection) =>
  a?.ProjectionType === b.ProjectionType &&
  [...(a?.NonKeyAttributes ?? [])].sort().join() === [...(b.NonKeyAttributes ?? [])].sort().join();

/**
 * A table made by an older version gets the indexes added since, and an index whose projection changed
 * is made again (DynamoDB cannot change a projection in place), one at a time as DynamoDB requires.
 */
async function ensureIndexes(
  client: DynamoDBClient,
  definition: TableDefinition,
  tableName: string,
  existing: GlobalSecondaryIndexDescription[],
): Promise<void> {
  for (const index of definition.indexes) {
    const current = existing.find((candidate) => candidate.IndexName === index.indexName);
    if (current && sameProjection(current.Projection, projectionOf(index))) continue;
    if (current) {
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: index.indexName } }],
        }),
      );
      await waitForIndexes(client, tableName);
    }
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [index.partitionKey, index.sortKey].map((name) => ({
          AttributeName: name,
          AttributeType: 'S',
        })),
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: index.indexName,
              KeySchema: [
                { AttributeName: index.partitionKey, KeyType: 'HASH' },
                { AttributeName: index.sortKey, KeyType: 'RANGE' },
              ],
              Projection: projectionOf(index),
            },
          },
        ],
      }),
    );
    await waitForIndexes(client, tableName);
  }
}

/** Until the table and every index are active again (DynamoDB Local is quick; AWS may take minutes). */
async function waitForIndexes(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + 5 * 60_000;
  while (Date.now() < deadline) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const settled =
      Table?.TableStatus === 'ACTIVE' &&
      (Table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (settled) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the indexes of ${tableName} did not become active`);
}

async function ensureKey(
  kms: KMSClient,
  alias: string,
  spec: { KeySpec: KeySpec; KeyUsage: KeyUsageType; Description: string },
): Promise<string> {
  try {
    const existing = await kms.send(new DescribeKeyCommand({ KeyId: alias }));
    if (existing.KeyMetadata?.Arn) return existing.KeyMetadata.Arn;
  } catch (error) {
    if (!(error instanceof NotFoundException)) throw error;
  }
  const created = await kms.send(new CreateKeyCommand(spec));
  const arn = created.KeyMetadata?.Arn;
  if (!arn) throw new Error(`KMS returned no ARN for ${alias}`);
  await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: arn }));
  return arn;
}

/**
 * Creates what the local stack needs if it is missing: the tables, one KMS key and one branch key per
 * agency, the checkpoint-signing key and the matching HMAC key. Safe to run on every start.
 */
export async function bootstrap(
  dynamodb: DynamoDBClient,
  kms: KMSClient,
  directory: Directory,
): Promise<BootstrappedResources> {
  for (const definition of TABLE_DEFINITIONS)
    await ensureTable(dynamodb, definition, LOCAL_TABLE_NAMES[definition.id]);

  const agencies = [];
  for (const agency of directory.agencies) {
    const keyArn = await ensureKey(kms, KEY_ALIASES.agency(agency.id), {
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      Description: `Himaya case records of ${agency.name.en}`,
    });
    agencies.push({ ...agency, keyArn });
    await ensureBranchKey({ dynamodb, kms, table: LOCAL_TABLE_NAMES.BranchKeys }, { ...agency, keyArn });
  }
  const signingKeyArn = await ensureKey(kms, KEY_ALIASES.checkpointSigning, {
    KeySpec: 'ECC_NIST_EDWARDS25519',
    KeyUsage: 'SIGN_VERIFY',
    Description: 'Himaya audit checkpoint signing',
  });
  const hmacKeyArn = await ensureKey(kms, KEY_ALIASES.matchHmac, {
    KeySpec: 'HMAC_256',
    KeyUsage: 'GENERATE_VERIFY_MAC',
    Description: 'Himaya blind indexes for matching',
  });
  return {
    tables: { ...LOCAL_TABLE_NAMES },
    directory: { ...directory, agencies },
    signingKeyArn,
    hmacKeyArn,
  };
}
