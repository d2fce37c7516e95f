import { documentClient, dynamoDbClient } from '../src/adapters/aws-clients';
import { dynamoDbAuditStore } from '../src/adapters/dynamodb/audit-store';
import { dynamoDbReviewStore } from '../src/adapters/dynamodb/review-store';
import { BaseEnvSchema, readEnv, TablesEnvSchema } from '../src/config';
import { closeReview, listReviews, type ReviewDeps } from '../src/domain/reviews/review-service';
import { apiHandler } from '../src/http/api-handler';
import { createLogger } from '../src/observability/logger';

/**
 * The compliance review list: emergency accesses and missed deadlines, closed with a finding. This
 * function's role reaches the review items of the Cases table and nothing else there; it decrypts nothing.
 */
const env = readEnv(
  BaseEnvSchema.extend(TablesEnvSchema.pick({ CASES_TABLE: true, AUDIT_TABLE: true }).shape),
);
const logger = createLogger('reviews');
const documents = documentClient(dynamoDbClient(env));
const audit = dynamoDbAuditStore(documents, env.AUDIT_TABLE);
const deps: ReviewDeps = {
  store: dynamoDbReviewStore(documents, env.CASES_TABLE, audit),
  clock: () => new Date(),
};

export const handler = apiHandler({
  fn: 'reviews',
  logger,
  directory: env.AGENCY_DIRECTORY,
  audit,
  operations: {
    listReviews: async ({ query }) => {
      return { status: 200, body: await listReviews(deps, query) };
    },
    closeReview: async ({ auth, params, body, audit: trail }) => {
      const closed = await closeReview(deps, auth, params.reviewId, body, trail);
      return { status: 200, body: closed };
    },
  },
});
