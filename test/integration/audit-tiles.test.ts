import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventFromItem } from '../../src/adapters/dynamodb/audit-store';
import { decodeEntryBundle } from '../../src/domain/audit/entry-bundles';
import type { AuditEvent } from '../../src/domain/audit/event';
import { eventLeafInput } from '../../src/domain/audit/leaf';
import { hashLeaves, MerkleLevels } from '../../src/domain/audit/log-recomputation';
import { importCheckpointKey, verifyCheckpoint } from '../../src/domain/audit/log-verification';
import { rootHash } from '../../src/domain/audit/merkle/hashing';
import { auditCli, auditTable } from '../support/audit-log';
import { call, stack } from '../support/client';
import { enforceContract } from '../support/contract';
import { tokensFor } from '../support/tokens';

const [compliance, police] = await tokensFor('compliance', 'police');

/** A tile route, read as bytes (as a verifier asks for them), held against the OpenAPI document. */
async function tile(path: string, user = 'auditor-tiles', token = compliance) {
  const response = await fetch(`${stack.gateway}${path}`, {
    headers: { authorization: `Bearer ${token}`, 'x-himaya-user': user, accept: 'application/octet-stream' },
  });
  const bytes = new Uint8Array(await response.arrayBuffer());
  const text = Buffer.from(bytes).toString('latin1');
  await enforceContract({ method: 'GET', path, status: response.status, headers: response.headers, text });
  return { status: response.status, headers: response.headers, bytes, text };
}

const split = (bytes: Uint8Array) =>
  Array.from({ length: bytes.length / 32 }, (_, i) => bytes.subarray(32 * i, 32 * i + 32));

/** The access log in bulk: entry bundles and hash tiles of the signed tree (C2SP tlog-tiles). */
describe('the access log tiles', { timeout: 120_000 }, () => {
  const table = auditTable(stack, stack.tables.AuditLog);
  afterAll(() => table.close());
  const read = (path: string) => call('GET', path, { token: compliance, user: 'auditor-tiles' });
  const checkpoint = async () =>
    verifyCheckpoint(
      (await read('/v1/audit/checkpoint')).text,
      await importCheckpointKey((await read('/v1/audit/public-key')).text),
    );

  /** Audited requests as a fresh user, a few at a time, until the signed tree holds a full tile. */
  async function logOfAtLeast(size: number): Promise<AuditEvent[]> {
    const user = `tiles-${randomUUID().slice(0, 8)}`;
    const missing = Math.max(1, size - (await table.latestCheckpointSize()));
    for (let i = 0; i < missing; i += 8) {
      const batch = Math.min(8, missing - i);
      await Promise.all(
        Array.from({ length: batch }, () => call('GET', '/v1/agencies', { token: police, user })),
      );
    }
    const events = (await table.eventsOf(user)).map(eventFromItem);
    for (const event of events) event.leafIndex = await table.sealed(event.eventId, 60_000);
    return events;
  }

  it('serves the sealed bytes of every leaf, whose tree is the signed one; full tiles cacheable forever', async () => {
    const mine = await logOfAtLeast(300);
    const signed = await checkpoint();
    const full = Math.floor(signed.size / 256);
    const width = signed.size % 256;

    const bundles = [];
    for (let n = 0; n < full; n++) bundles.push(await tile(`/v1/audit/tiles/entries/${n}`));
    const partial = width > 0 ? await tile(`/v1/audit/tiles/entries/${full}?width=${width}`) : undefined;
    const leafTile = await tile('/v1/audit/tiles/hashes/0/0');
    const again = await tile('/v1/audit/tiles/entries/0');
    const range = await tile(`/v1/audit/entry-bundles/0/${Math.min(full, 8)}`);

    const entries = [...bundles, ...(partial ? [partial] : [])].flatMap((b) => decodeEntryBundle(b.bytes));
    expect(entries).toHaveLength(signed.size);
    const tree = new MerkleLevels(hashLeaves(entries));
    expect(Buffer.from(tree.root())).toEqual(Buffer.from(signed.rootHash));
    for (const event of mine.filter((e) => (e.leafIndex as number) < signed.size)) {
      expect(Buffer.from(entries[event.leafIndex as number] as Uint8Array)).toEqual(
        Buffer.from(eventLeafInput(event)),
      );
    }
    expect(split(leafTile.bytes).map((h) => Buffer.from(h))).toEqual(
      Array.from({ length: 256 }, (_, i) => Buffer.from(tree.subtree(0, i))),
    );
    const first = bundles[0] as Awaited<ReturnType<typeof tile>>;
    expect(first.headers.get('content-type')).toBe('application/octet-stream');
    expect(first.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    expect(first.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(again.bytes).toEqual(first.bytes);
    if (partial) expect(partial.headers.get('cache-control')).toBe('private, no-cache');
    expect(Buffer.from(range.bytes)).toEqual(Buffer.concat(bundles.slice(0, 8).map((b) => b.bytes)));
    expect(range.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
  });

  it('serves the hash tiles of upper rows: each entry of row 1 is the root of 256 leaves', async () => {
    await logOfAtLeast(300);
    const signed = await checkpoint();
    const width = Math.floor(signed.size / 256);

    const row1 = await tile(`/v1/audit/tiles/hashes/1/0?width=${width}`);
    const leaves = await tile('/v1/audit/tiles/hashes/0/0');

    expect(row1.status).toBe(200);
    expect(row1.bytes).toHaveLength(32 * width);
    expect(Buffer.from(split(row1.bytes)[0] as Uint8Array)).toEqual(
      Buffer.from(rootHash(split(leaves.bytes))),
    );
    expect(row1.headers.get('cache-control')).toBe('private, no-cache');
  });

  it('refuses tiles beyond the latest checkpoint with 404, and bad coordinates with 400', async () => {
    // Far enough beyond the signed size that the log, growing with each audited request, cannot reach it.
    await logOfAtLeast(300);
    const next = Math.floor((await checkpoint()).size / 256) + 1;

    const beyond = await tile(`/v1/audit/tiles/entries/${next + 5}`);
    const rangeBeyond = await tile(`/v1/audit/entry-bundles/${next - 1}/2`);
    const notYet = await tile(`/v1/audit/tiles/entries/${next}?width=1`);
    const partialAsFull = await tile('/v1/audit/tiles/hashes/1/0');
    const upper = await tile('/v1/audit/tiles/hashes/3/0?width=1');
    const bad = await Promise.all(
      [
        '/v1/audit/tiles/entries/0?width=256',
        '/v1/audit/tiles/entries/0?width=0',
        '/v1/audit/tiles/hashes/6/0',
        '/v1/audit/tiles/entries/-1',
        '/v1/audit/entry-bundles/0/9',
        '/v1/audit/entry-bundles/0/0',
      ].map((path) => tile(path)),
    );

    expect([beyond.status, notYet.status, partialAsFull.status, upper.status, rangeBeyond.status]).toEqual([
      404, 404, 404, 404, 404,
    ]);
    expect(partialAsFull.text).toMatch(/it holds \d+, ask with width=\d+/);
    expect(bad.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400]);
    expect(beyond.headers.get('content-type')).toBe('application/problem+json');
  });

  it('needs audit.read, and records each tile read in the log', async () => {
    const user = `tile-reader-${randomUUID().slice(0, 8)}`;

    const denied = await tile('/v1/audit/tiles/entries/0', user, police);
    await tile('/v1/audit/tiles/entries/0', user);
    await tile('/v1/audit/tiles/hashes/0/0?width=1', user);

    expect(denied.status).toBe(403);
    const events = (await table.eventsOf(user)).filter((e) => e.outcome === 200);
    expect(events.map((e) => [e.action, e.resource]).sort()).toEqual([
      ['audit.entries', '/v1/audit/tiles/entries/0'],
      ['audit.tile', '/v1/audit/tiles/hashes/0/0'],
    ]);
  });

  it('is what the verifier reads: one request per 2,048 events, and the events it lists checked against them', async () => {
    await logOfAtLeast(300);
    const user = `verifier-${randomUUID().slice(0, 8)}`;
    const directory = await mkdtemp(join(tmpdir(), 'himaya-tiles-'));
    const state = join(directory, 'state.json');

    const result = await auditCli([
      'verify',
      ...['--url', stack.gateway, '--token', compliance, '--user', user, '--state', state],
    ]);
    await rm(directory, { recursive: true, force: true });

    expect(result.code).toBe(0);
    const size = Number(/ size (\d+) /.exec(result.out[0] ?? '')?.[1]);
    const actions = (await table.eventsOf(user)).map((e) => e.action);
    const fullBundles = Math.floor(size / 256);
    const requests = Math.ceil(fullBundles / 8) + (size % 256 > 0 ? 1 : 0);
    expect(actions.filter((a) => a === 'audit.entries')).toHaveLength(requests);
    expect(actions).toContain('audit.list');
  });
});
