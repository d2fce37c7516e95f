import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { documentClient, dynamoDbClient } from '../src/adapters/aws-clients';
import { dynamoDbStatsStore } from '../src/adapters/dynamodb/stats-store';
import { type StatsStreamRecord, statsEventsFromStream } from '../src/adapters/dynamodb/stats-stream';
import { BaseEnvSchema, readEnv, StatsEnvSchema } from '../src/config';
import { ExchangePolicyEnvSchema, policyFromEnvironment } from '../src/domain/exchange/policy';
import { aggregateStats } from '../src/domain/stats/stats-service';
import { createLogger } from '../src/observability/logger';

/**
 * The statistics aggregator: fed by the Cases stream (event-source mapping), it maps each change of a
 * case head, request or review to the statistics' events and adds their counters to the Stats table, each
 * once (a redelivered record adds nothing). Off the request path: no request waits for it. A failed batch
 * throws, so the mapping retries it; what was applied before the failure is skipped on the retry.
 */
const env = readEnv(
  BaseEnvSchema.pick({ AWS_REGION: true, DYNAMODB_ENDPOINT: true })
    .extend(StatsEnvSchema.shape)
    .extend(ExchangePolicyEnvSchema.shape),
);
const logger = createLogger('stats-aggregator');
const store = dynamoDbStatsStore(documentClient(dynamoDbClient(env)), env.STATS_TABLE);
const policy = policyFromEnvironment(env);

async function aggregateBatch(event: DynamoDBStreamEvent): Promise<void> {
  try {
    await aggregateStats(store, statsEventsFromStream(event.Records as StatsStreamRecord[], policy));
  } catch (error) {
    logger.error('statistics batch not counted', { errorName: (error as Error)?.name });
    throw error;
  }
}

export const handler = middy<DynamoDBStreamEvent, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(aggregateBatch);
