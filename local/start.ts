import { parseArgs } from 'node:util';
import { DEFAULT_DATA_DIR, startLocalStack } from './stack';

/** `npm start [-- --in-memory]`: the whole system on this machine; Ctrl-C stops every part. */
const { values } = parseArgs({
  options: {
    'in-memory': { type: 'boolean', default: false },
    bundles: { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: DEFAULT_DATA_DIR },
  },
});
const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, not "${process.env.PORT}"`);
  process.exit(2);
}

const started = Date.now();
const stack = await startLocalStack({
  port,
  host: process.env.HOST ?? '127.0.0.1',
  dataDir: values['data-dir'],
  inMemory: values['in-memory'],
  bundles: values.bundles,
  // As in AWS, where the sealer is a function of its own: sealing takes no time from the requests' thread.
  sealerThread: true,
  log: (line) => console.log(line),
});

const { gateway } = stack.endpoints;
console.log(`
Himaya is running at ${gateway}  (started in ${((Date.now() - started) / 1000).toFixed(1)} s${values['in-memory'] ? ', in memory' : ''})
Compliance console: ${gateway}/console/  (sign in as a demo officer below)

  curl ${gateway}/v1/health
  TOKEN=$(npm run -s token -- police)
  curl -H "Authorization: Bearer $TOKEN" -H "X-Himaya-User: officer-1" ${gateway}/v1/agencies

Compliance console sign-in (authorization code + PKCE at ${gateway}/oauth2/authorize), demo officers:
${stack.officers.map((officer) => `  ${officer.username.padEnd(16)} ${officer.password}`).join('\n')}
  (passwords made for this data directory, kept in ${stack.endpoints.officersFile})

Endpoints for tools: ${values['data-dir']}/local.json. Press Ctrl-C to stop.`);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
