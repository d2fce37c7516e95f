import { documentClient, dynamoDbClient, kmsClient } from '../src/adapters/aws-clients';
import { dynamoDbAuditStore } from '../src/adapters/dynamodb/audit-store';
import { dynamoDbCaseStore } from '../src/adapters/dynamodb/case-store';
import { dynamoDbIdempotencyStore } from '../src/adapters/dynamodb/idempotency-store';
import { encryptionSdkCipher } from '../src/adapters/section-cipher';
import { BaseEnvSchema, readEnv, TablesEnvSchema } from '../src/config';
import {
  addNote,
  type CaseServiceDeps,
  createCase,
  etagOf,
  listNotes,
  readCase,
  updateCase,
} from '../src/domain/cases/case-service';
import { NotesPolicyEnvSchema, notesPolicyFromEnvironment } from '../src/domain/cases/limits';
import { retryableWrite } from '../src/domain/retryable-write';
import { apiHandler } from '../src/http/api-handler';
import { createLogger } from '../src/observability/logger';

const env = readEnv(BaseEnvSchema.extend(TablesEnvSchema.shape).extend(NotesPolicyEnvSchema.shape));
const logger = createLogger('cases');
const dynamodb = dynamoDbClient(env);
const documents = documentClient(dynamodb);
const audit = dynamoDbAuditStore(documents, env.AUDIT_TABLE);
const deps: CaseServiceDeps = {
  store: dynamoDbCaseStore(documents, env.CASES_TABLE, audit),
  cipher: encryptionSdkCipher(kmsClient(env), env.AGENCY_DIRECTORY),
  clock: () => new Date(),
  notes: notesPolicyFromEnvironment(env),
};

export const handler = apiHandler({
  fn: 'cases',
  logger,
  directory: env.AGENCY_DIRECTORY,
  audit,
  idempotencyStore: dynamoDbIdempotencyStore(dynamodb, env.IDEMPOTENCY_TABLE),
  operations: {
    createCase: async ({ auth, body, audit: trail, idempotencyScope }) => {
      const meta = await createCase(deps, auth, body, trail, retryableWrite(idempotencyScope, body));
      return {
        status: 201,
        body: meta,
        headers: { ETag: etagOf(meta.version), Location: `/v1/cases/${meta.caseId}` },
      };
    },
    listCases: async ({ auth, query }) => {
      const { limit, cursor, ...filter } = query;
      return {
        status: 200,
        body: await deps.store.listVisibleTo(auth.agency, filter, limit, cursor, deps.clock()),
      };
    },
    getCase: async ({ auth, params }) => {
      const view = await readCase(deps, auth, params.caseId);
      return { status: 200, body: view, headers: { ETag: etagOf(view.version) } };
    },
    updateCase: async ({ auth, params, body, headers, audit: trail }) => {
      const meta = await updateCase(deps, auth, params.caseId, headers['if-match'], body, trail);
      return { status: 200, body: meta, headers: { ETag: etagOf(meta.version) } };
    },
    listNotes: async ({ auth, params, query }) => {
      return { status: 200, body: await listNotes(deps, auth, params.caseId, query) };
    },
    addNote: async ({ auth, params, body, audit: trail, idempotencyScope }) => {
      const write = retryableWrite(idempotencyScope, body);
      const note = await addNote(deps, auth, params.caseId, body, trail, write);
      return { status: 201, body: note };
    },
  },
});
