import type { KMSClient } from '@aws-sdk/client-kms';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CheckpointArchive, SealerLog } from '../domain/audit/ports';
import { createSealer, type Sealer } from '../domain/audit/sealer';
import { kmsCheckpointSigner } from './checkpoint-signer';
import { dynamoDbTreeStore } from './dynamodb/tree-store';

export interface SealerResources {
  documents: DynamoDBDocumentClient;
  auditTable: string;
  kms: KMSClient;
  signingKeyArn: string;
  archive: CheckpointArchive;
  origin?: string | undefined;
  log?: SealerLog;
}

/** The sealer wired to DynamoDB, KMS and an archive: what the Lambda function and the local loop run. */
export function buildSealer(resources: SealerResources): Sealer {
  return createSealer({
    store: dynamoDbTreeStore(resources.documents, resources.auditTable),
    signer: kmsCheckpointSigner(resources.kms, resources.signingKeyArn),
    archive: resources.archive,
    ...(resources.origin ? { origin: resources.origin } : {}),
    ...(resources.log ? { log: resources.log } : {}),
  });
}
