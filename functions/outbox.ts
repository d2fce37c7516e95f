import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { documentClient, dynamoDbClient } from '../src/adapters/aws-clients';
import { dynamoDbOutbox } from '../src/adapters/dynamodb/exchange-store';
import { outboxEntriesFromStream } from '../src/adapters/dynamodb/stream-events';
import { eventPublisherFor } from '../src/adapters/eventbridge-publisher';
import { BaseEnvSchema, EventsEnvSchema, readEnv, TablesEnvSchema } from '../src/config';
import { type OutboxDeps, publishOutbox } from '../src/domain/exchange/outbox';
import { createLogger } from '../src/observability/logger';

/**
 * The outbox processor: fed by the Cases stream (event-source mapping; new outbox items only), it
 * publishes each batch's domain events to the bus and marks them settled, off the request path. A failed
 * batch throws, so the mapping retries it; what is never settled, the deadline sweep publishes later.
 */
const env = readEnv(
  BaseEnvSchema.pick({ AWS_REGION: true, DYNAMODB_ENDPOINT: true })
    .extend(TablesEnvSchema.pick({ CASES_TABLE: true }).shape)
    .extend(EventsEnvSchema.shape),
);
const logger = createLogger('outbox');
const deps: OutboxDeps = {
  store: dynamoDbOutbox(documentClient(dynamoDbClient(env)), env.CASES_TABLE),
  publisher: eventPublisherFor(env),
  clock: () => new Date(),
};

async function publishBatch(event: DynamoDBStreamEvent): Promise<void> {
  try {
    await publishOutbox(deps, outboxEntriesFromStream(event.Records));
  } catch (error) {
    logger.error('outbox batch not published', { errorName: (error as Error)?.name });
    throw error;
  }
}

export const handler = middy<DynamoDBStreamEvent, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(publishBatch);
