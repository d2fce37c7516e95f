import { describe, expect, it, vi } from 'vitest';
import { domainEvent } from '../../../../src/domain/exchange/events';
import { type OutboxDeps, publishOutbox } from '../../../../src/domain/exchange/outbox';

const NOW = new Date('2026-12-01T10:00:00.000Z');
const CASE_ID = '2b7e1516-28ae-4d2a-abf7-158809cf4f3c';
const event = (type: 'share.created' | 'request.created') =>
  domainEvent(type, NOW, { caseId: CASE_ID, recipients: ['police'] });

function setup() {
  const deps = {
    store: { markPublished: vi.fn(async () => undefined) },
    publisher: { publish: vi.fn(async () => undefined) },
    clock: () => NOW,
  } satisfies OutboxDeps;
  return deps;
}

describe('publishOutbox', () => {
  it('publishes the events of a batch, never a withheld one, then settles every entry', async () => {
    const deps = setup();
    const shared = event('share.created');
    const withheld = event('request.created');

    await publishOutbox(deps, [
      { event: shared, withheld: false },
      { event: withheld, withheld: true },
    ]);

    expect(deps.publisher.publish).toHaveBeenCalledWith([shared]);
    expect(deps.store.markPublished).toHaveBeenCalledWith(
      [shared.eventId, withheld.eventId],
      NOW.toISOString(),
    );
  });

  it('settles a batch of withheld entries without calling the bus', async () => {
    const deps = setup();
    const withheld = event('request.created');

    await publishOutbox(deps, [{ event: withheld, withheld: true }]);

    expect(deps.publisher.publish).not.toHaveBeenCalled();
    expect(deps.store.markPublished).toHaveBeenCalledWith([withheld.eventId], NOW.toISOString());
  });

  it('throws when the bus refuses, settling nothing, so that the batch is tried again', async () => {
    const deps = setup();
    deps.publisher.publish.mockRejectedValueOnce(new Error('bus down'));

    await expect(publishOutbox(deps, [{ event: event('share.created'), withheld: false }])).rejects.toThrow(
      'bus down',
    );
    expect(deps.store.markPublished).not.toHaveBeenCalled();
  });

  it('does nothing for an empty batch', async () => {
    const deps = setup();

    await publishOutbox(deps, []);

    expect(deps.publisher.publish).not.toHaveBeenCalled();
    expect(deps.store.markPublished).not.toHaveBeenCalled();
  });
});
