import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventFromItem } from '../../src/adapters/dynamodb/audit-store';
import { decodeEntryBundle } from '../../src/domain/audit/entry-bundles';
import type { AuditEvent } from '../../src/domain/audit/event';
import { eventLeafInput } from '../../src/domain/audit/leaf';
import { TreeIntegrityError } from '../../src/domain/audit/sealer';
import { auditCli, waitFor } from '../support/audit-log';
import { type Item, type OwnAuditStack, startOwnAuditStack } from '../support/own-audit-stack';

/**
 * A log sealed before the sealer wrote entry bundles, on a stack of this file's own: its bundle items are
 * deleted (as they never existed), and the sealer must rebuild the partial one from the sealed events and
 * go on sealing, but never adopt an event row changed since it was sealed.
 */
describe('a log sealed before entry bundles existed', { timeout: 120_000 }, () => {
  let stack: OwnAuditStack;
  const traffic = (count: number, user?: string) => stack.traffic(count, user);
  const settled = () => stack.settled();
  const verify = () =>
    auditCli([
      'verify',
      '--url',
      stack.local.endpoints.gateway,
      '--token',
      stack.compliance,
      '--state',
      join(stack.dataDir, `state-${Date.now()}.json`),
    ]);
  const raw = () => stack.table.documents;
  const TableName = () => stack.table.tableName;
  const items = (filter: (item: Item) => boolean) => stack.scan(filter);
  const bundleItems = () => items((item) => String(item.pk).startsWith('ENTRIES#'));
  /** Removes every entry bundle: the table as a sealer before bundles left it. */
  const forgetBundles = async () => {
    for (const item of await bundleItems()) {
      await raw().send(new DeleteCommand({ TableName: TableName(), Key: { pk: item.pk, sk: item.sk } }));
    }
  };
  const sealedEvents = async (size: number) =>
    (await items((item) => item.sk === 'EVENT' && typeof item.leafIndex === 'number'))
      .map(eventFromItem)
      .filter((event) => (event.leafIndex as number) < size)
      .sort((a, b) => (a.leafIndex as number) - (b.leafIndex as number));

  beforeAll(async () => {
    stack = await startOwnAuditStack('upgrade');
    await traffic(30);
    await settled();
  });

  afterAll(() => stack?.stop());

  it('refuses to rebuild the partial bundle over an event row changed since it was sealed', async () => {
    const size = await settled();
    const events = await sealedEvents(size);
    const victim = events[events.length - 2] as AuditEvent;
    const key = { pk: `EVENT#${victim.eventId}`, sk: 'EVENT' };
    const original = (await raw().send(new GetCommand({ TableName: TableName(), Key: key }))).Item as Record<
      string,
      unknown
    >;
    await raw().send(new PutCommand({ TableName: TableName(), Item: { ...original, user: 'someone-else' } }));
    await forgetBundles();
    await traffic(1, 'after-tamper');
    const [pending] = await stack.table.eventsOf('after-tamper');

    const cold = stack.coldSealer().seal([eventFromItem(pending as unknown as Record<string, unknown>)]);
    await expect(cold).rejects.toBeInstanceOf(TreeIntegrityError);
    await expect(cold).rejects.toThrow(
      `entry bundle 0 cannot be rebuilt: the event at leaf ${victim.leafIndex} is not the one sealed there`,
    );
    // The stack's own sealer, fed the same event by the stream, refuses it too.
    await waitFor(
      "the stack's sealer to refuse the rebuild",
      async () =>
        /TreeIntegrityError \(entry bundle 0 cannot be rebuilt/.test(stack.sealerLog.join('\n'))
          ? true
          : undefined,
      30_000,
    );
    const [stillPending] = await stack.table.eventsOf('after-tamper');
    const bundlesMeanwhile = await bundleItems();
    await raw().send(new PutCommand({ TableName: TableName(), Item: original }));

    expect(stillPending?.leafIndex).toBeUndefined();
    expect(bundlesMeanwhile).toEqual([]);
    // Restored, the row is the one sealed: the sealer rebuilds the bundle and catches up.
    await settled();
    expect((await verify()).code).toBe(0);
  });

  it('rebuilds the partial bundle from the sealed events, keeps sealing, and verifies', async () => {
    const size = await settled();
    expect(size % 256).not.toBe(0);
    await forgetBundles();

    await traffic(10, 'after-upgrade');
    const grown = await settled();
    const [item] = await bundleItems();
    const entries = decodeEntryBundle(inflateRawSync(item?.entries as Uint8Array));
    const result = await verify();

    expect(grown).toBeGreaterThan(size);
    expect(item?.pk).toBe('ENTRIES#0');
    expect(entries.map((entry) => Buffer.from(entry))).toEqual(
      (await sealedEvents(entries.length)).map((event) => Buffer.from(eventLeafInput(event))),
    );
    expect(entries.length).toBeGreaterThanOrEqual(grown);
    expect(result.code, result.out.join('\n')).toBe(0);
  });

  it('verifies a log whose full bundles were never written from its listing alone, and says so', async () => {
    // Prepare: past a whole bundle of 256 leaves, then the bundles of a log sealed before them.
    await traffic(260, 'full-bundle');
    await settled();
    await forgetBundles();
    await traffic(3, 'after-upgrade-2');
    await settled();

    // Act
    const result = await verify();

    // Assess: the rebuilt partial bundle is there, the full one is not, and verify still passes.
    expect((await bundleItems()).map((item) => item.pk)).toEqual(['ENTRIES#1']);
    expect(result.code, [...result.out, ...result.err].join('\n')).toBe(0);
    expect(result.err.join('\n')).toMatch(
      /entry bundle 0 is not served: verifying from the event listing alone/,
    );
  });
});
