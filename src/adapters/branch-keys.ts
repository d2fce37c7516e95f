import { BranchKeyStoreNode } from '@aws-crypto/client-node';
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { Agency } from '../domain/directory';
import { KEY_STORE_NAME } from './table-definitions';

/*
 * The branch key store of the Encryption SDK's hierarchical keyring: one branch key per agency, its id the
 * agency id, wrapped by that agency's KMS key and kept in the BranchKeys table (layout in
 * table-definitions.ts).
 */

export interface KeyStoreClients {
  dynamodb: DynamoDBClient;
  kms: KMSClient;
  /** The physical table name. */
  table: string;
}

export const branchKeyIdOf = (agency: Pick<Agency, 'id'>): string => agency.id;

/** A store that can only unwrap (and create, rotate) branch keys under this one KMS key. */
export function branchKeyStore(clients: KeyStoreClients, kmsKeyArn: string): BranchKeyStoreNode {
  return new BranchKeyStoreNode({
    logicalKeyStoreName: KEY_STORE_NAME,
    storage: { ddbTableName: clients.table, ddbClient: clients.dynamodb },
    keyManagement: { kmsClient: clients.kms },
    kmsConfiguration: { identifier: kmsKeyArn },
  });
}

function keyArnOf(agency: Agency): string {
  if (!agency.keyArn) throw new Error(`agency ${agency.id} has no KMS key`);
  return agency.keyArn;
}

export async function hasBranchKey(clients: KeyStoreClients, agency: Agency): Promise<boolean> {
  const { Item } = await clients.dynamodb.send(
    new GetItemCommand({
      TableName: clients.table,
      Key: { 'branch-key-id': { S: branchKeyIdOf(agency) }, type: { S: 'branch:ACTIVE' } },
      ConsistentRead: true,
      ProjectionExpression: '#t',
      ExpressionAttributeNames: { '#t': 'type' },
    }),
  );
  return Item !== undefined;
}

/**
 * The agency's branch key, made by the SDK (KMS GenerateDataKeyWithoutPlaintext and ReEncrypt under the
 * agency's key, then one conditional DynamoDB transaction: it fails if the key exists).
 */
export async function createBranchKey(clients: KeyStoreClients, agency: Agency): Promise<string> {
  const { branchKeyIdentifier } = await branchKeyStore(clients, keyArnOf(agency)).createKey({
    branchKeyIdentifier: branchKeyIdOf(agency),
    encryptionContext: { agency: agency.id },
  });
  return branchKeyIdentifier;
}

/**
 * A new active version of the agency's branch key; older versions stay in the table, so everything
 * written under them stays readable. Functions take the new version once their cached one is older than
 * the cache TTL.
 */
export async function rotateBranchKey(clients: KeyStoreClients, agency: Agency): Promise<void> {
  await branchKeyStore(clients, keyArnOf(agency)).versionKey({ branchKeyIdentifier: branchKeyIdOf(agency) });
}

export async function ensureBranchKey(clients: KeyStoreClients, agency: Agency): Promise<boolean> {
  if (await hasBranchKey(clients, agency)) return false;
  await createBranchKey(clients, agency);
  return true;
}
