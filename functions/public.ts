import { BaseEnvSchema, readEnv } from '../src/config';
import { apiHandler } from '../src/http/api-handler';
import { buildOpenApiDocument } from '../src/http/openapi';
import { createLogger } from '../src/observability/logger';

const env = readEnv(BaseEnvSchema);
const logger = createLogger('public');
// Generated once per container: it depends only on the route table and the schemas.
const openApiDocument = buildOpenApiDocument();

export const handler = apiHandler({
  fn: 'public',
  logger,
  directory: env.AGENCY_DIRECTORY,
  operations: {
    getHealth: async () => ({ status: 200, body: { status: 'ok' } }),
    getOpenApi: async () => ({ status: 200, body: openApiDocument }),
  },
});
