import * as z from 'zod';
import { documentClient, dynamoDbClient } from '../src/adapters/aws-clients';
import { dynamoDbAuditStore } from '../src/adapters/dynamodb/audit-store';
import { BaseEnvSchema, readEnv } from '../src/config';
import { listAgencies } from '../src/domain/directory';
import { apiHandler } from '../src/http/api-handler';
import { createLogger } from '../src/observability/logger';

const env = readEnv(BaseEnvSchema.extend({ AUDIT_TABLE: z.string().min(1) }));
const logger = createLogger('directory');

export const handler = apiHandler({
  fn: 'directory',
  logger,
  directory: env.AGENCY_DIRECTORY,
  audit: dynamoDbAuditStore(documentClient(dynamoDbClient(env)), env.AUDIT_TABLE),
  operations: {
    listAgencies: async () => ({ status: 200, body: { agencies: listAgencies(env.AGENCY_DIRECTORY) } }),
  },
});
