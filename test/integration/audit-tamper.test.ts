import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditItem, eventFromItem } from '../../src/adapters/dynamodb/audit-store';
import { decodeEntryBundle, encodeEntryBundle } from '../../src/domain/audit/entry-bundles';
import { type AuditEvent, newEventId } from '../../src/domain/audit/event';
import { eventLeafHash } from '../../src/domain/audit/leaf';
import { describeEvent } from '../../src/domain/audit/log-verification';
import { appendLeafWithSubtrees, EMPTY_FRONTIER } from '../../src/domain/audit/merkle/compact-range';
import type { CompletedSubtree } from '../../src/domain/audit/merkle/subtrees';
import { headFromFrontier, TreeIntegrityError } from '../../src/domain/audit/sealer';
import { appendToTiles } from '../../src/domain/audit/tiles';
import { auditCli, waitFor } from '../support/audit-log';
import {
  type Item,
  type OwnAuditStack,
  startOwnAuditStack,
  storedReadEvent,
} from '../support/own-audit-stack';

/**
 * Tampering straight with DynamoDB Local, on a stack of this file's own (the shared one must stay
 * intact): each change to the AuditLog table must make `verify` fail naming what is wrong, and the
 * sealer must refuse to sign over it. Every case restores what it changed, so the next starts intact.
 */
// Its own stack and sealer share 2 cores with the other files' stacks: sealing can lag under that load.
describe('tampering with the access log', { timeout: 120_000 }, () => {
  let stack: OwnAuditStack;
  let stateFile: string;
  const traffic = (count: number, user?: string) => stack.traffic(count, user);
  const settled = () => stack.settled();
  /** Runs `verify` with a state file (by default the one every case shares). */
  const verifyWithState = (state: string, ...extra: string[]) =>
    auditCli([
      'verify',
      '--url',
      stack.local.endpoints.gateway,
      '--token',
      stack.compliance,
      '--state',
      state,
      ...extra,
    ]);
  const verify = (...extra: string[]) => verifyWithState(stateFile, ...extra);

  // Raw table access: what an attacker with write access to the table could do.
  const raw = () => stack.table.documents;
  const TableName = () => stack.table.tableName;
  const getItem = async (pk: string, sk: string) =>
    (await raw().send(new GetCommand({ TableName: TableName(), Key: { pk, sk } }))).Item as Record<
      string,
      unknown
    >;
  const putItem = (Item: Record<string, unknown>) =>
    raw().send(new PutCommand({ TableName: TableName(), Item }));
  const deleteItem = (pk: string, sk: string) =>
    raw().send(new DeleteCommand({ TableName: TableName(), Key: { pk, sk } }));
  const eventKey = (eventId: string) => ({ pk: `EVENT#${eventId}`, sk: 'EVENT' });

  const scan = (filter: (item: Item) => boolean) => stack.scan(filter);
  const sealedEvents = async () =>
    (await scan((item) => item.sk === 'EVENT' && item.leafIndex !== undefined))
      .map(eventFromItem)
      .sort((a, b) => (a.leafIndex as number) - (b.leafIndex as number));
  const treeItems = () => scan((item) => item.pk === 'TREE' || String(item.pk).startsWith('TILE#'));
  const checkpointItems = () => scan((item) => item.pk === 'CHECKPOINT');

  /** An event sealed in the signed checkpoint, at about `fraction` of the log. */
  async function sealedEventAt(fraction: number): Promise<AuditEvent> {
    const size = await settled();
    const events = (await sealedEvents()).filter((e) => (e.leafIndex as number) < size);
    return events[Math.floor(fraction * (events.length - 1))] as AuditEvent;
  }

  /** Head and tiles of a tree over the given events, as a forger would compute them. */
  function forgedTree(events: readonly AuditEvent[]): Record<string, unknown>[] {
    let frontier = EMPTY_FRONTIER;
    const completed: CompletedSubtree[] = [];
    for (const event of events) {
      const step = appendLeafWithSubtrees(frontier, eventLeafHash(event));
      completed.push(...step.completed);
      frontier = step.frontier;
    }
    const head = headFromFrontier(frontier);
    return [
      {
        pk: 'TREE',
        sk: 'HEAD',
        size: head.size,
        frontier: [...frontier.hashes],
        rootHash: head.rootHash,
        updatedAt: new Date().toISOString(),
      },
      ...appendToTiles(0, events.length, completed, () => undefined).map(({ tile, hashes }) => ({
        pk: `TILE#${tile.level}#${tile.index}`,
        sk: 'TILE',
        width: hashes.length,
        hashes: Buffer.concat(hashes.map((h) => Buffer.from(h))),
      })),
    ];
  }

  beforeAll(async () => {
    stack = await startOwnAuditStack('tamper');
    stateFile = join(stack.dataDir, 'verifier-state.json');
    await traffic(40);
    await settled();
  });

  afterAll(() => stack?.stop());

  it('verifies an untouched log, and again against the state and the archive', async () => {
    const first = await verify();
    await traffic(5);
    await settled();
    const second = await verify('--archive', stack.local.endpoints.checkpointArchive as string);

    expect(first.code, first.out.join('\n')).toBe(0);
    expect(second.code, second.out.join('\n')).toBe(0);
    expect(second.out[0]).toMatch(/extends size \d+ verified at .* and size \d+ archived as /);
  });

  it('keeps the tree whole when two more sealers seal the same events at once', async () => {
    const events = Array.from({ length: 150 }, () => {
      const at = new Date();
      return storedReadEvent(at);
    });
    await stack.writeEvents(events);
    const [a, b] = [stack.coldSealer(), stack.coldSealer()];

    await Promise.all([a.seal([...events].reverse()), b.seal(events)]);
    await settled();

    const sealed = await sealedEvents();
    expect(sealed.map((e) => e.leafIndex)).toEqual([...sealed.keys()]);
    expect(new Set(sealed.map((e) => e.eventId)).size).toBe(sealed.length);
    expect((await verify()).code).toBe(0);
  });

  it('does not seal redelivered stream records twice (the Lambda handler, fed the same batch again)', async () => {
    const now = new Date().toISOString();
    const text = (await readFile('test/events/audit-log-stream.json', 'utf8')).replace(
      /2026-11-20T08:15:00\.(\d{3})Z/g,
      now,
    );
    const batch = JSON.parse(text) as DynamoDBStreamEvent;
    for (const record of batch.Records.slice(0, 2)) {
      await putItem(unmarshall(record.dynamodb?.NewImage as never) as Record<string, unknown>);
    }
    process.env.CHECKPOINT_ARCHIVE_DIR = stack.local.endpoints.checkpointArchive;
    const { handler } = await import('../../functions/sealer');
    const context = { functionName: 'sealer', awsRequestId: randomUUID() } as Context;

    await handler(batch, context);
    const once = await sealedEvents();
    await handler(batch, context);
    const twice = await sealedEvents();
    const heartbeat = JSON.parse(await readFile('test/events/heartbeat-schedule.json', 'utf8'));
    await handler(heartbeat, context);

    const ids = ['00mxa0b1c2d4e5f60718293a4b5c6d', '00mxa0b1c2e0f1e2d3c4b5a6978685'];
    const placed = (events: AuditEvent[]) =>
      events.filter((e) => ids.includes(e.eventId)).map((e) => [e.eventId, e.leafIndex]);
    expect(placed(once)).toHaveLength(2);
    expect(placed(twice)).toEqual(placed(once));
    await settled();
    expect((await verify()).code).toBe(0);
  });

  it('signs a heartbeat while the log is idle', async () => {
    const size = await settled();
    const before = await latestCheckpoint();

    const beat = await waitFor('a heartbeat checkpoint', async () => {
      const latest = await latestCheckpoint();
      return latest.signedAt > before.signedAt ? latest : undefined;
    });

    expect(beat.size).toBe(size);
    expect(beat.note).toBe(before.note);
  });

  it('fails when a field of an event was edited, naming the leaf and the event', async () => {
    const victim = await sealedEventAt(0.5);
    await raw().send(
      new UpdateCommand({
        TableName: TableName(),
        Key: eventKey(victim.eventId),
        UpdateExpression: 'SET outcome = :o',
        ExpressionAttributeValues: { ':o': 403 },
      }),
    );

    const result = await verify();
    await putItem(auditItem(victim));

    expect(result.code).toBe(1);
    expect(result.out[0]).toBe(
      `FAILED: leaf ${victim.leafIndex}, ${describeEvent(victim)}, does not match the signed log: the event was changed after it was sealed`,
    );
    expect((await verify()).code).toBe(0);
  });

  it('fails when an event was deleted, naming the missing leaf', async () => {
    const victim = await sealedEventAt(0.3);
    await deleteItem(`EVENT#${victim.eventId}`, 'EVENT');

    const result = await verify();
    await putItem(auditItem(victim));

    expect(result.code).toBe(1);
    expect(result.out[0]).toMatch(
      new RegExp(`^FAILED: leaf ${victim.leafIndex} of the \\d+ signed is missing`),
    );
    expect((await verify()).code).toBe(0);
  });

  it('fails when two events were swapped, naming both leaves', async () => {
    const [first, second] = [await sealedEventAt(0.2), await sealedEventAt(0.7)] as [AuditEvent, AuditEvent];
    const setIndex = (event: AuditEvent, leafIndex: number) =>
      raw().send(
        new UpdateCommand({
          TableName: TableName(),
          Key: eventKey(event.eventId),
          UpdateExpression: 'SET leafIndex = :i',
          ExpressionAttributeValues: { ':i': leafIndex },
        }),
      );
    await setIndex(first, second.leafIndex as number);
    await setIndex(second, first.leafIndex as number);

    const result = await verify();
    await putItem(auditItem(first));
    await putItem(auditItem(second));

    expect(result.code).toBe(1);
    expect(result.out[0]).toMatch(
      new RegExp(
        `^FAILED: leaf ${first.leafIndex} holds event ${second.eventId} .*, but the event sealed there is the one now at leaf ${second.leafIndex} \\(${first.eventId}\\): the log was reordered$`,
      ),
    );
    expect((await verify()).code).toBe(0);
  });

  it('fails when a forged event claims a sealed position', async () => {
    const victim = await sealedEventAt(0.6);
    const forged = { ...victim, eventId: newEventId(new Date(victim.time)), user: 'nobody', outcome: 200 };
    await putItem(auditItem(forged));

    const result = await verify();
    await deleteItem(`EVENT#${forged.eventId}`, 'EVENT');

    expect(result.code).toBe(1);
    expect(result.out[0]).toBe(
      `FAILED: leaf ${victim.leafIndex} is claimed by 2 events: ${[victim.eventId, forged.eventId].sort().join(', ')} (a forged or copied event)`,
    );
    expect((await verify()).code).toBe(0);
  });

  it('fails when the tree was forked to a history where an event reads otherwise, and the sealer refuses it', async () => {
    const size = await settled();
    const original = await treeItems();
    const events = (await sealedEvents()).filter((e) => (e.leafIndex as number) < size);
    const victim = events[Math.floor(size / 3)] as AuditEvent;
    const rewritten = events.map((e) => (e.eventId === victim.eventId ? { ...e, purpose: 'emergency' } : e));
    for (const item of forgedTree(rewritten)) await putItem(item);
    await putItem(auditItem(rewritten[victim.leafIndex as number] as AuditEvent));
    await traffic(1, 'after-fork');

    const result = await verify('--archive', stack.local.endpoints.checkpointArchive as string);
    const cold = stack.coldSealer().heartbeat(0);
    await expect(cold).rejects.toBeInstanceOf(TreeIntegrityError);
    await expect(cold).rejects.toMatchObject({ kind: 'forked' });
    const signedMeanwhile = await stack.table.latestCheckpointSize();
    const [afterFork] = await stack.table.eventsOf('after-fork');
    for (const item of original) await putItem(item);
    await putItem(auditItem(victim));

    expect(result.code).toBe(1);
    expect(result.out).toContainEqual(
      expect.stringMatching(
        /^FAILED: the log cannot prove that its checkpoint of size \d+ extends the checkpoint verified at .*: its history or its tree data was rewritten$/,
      ),
    );
    expect(result.out).toContain(
      `FAILED: the events do not match the signed checkpoint of size ${result.out.join('').match(/checkpoint of size (\d+), and/)?.[1]}, and the log's own proofs do not verify against it either: the tree state was rewritten to another history (a fork)`,
    );
    const range = result.out.map((line) => /^FAILED: leaves? (\d+)(?:-(\d+))?[ ,]/.exec(line)).find(Boolean);
    expect(Number(range?.[1])).toBeLessThanOrEqual(victim.leafIndex as number);
    expect(Number(range?.[2] ?? range?.[1])).toBeGreaterThanOrEqual(victim.leafIndex as number);
    expect(signedMeanwhile).toBe(size);
    expect(afterFork?.leafIndex).toBeUndefined();
    expect(stack.sealerLog.join('\n')).toMatch(
      /TreeIntegrityError \(the tree head \(size \d+\) does not extend the checkpoint/,
    );
    await waitFor('sealing to resume', async () => ((await verify()).code === 0 ? true : undefined));
  });

  it('fails when only the tree head was rewritten: the sealer stops, and unsealed events show it', async () => {
    const size = await settled();
    const original = await getItem('TREE', 'HEAD');
    const [other] = forgedTree(
      (await sealedEvents())
        .filter((e) => (e.leafIndex as number) < size)
        .map((e) => ({ ...e, user: 'rewritten' })),
    );
    await putItem(other as Record<string, unknown>);
    await traffic(1, 'stalled');
    const [stalled] = await stack.table.eventsOf('stalled');

    const result = await waitFor('verify to report the stalled event', async () => {
      const attempt = await verify('--grace', '1');
      return attempt.code === 1 ? attempt : undefined;
    });
    await putItem(original);

    expect(result.out).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^FAILED: event ${stalled?.eventId} .* is not sealed 1 s after it was written: .*refuses to extend an altered tree`,
        ),
      ),
    );
    expect(await stack.table.latestCheckpointSize()).toBe(size);
    await waitFor('sealing to resume', async () => ((await verify()).code === 0 ? true : undefined));
  });

  it('fails when the newest events were truncated', async () => {
    const size = await settled();
    const tail = (await sealedEvents()).filter(
      (e) => (e.leafIndex as number) >= size - 3 && (e.leafIndex as number) < size,
    );
    for (const event of tail) await deleteItem(`EVENT#${event.eventId}`, 'EVENT');

    const result = await verify();
    for (const event of tail) await putItem(auditItem(event));

    expect(result.code).toBe(1);
    expect(result.out[0]).toMatch(
      new RegExp(`^FAILED: leaves ${size - 3}-${size - 1} of the \\d+ signed are missing`),
    );
    expect((await verify()).code).toBe(0);
  });

  it('fails when the whole log was rolled back to an earlier size, against the state and the archive', async () => {
    const size = await settled();
    const keep = Math.floor(size / 2);
    const [tree, checkpoints, events] = [await treeItems(), await checkpointItems(), await sealedEvents()];
    for (const item of tree) await deleteItem(String(item.pk), String(item.sk));
    for (const item of forgedTree(events.slice(0, keep))) await putItem(item);
    for (const item of checkpoints.filter((c) => (c.size as number) > keep))
      await deleteItem('CHECKPOINT', String(item.sk));
    for (const event of events.slice(keep)) await deleteItem(`EVENT#${event.eventId}`, 'EVENT');

    const withState = await verify();
    const withArchive = await verifyWithState(
      join(stack.dataDir, 'fresh-state.json'),
      '--archive',
      stack.local.endpoints.checkpointArchive as string,
    );
    const cold = stack.coldSealer().heartbeat(0);
    await expect(cold).rejects.toMatchObject({ name: 'TreeIntegrityError', kind: 'truncated' });
    for (const item of await treeItems()) await deleteItem(String(item.pk), String(item.sk));
    for (const item of [...tree, ...checkpoints]) await putItem(item);
    for (const event of events.slice(keep)) await putItem(auditItem(event));

    expect(withState.code).toBe(1);
    expect(withState.out[0]).toMatch(
      /^FAILED: the log's checkpoint has \d+ events, fewer than the \d+ of the checkpoint verified at .*: the log was truncated or rolled back$/,
    );
    expect(withArchive.code).toBe(1);
    expect(withArchive.out[0]).toMatch(/fewer than the \d+ of the checkpoint archived as \d{16}-/);
    await waitFor('sealing to resume', async () => ((await verify()).code === 0 ? true : undefined));
  });

  it('fails when an entry bundle was altered, though every event row is intact', async () => {
    // A full bundle: the sealer never rewrites it, so the change stays until it is undone.
    await traffic(Math.max(0, 260 - (await settled())));
    const size = await settled();
    const original = await getItem('ENTRIES#0', 'ENTRIES');
    const entries = decodeEntryBundle(inflateRawSync(original.entries as Uint8Array));
    const altered = entries.map((entry, i) =>
      i === 100
        ? Buffer.from(Buffer.from(entry).toString('utf8').replace('"sourceIp":"', '"sourceIp":"1'))
        : entry,
    );
    await putItem({ ...original, entries: deflateRawSync(encodeEntryBundle(altered)) });

    const result = await verify();
    await putItem(original);

    expect(result.code).toBe(1);
    expect(result.out[0]).toMatch(
      /^FAILED: the entry bundles the log serves do not give the signed checkpoint of size \d+: its tile data was altered$/,
    );
    expect(Number(/size (\d+)/.exec(result.out[0] ?? '')?.[1])).toBeGreaterThanOrEqual(size);
    expect((await verify()).code).toBe(0);
  });

  it('fails when a forged event was inserted with a past date', async () => {
    const at = new Date(Date.now() - 3_600_000);
    const forged = storedReadEvent(at, { user: 'backdated' });
    await putItem(auditItem(forged));

    const result = await waitFor('verify to catch the back-dated event', async () => {
      const attempt = await verify();
      return attempt.code === 1 ? attempt : undefined;
    });

    expect(result.out.join('\n')).toMatch(
      new RegExp(
        `event ${forged.eventId} .*(is dated \\d+ s before leaf \\d+, which was sealed earlier|is not sealed)`,
      ),
    );
  });

  async function latestCheckpoint() {
    const result = await raw().send(
      new QueryCommand({
        TableName: TableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'CHECKPOINT' },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    return result.Items?.[0] as { size: number; signedAt: string; note: string };
  }
});
