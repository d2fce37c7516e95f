import { runKeysCli } from './keys/cli';

/** `npm run keys -- create|rotate <agency> | reencrypt`: branch key operations (see scripts/keys/cli.ts). */
process.exitCode = await runKeysCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
