import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/audit/event';
import { eventLeafHash } from '../../src/domain/audit/leaf';
import { importCheckpointKey, verifyCheckpoint } from '../../src/domain/audit/log-verification';
import { verifyConsistency, verifyInclusion } from '../../src/domain/audit/merkle/verification';
import { auditCli, auditTable } from '../support/audit-log';
import { call, stack } from '../support/client';
import { tokensFor } from '../support/tokens';

/** A checkpoint verified with the key the log serves. */
const openCheckpoint = async (note: string, pem: string) =>
  verifyCheckpoint(note, await importCheckpointKey(pem));

const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

const [compliance, police] = await tokensFor('compliance', 'police');

/** The access log of the shared stack: sealed by the sealer loop, served by the audit routes. */
describe('the verifiable access log', () => {
  let directory: string;
  const table = auditTable(stack, stack.tables.AuditLog);

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'himaya-audit-log-'));
  });
  afterAll(async () => {
    table.close();
    await rm(directory, { recursive: true, force: true });
  });

  const read = (path: string, user = 'auditor-7') => call('GET', path, { token: compliance, user });

  /** Makes `count` audited requests as a fresh user; resolves with their events once all are sealed. */
  async function sealedRequests(count: number): Promise<AuditEvent[]> {
    const user = `sealed-${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < count; i++) await call('GET', '/v1/agencies', { token: police, user });
    const events = await table.eventsOf(user);
    expect(events).toHaveLength(count);
    for (const event of events) event.leafIndex = await table.sealed(event.eventId);
    return events;
  }

  it('serves a checkpoint in the signed-note format that verifies with the served public key', async () => {
    const note = await read('/v1/audit/checkpoint');
    const key = await read('/v1/audit/public-key');

    expect(note.status).toBe(200);
    expect(note.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(note.text).toMatch(
      /^himaya\.example\/audit\n\d+\n[A-Za-z0-9+/]{43}=\n\n\u2014 himaya\.example\/audit [A-Za-z0-9+/]+=*\n$/,
    );
    expect(key.headers.get('content-type')).toBe('application/x-pem-file');
    expect(key.text).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect((await openCheckpoint(note.text, key.text)).origin).toBe('himaya.example/audit');
  });

  it('lets anyone check a checkpoint signature with openssl alone, as the README shows', async () => {
    await writeFile(join(directory, 'checkpoint.txt'), (await read('/v1/audit/checkpoint')).text);
    await writeFile(join(directory, 'key.pem'), (await read('/v1/audit/public-key')).text);
    const script = [
      'head -n 3 checkpoint.txt > body.txt',
      "tail -n 1 checkpoint.txt | awk '{print $3}' | base64 -d | tail -c 64 > sig.bin",
      'openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in body.txt -sigfile sig.bin',
    ].join(' && ');

    const output = execFileSync('sh', ['-c', script], { cwd: directory, encoding: 'utf8' });
    await writeFile(
      join(directory, 'body.txt'),
      (await readFile(join(directory, 'body.txt'), 'utf8')).replace(/\n\d+\n/, '\n999999\n'),
    );
    const forged = () =>
      execFileSync(
        'openssl',
        [
          'pkeyutl',
          '-verify',
          '-pubin',
          '-inkey',
          'key.pem',
          '-rawin',
          '-in',
          'body.txt',
          '-sigfile',
          'sig.bin',
        ],
        {
          cwd: directory,
          stdio: 'pipe',
        },
      );

    expect(output).toContain('Signature Verified Successfully');
    expect(forged).toThrow();
  });

  it('shows each event its leaf index once sealed, and proves its inclusion in the signed tree', async () => {
    const [event] = await sealedRequests(1);
    const { eventId, leafIndex } = event as AuditEvent;

    const listed = await read(`/v1/audit/events?user=${(event as AuditEvent).user}`);
    const checkpoint = await openCheckpoint(
      (await read('/v1/audit/checkpoint')).text,
      (await read('/v1/audit/public-key')).text,
    );
    const proof = await read(`/v1/audit/proofs/inclusion?eventId=${eventId}&treeSize=${checkpoint.size}`);

    expect((listed.json.items as AuditEvent[])[0]?.leafIndex).toBe(leafIndex);
    expect(proof.status).toBe(200);
    expect(proof.json).toMatchObject({ eventId, leafIndex, treeSize: checkpoint.size });
    const leaf = eventLeafHash((listed.json.items as AuditEvent[])[0] as AuditEvent);
    expect(proof.json.leafHash).toBe(Buffer.from(leaf).toString('base64'));
    const path = (proof.json.proof as string[]).map(fromBase64);
    expect(verifyInclusion(leafIndex as number, checkpoint.size, leaf, path, checkpoint.rootHash)).toBe(true);
  });

  it('proves that a later checkpoint extends an earlier one', async () => {
    const key = (await read('/v1/audit/public-key')).text;
    const earlier = await openCheckpoint((await read('/v1/audit/checkpoint')).text, key);
    await sealedRequests(3);
    const later = await openCheckpoint((await read('/v1/audit/checkpoint')).text, key);

    const proof = await read(`/v1/audit/proofs/consistency?from=${earlier.size}&to=${later.size}`);

    expect(later.size).toBeGreaterThan(earlier.size);
    expect(proof.json).toMatchObject({ from: earlier.size, to: later.size });
    const path = (proof.json.proof as string[]).map(fromBase64);
    expect(verifyConsistency(earlier.size, later.size, earlier.rootHash, later.rootHash, path)).toBe(true);
  });

  it('answers bad proof requests with problem+json: unknown event, size beyond the checkpoint, bad input', async () => {
    const { size } = await openCheckpoint(
      (await read('/v1/audit/checkpoint')).text,
      (await read('/v1/audit/public-key')).text,
    );
    const [sealed] = await sealedRequests(1);

    const unknown = await read(`/v1/audit/proofs/inclusion?eventId=${'0'.repeat(10)}${'a'.repeat(20)}`);
    const tooLarge = await read(`/v1/audit/proofs/consistency?from=1&to=${size + 1_000_000}`);
    const reversed = await read(`/v1/audit/proofs/consistency?from=${size}&to=1`);
    const tooSmall = await read(
      `/v1/audit/proofs/inclusion?eventId=${sealed?.eventId}&treeSize=${sealed?.leafIndex}`,
    );
    const malformed = await read('/v1/audit/proofs/inclusion?eventId=../../etc');

    expect([unknown.status, tooLarge.status, reversed.status, tooSmall.status, malformed.status]).toEqual([
      404, 400, 400, 400, 400,
    ]);
    expect(tooSmall.json.errors).toEqual([
      { path: 'query.treeSize', message: expect.stringContaining('leaf index') },
    ]);
    expect(malformed.headers.get('content-type')).toBe('application/problem+json');
  });

  it('needs audit.read for every audit route, and records each read in the log', async () => {
    const user = `auditor-${randomUUID().slice(0, 8)}`;
    const paths = ['/v1/audit/checkpoint', '/v1/audit/public-key', '/v1/audit/proofs/consistency?from=1'];

    const denied = await Promise.all(paths.map((path) => call('GET', path, { token: police, user })));
    for (const path of paths) await read(path, user);

    expect(denied.map((r) => r.status)).toEqual([403, 403, 403]);
    const actions = (await table.eventsOf(user)).filter((e) => e.outcome === 200).map((e) => e.action);
    expect(actions.sort()).toEqual(['audit.checkpoint', 'audit.consistency-proof', 'audit.public-key']);
  });

  it('verifies with the CLI, and again against the state it kept', async () => {
    const state = join(directory, 'state.json');
    const args = ['verify', '--url', stack.gateway, '--token', compliance, '--state', state];

    const first = await auditCli(args);
    await sealedRequests(2);
    const second = await auditCli(args);

    expect(first).toMatchObject({ code: 0 });
    expect(first.out).toEqual([expect.stringMatching(/^verified: himaya\.example\/audit size \d+ root /)]);
    expect(second.code).toBe(0);
    expect(second.out[0]).toMatch(/extends size \d+ verified at /);
  });

  it('exports a case as an evidence bundle that verifies offline, and fails once altered', async () => {
    const caseId = randomUUID();
    for (let i = 0; i < 3; i++) {
      await call('GET', `/v1/cases/${caseId}`, {
        token: police,
        user: 'officer-9',
        purpose: 'criminal-investigation',
      });
    }
    const bundle = join(directory, 'bundle.json');
    await writeFile(join(directory, 'trusted.pem'), (await read('/v1/audit/public-key')).text);

    const exported = await auditCli([
      'export',
      '--url',
      stack.gateway,
      '--token',
      compliance,
      '--case',
      caseId,
      '--out',
      bundle,
    ]);
    // The real entry point, as `npm run audit --` runs it: offline, its exit code and its one line.
    const verified = await new Promise<{ code: number | null; out: string[] }>((resolve) => {
      execFile(
        'node_modules/.bin/tsx',
        ['scripts/audit-cli.ts', 'verify-bundle', bundle, '--public-key', join(directory, 'trusted.pem')],
        (error, stdout) =>
          resolve({ code: error ? (error.code as number) : 0, out: stdout.trim().split('\n') }),
      );
    });
    const content = JSON.parse(await readFile(bundle, 'utf8'));
    content.events[1].event.outcome = 200;
    await writeFile(bundle, JSON.stringify(content));
    const altered = await auditCli(['verify-bundle', bundle, '--public-key', join(directory, 'trusted.pem')]);

    expect(exported.code).toBe(0);
    expect(exported.out[0]).toMatch(/^exported: 3 events with their inclusion proofs/);
    expect(verified).toMatchObject({
      code: 0,
      out: [expect.stringMatching(/^verified: 3 events \(caseId=/)],
    });
    expect(altered.code).toBe(1);
    expect(altered.out[0]).toMatch(
      /^FAILED: leaf \d+, event \w+ .* is not in the signed log of size \d+: the event or its proof was altered/,
    );
  });

  it('exits 2 on bad usage and 3 when the log cannot be read', async () => {
    const usage = await auditCli(['verify', '--url', stack.gateway]);
    const unauthorized = await auditCli([
      'verify',
      '--url',
      stack.gateway,
      '--token',
      'nope',
      '--state',
      join(directory, 'x.json'),
    ]);

    expect(usage.code).toBe(2);
    expect(usage.err[0]).toMatch(/^--token is required\nusage: npm run audit -- <command>/);
    expect(unauthorized.code).toBe(3);
    expect(unauthorized.err[0]).toMatch(/^cannot read the log: GET \/v1\/audit\/public-key answered 401/);
  });
});
