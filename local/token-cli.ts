import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ScopeSchema } from '../src/domain/directory';
import { openIssuer, TokenRequestError } from './issuer';
import { DEFAULT_DATA_DIR, readDirectoryFile } from './stack';

/**
 * `npm run -s token -- <client> [--scopes a,b] [--ttl seconds]`: prints an access token for a demo
 * client, and nothing else on stdout, so that `TOKEN=$(npm run -s token -- police)` works.
 */
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    scopes: { type: 'string' },
    ttl: { type: 'string', default: '3600' },
    'data-dir': { type: 'string', default: DEFAULT_DATA_DIR },
  },
});

const directory = await readDirectoryFile();
const clientId = positionals[0];
if (!clientId) {
  console.error(`usage: npm run -s token -- <client> [--scopes a,b] [--ttl seconds]
clients: ${directory.clients.map((c) => `${c.id} (${c.scopes.join(', ')})`).join('; ')}`);
  process.exit(2);
}
try {
  const scopes = values.scopes?.split(',').map((scope) => ScopeSchema.parse(scope.trim()));
  const ttlSeconds = Number(values.ttl);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 86_400)
    throw new TokenRequestError('--ttl must be 1..86400 seconds');
  const issuer = await openIssuer(join(values['data-dir'], 'issuer-key.json'), directory);
  process.stdout.write(`${await issuer.issue(clientId, { ...(scopes ? { scopes } : {}), ttlSeconds })}\n`);
} catch (error) {
  console.error(
    error instanceof TokenRequestError ? error.message : `cannot issue a token: ${(error as Error).message}`,
  );
  process.exit(2);
}
