import { BaseEnvSchema, readEnv } from '../src/config';
import { listAgencies } from '../src/domain/directory';
import { apiFunction } from '../src/http/api-function';
import { createLogger } from '../src/observability/logger';

const env = readEnv(BaseEnvSchema);
const logger = createLogger('directory');

export const handler = apiFunction({
  fn: 'directory',
  logger,
  directory: env.AGENCY_DIRECTORY,
  operations: {
    listAgencies: async () => ({ status: 200, body: { agencies: listAgencies(env.AGENCY_DIRECTORY) } }),
  },
});
