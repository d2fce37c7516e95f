import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { documentClient, dynamoDbClient } from '../src/adapters/aws-clients';
import { dynamoDbAuditStore } from '../src/adapters/dynamodb/audit-store';
import { dynamoDbExchangeStore } from '../src/adapters/dynamodb/exchange-store';
import { eventPublisherFor } from '../src/adapters/eventbridge-publisher';
import { BaseEnvSchema, EventsEnvSchema, readEnv, TablesEnvSchema } from '../src/config';
import { type DeadlineDeps, type SweepResult, sweepDeadlines } from '../src/domain/exchange/deadlines';
import { ExchangePolicyEnvSchema, policyFromEnvironment } from '../src/domain/exchange/policy';
import { createLogger } from '../src/observability/logger';

/**
 * The deadline sweep, invoked every minute by an EventBridge schedule (a timer on the local stack):
 * escalates overdue requests and reports, and publishes what the outbox processor left behind.
 */
const env = readEnv(
  BaseEnvSchema.extend(TablesEnvSchema.pick({ CASES_TABLE: true, AUDIT_TABLE: true }).shape)
    .extend(ExchangePolicyEnvSchema.shape)
    .extend(EventsEnvSchema.shape),
);
const logger = createLogger('deadlines');
const documents = documentClient(dynamoDbClient(env));
const deps: DeadlineDeps = {
  store: dynamoDbExchangeStore(documents, env.CASES_TABLE, dynamoDbAuditStore(documents, env.AUDIT_TABLE)),
  publisher: eventPublisherFor(env),
  policy: policyFromEnvironment(env),
  clock: () => new Date(),
  onPublishFailure: (error, entries) =>
    logger.warn('outbox entries left for the next sweep', {
      errorName: (error as Error)?.name,
      count: entries.length,
    }),
};

export const handler = middy<ScheduledEvent, SweepResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (_event: ScheduledEvent, context: Context) => {
    const result = await sweepDeadlines(deps, new Date(), context.awsRequestId);
    if (result.escalated.length > 0 || result.republished > 0) {
      logger.info('deadline sweep', { escalated: result.escalated.length, republished: result.republished });
    }
    return result;
  });
