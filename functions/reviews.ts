import { documentClient, dynamoDbClient, kmsClient } from '../src/adapters/aws-clients';
import { dynamoDbAuditStore } from '../src/adapters/dynamodb/audit-store';
import { dynamoDbIdempotencyStore } from '../src/adapters/dynamodb/idempotency-store';
import { dynamoDbReviewStore } from '../src/adapters/dynamodb/review-store';
import { kmsRequestIdKey } from '../src/adapters/request-id-key';
import { BaseEnvSchema, IdKeyEnvSchema, readEnv, TablesEnvSchema } from '../src/config';
import { closeReview, listReviews, type ReviewDeps } from '../src/domain/reviews/review-service';
import { apiHandler } from '../src/http/api-handler';
import { idempotency } from '../src/http/middlewares/idempotency';
import { createLogger } from '../src/observability/logger';

/**
 * The compliance review list: emergency accesses and missed deadlines, closed with a finding. This
 * function's role reaches the review items of the Cases table and nothing else there; it decrypts nothing.
 * Closing takes `Idempotency-Key` like every other POST.
 */
const env = readEnv(BaseEnvSchema.extend(TablesEnvSchema.shape).extend(IdKeyEnvSchema.shape));
const logger = createLogger('reviews');
const dynamodb = dynamoDbClient(env);
const documents = documentClient(dynamodb);
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
  idempotency: idempotency({
    store: dynamoDbIdempotencyStore(dynamodb, env.IDEMPOTENCY_TABLE),
    idKey: kmsRequestIdKey(kmsClient(env), env.HMAC_KEY_ARN),
    fn: 'reviews',
    logger,
  }),
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
