import { z } from 'zod';
import { documentClient, dynamoDbClient } from '../src/adapters/aws-clients';
import { dynamoDbAuditStore } from '../src/adapters/dynamodb/audit-store';
import { BaseEnvSchema, readEnv } from '../src/config';
import { apiFunction } from '../src/http/api-function';
import { ValidationError } from '../src/http/errors';
import { createLogger } from '../src/observability/logger';

/** The compliance side: reads the access log. This function's role cannot decrypt any case. */
const env = readEnv(BaseEnvSchema.extend({ AUDIT_TABLE: z.string().min(1) }));
const logger = createLogger('audit');
const audit = dynamoDbAuditStore(documentClient(dynamoDbClient(env)), env.AUDIT_TABLE);

export const handler = apiFunction({
  fn: 'audit',
  logger,
  directory: env.AGENCY_DIRECTORY,
  audit,
  operations: {
    listAuditEvents: async ({ query }) => {
      const { limit, cursor, ...filter } = query;
      const page = await audit.list(filter, limit, cursor);
      if (!page)
        throw new ValidationError('The cursor is not valid.', [
          { path: 'query.cursor', message: 'invalid cursor' },
        ]);
      return { status: 200, body: page };
    },
  },
});
