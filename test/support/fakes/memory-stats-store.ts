import type { StatsCounterStore } from '../../../src/domain/stats/ports';
import { type Counter, counterId, type TableId } from '../../../src/domain/stats/tables';

/** The aggregate store in memory: counters, and the contribution keys already applied. */
export class MemoryStatsStore implements StatsCounterStore {
  readonly counters = new Map<string, Counter>();
  readonly applied = new Set<string>();

  async apply(contributionKey: string, deltas: readonly Counter[]): Promise<boolean> {
    if (this.applied.has(contributionKey)) return false;
    this.applied.add(contributionKey);
    for (const delta of deltas) {
      const id = counterId(delta);
      this.counters.set(id, { ...delta, value: (this.counters.get(id)?.value ?? 0) + delta.value });
    }
    return true;
  }

  async read(table: TableId, months: readonly string[], agency?: string): Promise<Counter[]> {
    return [...this.counters.values()].filter(
      (c) => c.table === table && months.includes(c.month) && (agency === undefined || c.agency === agency),
    );
  }
}
