import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMS } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * SDK clients, made once per container. Locally the endpoints point at DynamoDB Local and the KMS
 * emulator; in AWS they are unset and the SDK finds the regional endpoints.
 */
export interface AwsEndpoints {
  AWS_REGION: string;
  DYNAMODB_ENDPOINT?: string | undefined;
  KMS_ENDPOINT?: string | undefined;
}

// Few, fast retries: a request waits for a failing dependency a short while, then fails closed (503).
const RETRY = { maxAttempts: 2 };

export function dynamoDbClient(env: AwsEndpoints): DynamoDBClient {
  return new DynamoDBClient({
    region: env.AWS_REGION,
    ...RETRY,
    ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}),
  });
}

export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
}

/** The aggregated `KMS` client: the Encryption SDK's keyring calls its methods directly. */
export function kmsClient(env: AwsEndpoints): KMS {
  return new KMS({
    region: env.AWS_REGION,
    ...RETRY,
    ...(env.KMS_ENDPOINT ? { endpoint: env.KMS_ENDPOINT } : {}),
  });
}
