import { buildTable, type StatsTable } from './build-table';
import { contributionKey, contributions, type StatsEvent } from './contributions';
import { monthRange } from './periods';
import type { StatsCounterStore } from './ports';
import { type StatsQueryInput, statsQueryFor } from './schemas';

/**
 * Counts each event once: its deltas and its contribution key in one write, which a redelivered event
 * (the same key) fails and adds nothing. Events are applied one after another; a failure stops the batch
 * and is thrown, so the stream delivers the batch again and what was applied is skipped.
 */
export async function aggregateStats(
  store: StatsCounterStore,
  events: readonly StatsEvent[],
): Promise<{ applied: number; repeated: number }> {
  let applied = 0;
  let repeated = 0;
  for (const event of events) {
    if (await store.apply(contributionKey(event), contributions(event))) applied += 1;
    else repeated += 1;
  }
  return { applied, repeated };
}

/** Who asks for a table: an agency (its own figures and all agencies'), or an oversight body (all). */
export interface StatsCaller {
  agency: string;
  holdsCases: boolean;
}

/**
 * One published table: the caller's scope, the counters of that table and period (one agency's, or
 * every agency's, which the all-agency protection needs), built and protected by `buildTable`.
 */
export async function readStatsTable(
  store: StatsCounterStore,
  input: StatsQueryInput,
  caller: StatsCaller,
): Promise<StatsTable> {
  const query = statsQueryFor(input, caller);
  const months = monthRange(query.from, query.to);
  const counters = await store.read(
    query.table,
    months,
    query.scope === 'all-agencies' ? undefined : query.scope.agency,
  );
  return buildTable(query, counters);
}
