import { join } from 'node:path';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutLeaves, type ListingSizes } from '../../scripts/audit/cli';
import { auditItem, eventFromItem } from '../../src/adapters/dynamodb/audit-store';
import type { AuditEvent } from '../../src/domain/audit/event';
import { describeEvent } from '../../src/domain/audit/log-verification';
import { auditCli } from '../support/audit-log';
import { type OwnAuditStack, startOwnAuditStack, storedReadEvent } from '../support/own-audit-stack';

/**
 * `verify` on a log large enough to be read as a large one is: entry bundles eight to a request, the
 * listing in several time ranges merged into one. Page and range sizes are scaled down (the same code
 * path, smaller numbers) so that a few thousand events are read as tens of thousands would be.
 */
const SIZES: ListingSizes = { pageSize: 100, eventsPerRange: 400 };
/** Ten full bundles (a request for eight, one for two) and a partial one; six listing ranges. */
const EVENTS = 2_600;
/** Events per millisecond: several share each range bound, on both sides of the leaf it is cut at. */
const SAME_TIME = 4;

describe('verify on a log read in bulk', { timeout: 120_000 }, () => {
  let stack: OwnAuditStack;
  let size: number;
  let stateFile: string;

  const verify = () =>
    auditCli(
      ['verify', '--url', stack.local.endpoints.gateway, '--token', stack.compliance, '--state', stateFile],
      SIZES,
    );
  const raw = () => stack.table.documents;
  const TableName = () => stack.table.tableName;
  const restore = (event: AuditEvent) =>
    raw().send(new PutCommand({ TableName: TableName(), Item: auditItem(event) }));

  /**
   * The event at the leaf where `verify` will cut the listing for the `k`th time. Its own first reads may be
   * sealed before it reads the checkpoint, moving that leaf by one at most: the event is then the last
   * before the bound rather than at it (four events share each bound's time, so this is rare).
   */
  async function eventAtCut(k: number): Promise<AuditEvent> {
    const signed = await stack.settled();
    const [item] = await stack.scan(
      (item) => item.sk === 'EVENT' && item.leafIndex === cutLeaves(signed, SIZES.eventsPerRange)[k],
    );
    return eventFromItem(item as Record<string, unknown>);
  }

  /** The last event sealed before the time of the `k`th bound: the last one only the range before lists. */
  async function eventBeforeCut(k: number): Promise<AuditEvent> {
    const atCut = await eventAtCut(k);
    const before = await stack.scan(
      (item) => item.sk === 'EVENT' && typeof item.leafIndex === 'number' && String(item.time) < atCut.time,
    );
    const last = before.reduce((a, b) => ((a.leafIndex as number) > (b.leafIndex as number) ? a : b));
    return eventFromItem(last);
  }

  /** `verify` with the outcome of `victim` changed in the table, then the event put back as it was. */
  async function verifyWithEdited(victim: AuditEvent) {
    await raw().send(
      new UpdateCommand({
        TableName: TableName(),
        Key: { pk: `EVENT#${victim.eventId}`, sk: 'EVENT' },
        UpdateExpression: 'SET outcome = :o',
        ExpressionAttributeValues: { ':o': 403 },
      }),
    );
    const result = await verify();
    await restore(victim);
    return result;
  }

  const changedAfterSealing = (victim: AuditEvent) =>
    `FAILED: leaf ${victim.leafIndex}, ${describeEvent(victim)}, does not match the signed log: the event was changed after it was sealed`;

  beforeAll(async () => {
    stack = await startOwnAuditStack('verify-bulk');
    stateFile = join(stack.dataDir, 'verifier-state.json');
    const start = Date.now() - EVENTS;
    const events = Array.from({ length: EVENTS }, (_, i) => {
      const at = new Date(start + Math.floor(i / SAME_TIME));
      return storedReadEvent(at);
    });
    await stack.writeEvents(events);
    size = await stack.settled();
  });

  afterAll(() => stack?.stop());

  it('verifies the untouched log, every event once, through several ranges and multi-bundle requests', async () => {
    const result = await verify();

    expect(result.code, result.out.join('\n')).toBe(0);
    const [, signed, recomputed] =
      /size (\d+) root .* all (\d+) events recomputed/.exec(result.out[0] ?? '') ?? [];
    expect(Number(recomputed)).toBe(Number(signed));
    expect(Number(signed)).toBeGreaterThanOrEqual(size);
    expect(cutLeaves(size, SIZES.eventsPerRange)).toHaveLength(5);
    // Each request is itself in the access log: the verifier's reads show how it read.
    await stack.settled();
    const reads = await stack.scan((item) => item.sk === 'EVENT' && item.user === 'verifier');
    const bundleReads = reads.filter((e) => String(e.resource).startsWith('/v1/audit/entry-bundles/'));
    expect(bundleReads.map((e) => e.resource).sort()).toEqual([
      '/v1/audit/entry-bundles/0/8',
      '/v1/audit/entry-bundles/8/2',
    ]);
  });

  it('fails naming the event edited at a range bound', async () => {
    const victim = await eventAtCut(1);

    const result = await verifyWithEdited(victim);

    expect(result.code).toBe(1);
    expect(result.out).toEqual([changedAfterSealing(victim)]);
  });

  it('fails naming the event edited just before a range bound', async () => {
    const victim = await eventBeforeCut(3);

    const result = await verifyWithEdited(victim);

    expect(result.code).toBe(1);
    expect(result.out).toEqual([changedAfterSealing(victim)]);
  });

  it('fails when an event was deleted at a range bound, naming the missing leaf', async () => {
    const victim = await eventAtCut(2);
    await raw().send(
      new DeleteCommand({ TableName: TableName(), Key: { pk: `EVENT#${victim.eventId}`, sk: 'EVENT' } }),
    );

    const result = await verify();
    await restore(victim);

    expect(result.code).toBe(1);
    expect(result.out[0]).toMatch(
      new RegExp(`^FAILED: leaf ${victim.leafIndex} of the \\d+ signed is missing`),
    );
    expect((await verify()).code).toBe(0);
  });
});
