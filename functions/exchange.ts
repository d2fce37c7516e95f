import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { documentClient, dynamoDbClient, kmsClient } from '../src/adapters/aws-clients';
import { dynamoDbAuditStore } from '../src/adapters/dynamodb/audit-store';
import { dynamoDbCaseStore } from '../src/adapters/dynamodb/case-store';
import { dynamoDbExchangeStore } from '../src/adapters/dynamodb/exchange-store';
import { dynamoDbIdempotencyStore } from '../src/adapters/dynamodb/idempotency-store';
import { kmsRequestIdKey } from '../src/adapters/request-id-key';
import { BaseEnvSchema, IdKeyEnvSchema, readEnv, TablesEnvSchema } from '../src/config';
import { isCaseVisible } from '../src/domain/cases/load-case';
import { grantEmergencyAccess } from '../src/domain/exchange/emergency-access';
import {
  createRequest,
  decideRequest,
  type ExchangeDeps,
  listRequests,
  listShares,
  readRequest,
  revokeShares,
  shareCase,
  withdrawRequest,
} from '../src/domain/exchange/exchange-service';
import { ExchangePolicyEnvSchema, policyFromEnvironment } from '../src/domain/exchange/policy';
import { apiHandler } from '../src/http/api-handler';
import { idempotency } from '../src/http/middlewares/idempotency';
import { EMERGENCY_CAP_METRIC, METRICS_NAMESPACE } from '../src/http/middlewares/request-metrics';
import { createLogger } from '../src/observability/logger';

/**
 * Shares, requests, decisions and emergency access. This function's role can decrypt no case; it
 * publishes nothing itself: its domain events go to the outbox, in the transaction of their change.
 */
const env = readEnv(
  BaseEnvSchema.extend(TablesEnvSchema.shape)
    .extend(ExchangePolicyEnvSchema.shape)
    .extend(IdKeyEnvSchema.shape),
);
const logger = createLogger('exchange');
const dynamodb = dynamoDbClient(env);
const documents = documentClient(dynamodb);
const audit = dynamoDbAuditStore(documents, env.AUDIT_TABLE);
const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'himaya-exchange',
});
const deps: ExchangeDeps = {
  cases: dynamoDbCaseStore(documents, env.CASES_TABLE, audit),
  store: dynamoDbExchangeStore(documents, env.CASES_TABLE, audit),
  directory: env.AGENCY_DIRECTORY,
  policy: policyFromEnvironment(env),
  clock: () => new Date(),
  // An agency breaking glass more often than a day allows is an incident: the stack alarms on it.
  onEmergencyCapReached: (agency) => {
    logger.warn('emergency access refused: daily cap reached', { agency });
    metrics.singleMetric().addMetric(EMERGENCY_CAP_METRIC, MetricUnit.Count, 1);
  },
};

export const handler = apiHandler({
  fn: 'exchange',
  logger,
  metrics,
  directory: env.AGENCY_DIRECTORY,
  audit,
  idempotency: idempotency({
    store: dynamoDbIdempotencyStore(dynamodb, env.IDEMPOTENCY_TABLE),
    idKey: kmsRequestIdKey(kmsClient(env), env.HMAC_KEY_ARN),
    caseVisible: (agency, caseId) => isCaseVisible(deps.cases, agency, caseId, deps.clock()),
    fn: 'exchange',
    logger,
  }),
  operations: {
    // No Location: a share has no route of its own; it is listed by GET /v1/cases/{caseId}/shares.
    createShare: async ({ auth, params, body, audit: trail }) => {
      const share = await shareCase(deps, auth, params.caseId, body, trail);
      return { status: 201, body: share };
    },
    listShares: async ({ auth, params }) => {
      return { status: 200, body: await listShares(deps, auth, params.caseId) };
    },
    revokeShare: async ({ auth, params, audit: trail }) => {
      await revokeShares(deps, auth, params.caseId, params.agency, trail);
      return { status: 204 };
    },
    // 200 with the identical request already pending, 201 with a new one.
    createRequest: async ({ auth, body, audit: trail, write }) => {
      const made = await createRequest(deps, auth, body, trail, write);
      return {
        status: made.created ? 201 : 200,
        body: made.view,
        headers: { Location: `/v1/requests/${made.view.requestId}` },
      };
    },
    listRequests: async ({ auth, query }) => {
      return { status: 200, body: await listRequests(deps, auth, query) };
    },
    getRequest: async ({ auth, params, audit: trail }) => {
      return { status: 200, body: await readRequest(deps, auth, params.requestId, trail) };
    },
    withdrawRequest: async ({ auth, params, audit: trail }) => {
      return { status: 200, body: await withdrawRequest(deps, auth, params.requestId, trail) };
    },
    decideRequest: async ({ auth, params, body, audit: trail }) => {
      const decided = await decideRequest(deps, auth, params.requestId, body, trail);
      return { status: 200, body: decided };
    },
    requestEmergencyAccess: async ({ auth, params, purpose, body, audit: trail, write }) => {
      const access = await grantEmergencyAccess(deps, auth, params.caseId, purpose, body, trail, write);
      return { status: 201, body: access, headers: { Location: `/v1/requests/${access.requestId}` } };
    },
  },
});
