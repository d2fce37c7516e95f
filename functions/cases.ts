import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { documentClient, dynamoDbClient, kmsClient } from '../src/adapters/aws-clients';
import { kmsBlindIndexer } from '../src/adapters/blind-indexer';
import { dynamoDbAuditStore } from '../src/adapters/dynamodb/audit-store';
import { dynamoDbCaseStore } from '../src/adapters/dynamodb/case-store';
import { dynamoDbIdempotencyStore } from '../src/adapters/dynamodb/idempotency-store';
import { dynamoDbMatchStore } from '../src/adapters/dynamodb/match-store';
import { kmsRequestIdKey } from '../src/adapters/request-id-key';
import { encryptionSdkCipher } from '../src/adapters/section-cipher';
import { BaseEnvSchema, IdKeyEnvSchema, KeyStoreEnvSchema, readEnv, TablesEnvSchema } from '../src/config';
import {
  addNote,
  type CaseServiceDeps,
  createCase,
  etagOf,
  listCases,
  listNotes,
  readCase,
  updateCase,
} from '../src/domain/cases/case-service';
import { NotesPolicyEnvSchema, notesPolicyFromEnvironment } from '../src/domain/cases/limits';
import { isCaseVisible } from '../src/domain/cases/load-case';
import { findMatches } from '../src/domain/matching/match-service';
import { MatchingPolicyEnvSchema, matchingPolicyFromEnvironment } from '../src/domain/matching/policy';
import { apiHandler } from '../src/http/api-handler';
import { idempotency } from '../src/http/middlewares/idempotency';
import { BLIND_INDEX_MAC_METRIC, METRICS_NAMESPACE } from '../src/http/middlewares/request-metrics';
import { createLogger } from '../src/observability/logger';

const env = readEnv(
  BaseEnvSchema.extend(TablesEnvSchema.shape)
    .extend(IdKeyEnvSchema.shape)
    .extend(KeyStoreEnvSchema.shape)
    .extend(NotesPolicyEnvSchema.shape)
    .extend(MatchingPolicyEnvSchema.shape),
);
const logger = createLogger('cases');
const dynamodb = dynamoDbClient(env);
const documents = documentClient(dynamodb);
const audit = dynamoDbAuditStore(documents, env.AUDIT_TABLE);
const kms = kmsClient(env);
const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'himaya-cases',
});
// Every GenerateMac of a blind index is counted: the stack alarms on an unusual volume (bulk lookups).
const indexer = kmsBlindIndexer(kms, env.HMAC_KEY_ARN, (count) =>
  metrics.singleMetric().addMetric(BLIND_INDEX_MAC_METRIC, MetricUnit.Count, count),
);
const matching = matchingPolicyFromEnvironment(env);
const deps: CaseServiceDeps = {
  store: dynamoDbCaseStore(documents, env.CASES_TABLE, audit),
  cipher: encryptionSdkCipher({
    kms,
    directory: env.AGENCY_DIRECTORY,
    keyStore: { dynamodb, table: env.KEY_STORE_TABLE },
    cacheTtlSeconds: env.BRANCH_KEY_CACHE_TTL_SECONDS,
  }),
  clock: () => new Date(),
  notes: notesPolicyFromEnvironment(env),
  indexing: { indexer, matching },
};
// Matches are served here, not by the exchange function: confirming a candidate opens its sealed entry,
// which only a function holding the agency keys' Decrypt can do.
const matchDeps = {
  indexer,
  cipher: deps.cipher,
  store: dynamoDbMatchStore(documents, env.CASES_TABLE, audit),
  matching,
  clock: deps.clock,
};

export const handler = apiHandler({
  fn: 'cases',
  logger,
  metrics,
  directory: env.AGENCY_DIRECTORY,
  audit,
  idempotency: idempotency({
    store: dynamoDbIdempotencyStore(dynamodb, env.IDEMPOTENCY_TABLE),
    idKey: kmsRequestIdKey(kms, env.HMAC_KEY_ARN),
    caseVisible: (agency, caseId) => isCaseVisible(deps.store, agency, caseId, deps.clock()),
    fn: 'cases',
    logger,
  }),
  operations: {
    createCase: async ({ auth, body, audit: trail, write }) => {
      const meta = await createCase(deps, auth, body, trail, write);
      return {
        status: 201,
        body: meta,
        headers: { ETag: etagOf(meta.version), Location: `/v1/cases/${meta.caseId}` },
      };
    },
    listCases: async ({ auth, query }) => ({ status: 200, body: await listCases(deps, auth, query) }),
    getCase: async ({ auth, params, purpose, audit: trail }) => {
      const view = await readCase(deps, auth, params.caseId, purpose, trail);
      return { status: 200, body: view, headers: { ETag: etagOf(view.version) } };
    },
    updateCase: async ({ auth, params, body, headers, audit: trail }) => {
      const meta = await updateCase(deps, auth, params.caseId, headers['if-match'], body, trail);
      return { status: 200, body: meta, headers: { ETag: etagOf(meta.version) } };
    },
    listNotes: async ({ auth, params, query, purpose, audit: trail }) => {
      return { status: 200, body: await listNotes(deps, auth, params.caseId, purpose, query, trail) };
    },
    findMatches: async ({ auth, body, audit: trail }) => ({
      status: 200,
      body: await findMatches(matchDeps, auth, body, trail),
    }),
    addNote: async ({ auth, params, body, audit: trail, write }) => {
      const note = await addNote(deps, auth, params.caseId, body, trail, write);
      return { status: 201, body: note };
    },
  },
});
