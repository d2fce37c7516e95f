import { documentClient, dynamoDbClient } from '../src/adapters/aws-clients';
import { dynamoDbAuditStore } from '../src/adapters/dynamodb/audit-store';
import { dynamoDbStatsStore } from '../src/adapters/dynamodb/stats-store';
import { BaseEnvSchema, readEnv, StatsEnvSchema, TablesEnvSchema } from '../src/config';
import { readStatsTable } from '../src/domain/stats/stats-service';
import { apiHandler } from '../src/http/api-handler';
import { statsResponse } from '../src/http/stats-representation';
import { createLogger } from '../src/observability/logger';

/**
 * De-identified statistics: one table of counters from the Stats table, protected and answered as JSON or
 * CSV. Its role reads the counters and appends audit events; it reaches no case and decrypts nothing.
 */
const env = readEnv(
  BaseEnvSchema.extend(TablesEnvSchema.pick({ AUDIT_TABLE: true }).shape).extend(StatsEnvSchema.shape),
);
const logger = createLogger('stats');
const documents = documentClient(dynamoDbClient(env));
const store = dynamoDbStatsStore(documents, env.STATS_TABLE);
const agencies = new Set(env.AGENCY_DIRECTORY.agencies.map((agency) => agency.id));

export const handler = apiHandler({
  fn: 'stats',
  logger,
  directory: env.AGENCY_DIRECTORY,
  audit: dynamoDbAuditStore(documents, env.AUDIT_TABLE),
  operations: {
    getStats: async ({ auth, query, headers }) => {
      const caller = { agency: auth.agency, holdsCases: agencies.has(auth.agency) };
      return statsResponse(await readStatsTable(store, query, caller), query.format, headers);
    },
  },
});
