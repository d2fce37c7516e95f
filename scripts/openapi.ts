// Prints the OpenAPI document generated from the route table: `npm run -s openapi > openapi.json`.
import { buildOpenApiDocument } from '../src/http/openapi';

process.stdout.write(`${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
