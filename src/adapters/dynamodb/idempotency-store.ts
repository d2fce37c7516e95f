import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Where `Idempotency-Key` records are kept: Powertools' DynamoDB persistence layer on the Idempotency table. */
export function dynamoDbIdempotencyStore(
  client: DynamoDBClient,
  tableName: string,
): DynamoDBPersistenceLayer {
  return new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client });
}
