import { runAuditCli } from './audit/cli';

/** `npm run audit -- <command>`: the access-log verifier for compliance officers (see scripts/audit/cli.ts). */
process.exitCode = await runAuditCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  now: () => new Date(),
});
