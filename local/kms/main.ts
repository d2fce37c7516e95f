/**
 * The KMS emulator as a process of its own, as the local stack runs it (local/kms-process.ts), so that
 * it can be paused and killed like DynamoDB Local:
 *
 *   node --import tsx local/kms/main.ts [--port <n>] [--host <ip>] [--state-file <file>]
 *
 * It tells its endpoint to the process that started it (IPC), or prints it as a JSON line, and it stops
 * on SIGTERM or SIGINT, or when that process goes away.
 */
import { parseArgs } from 'node:util';
import { startKmsEmulator } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'state-file': { type: 'string' },
  },
});
const emulator = await startKmsEmulator({
  port: Number(values.port),
  host: values.host,
  ...(values['state-file'] ? { stateFile: values['state-file'] } : {}),
});

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void emulator.close().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

const ready = { endpoint: emulator.endpoint, port: emulator.port };
if (process.send) {
  process.send(ready);
  process.once('disconnect', stop);
} else {
  console.log(JSON.stringify(ready));
}
