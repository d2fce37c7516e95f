import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DEADLINES } from '../timeouts';

/**
 * SDK clients, made once per container. Locally the endpoints point at DynamoDB Local and the KMS
 * emulator; in AWS they are unset and the SDK finds the regional endpoints.
 */
export interface AwsEndpoints {
  AWS_REGION: string;
  DYNAMODB_ENDPOINT?: string | undefined;
  KMS_ENDPOINT?: string | undefined;
}

/**
 * Every client's deadlines (src/timeouts.ts): a call to a stalled dependency ends inside the function's
 * own timeout, so the request fails closed with a 503 instead of outliving the function. Without
 * `throwOnRequestTimeout` the handler would only log a warning when `requestTimeout` passes.
 */
export const SDK_CLIENT_SETTINGS = {
  maxAttempts: DEADLINES.maxAttempts,
  requestHandler: {
    connectionTimeout: DEADLINES.connectMs,
    requestTimeout: DEADLINES.requestMs,
    throwOnRequestTimeout: true,
    // The silence allowed while the response body is read, after the headers came in time.
    socketTimeout: DEADLINES.requestMs,
  },
} as const;

export function dynamoDbClient(env: AwsEndpoints): DynamoDBClient {
  return new DynamoDBClient({
    region: env.AWS_REGION,
    ...SDK_CLIENT_SETTINGS,
    ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}),
  });
}

export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
}

/**
 * The bare KMS client, commands sent one by one: the aggregated `KMS` class would bring every KMS
 * operation into each bundle that holds a KMS client.
 */
export function kmsClient(env: AwsEndpoints): KMSClient {
  return new KMSClient({
    region: env.AWS_REGION,
    ...SDK_CLIENT_SETTINGS,
    ...(env.KMS_ENDPOINT ? { endpoint: env.KMS_ENDPOINT } : {}),
  });
}
