import { BaseEnvSchema, readEnv } from '../src/config';
import { apiHandler } from '../src/http/api-handler';
import { createLogger } from '../src/observability/logger';

const env = readEnv(BaseEnvSchema);
const logger = createLogger('public');
// Generated once per container, on its first request: the generator is not loaded at all for health
// checks, and a cold start does not pay for it.
let openApiDocument: Promise<unknown> | undefined;
const loadOpenApiDocument = () =>
  import('../src/http/openapi').then(({ buildOpenApiDocument }) => buildOpenApiDocument());

export const handler = apiHandler({
  fn: 'public',
  logger,
  directory: env.AGENCY_DIRECTORY,
  operations: {
    getHealth: async () => ({ status: 200, body: { status: 'ok' } }),
    getOpenApi: async () => {
      openApiDocument ??= loadOpenApiDocument().catch((error: unknown) => {
        openApiDocument = undefined;
        throw error;
      });
      return { status: 200, body: await openApiDocument };
    },
  },
});
