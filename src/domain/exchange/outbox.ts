import type { EventPublisher, ExchangeStore, OutboxEntry } from './ports';

export interface OutboxDeps {
  store: Pick<ExchangeStore, 'markPublished'>;
  publisher: EventPublisher;
  clock: () => Date;
}

/**
 * Publishes the entries' events, withheld ones left out, then marks every entry settled. Off the request
 * path: the outbox processor runs it on the Cases stream, the deadline sweep on what a failed batch left.
 * A failure throws, so that the batch is tried again; delivery is at least once.
 */
export async function publishOutbox(deps: OutboxDeps, entries: readonly OutboxEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const events = entries.filter((entry) => !entry.withheld).map((entry) => entry.event);
  if (events.length > 0) await deps.publisher.publish(events);
  await deps.store.markPublished(
    entries.map((entry) => entry.event.eventId),
    deps.clock().toISOString(),
  );
}
