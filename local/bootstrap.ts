import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
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
import { TABLE_DEFINITIONS, type TableDefinition } from '../src/adapters/table-definitions';
import type { Directory } from '../src/domain/directory';

/** Local names of the tables; in AWS, CloudFormation names them. */
export const LOCAL_TABLE_NAMES: Record<TableDefinition['id'], string> = {
  Cases: 'himaya-cases',
  AuditLog: 'himaya-audit-log',
  Idempotency: 'himaya-idempotency',
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
            Projection: index.nonKeyAttributes
              ? { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: index.nonKeyAttributes }
              : { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
    ...(definition.stream
      ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' as const } }
      : {}),
  };
}

async function ensureTable(
  client: DynamoDBClient,
  definition: TableDefinition,
  tableName: string,
): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
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
 * Creates what the local stack needs if it is missing: the tables, one KMS key per agency, the
 * checkpoint-signing key and the matching HMAC key. Safe to run on every start.
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
