import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ExtraRoute } from '../local/gateway';
import { documentClient, dynamoDbClient } from '../src/adapters/aws-clients';
import { BaseEnvSchema, readEnv, TablesEnvSchema } from '../src/config';

/**
 * The baseline: one plain DynamoDB `GetItem` of a stored case item, returned as JSON; no middy chain, no
 * crypto, no audit event. It is served by the same local gateway (same HTTP server, token check, event
 * building) in the same process, with the same SDK client configuration as the functions, so the gap
 * between it and the read-case flow is exactly what the cases function adds on top of one DynamoDB read.
 * It reads the same full five-section case items the read-case flow reads, so the item size matches.
 */
export const BASELINE_PATH = '/bench/baseline/{caseId}';

/** The Cases table's key of a case item (see src/adapters/dynamodb/case-store.ts). */
const caseKey = (caseId: string) => ({ pk: `CASE#${caseId}`, sk: 'CASE' });

const json = (statusCode: number, body: unknown): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body, (_key, value: unknown) =>
    value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value,
  ),
});

export function baselineRoute(): ExtraRoute {
  // Made on the first call, from the environment the local stack gives the functions, as a function's
  // module scope is at cold start.
  let init: { client: DynamoDBDocumentClient; table: string } | undefined;
  const initialised = () => {
    if (!init) {
      const env = readEnv(BaseEnvSchema.extend(TablesEnvSchema.shape));
      init = { client: documentClient(dynamoDbClient(env)), table: env.CASES_TABLE };
    }
    return init;
  };

  return {
    route: {
      operationId: 'benchBaseline',
      method: 'GET',
      path: BASELINE_PATH,
      fn: 'cases',
      scope: 'cases.read',
      summary: 'Benchmark baseline: one GetItem of a case item',
      description: 'Not part of the API: served by the benchmark alone, as a floor to compare with.',
      response: { status: 200, description: 'The stored case item' },
    },
    handler: async (event: APIGatewayProxyEvent) => {
      const { client, table } = initialised();
      const caseId = event.pathParameters?.caseId ?? '';
      const { Item } = await client.send(
        new GetCommand({ TableName: table, Key: caseKey(caseId), ConsistentRead: true }),
      );
      return Item ? json(200, Item) : json(404, { status: 404 });
    },
  };
}
