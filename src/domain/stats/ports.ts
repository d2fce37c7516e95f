import type { Counter, TableId } from './tables';

/**
 * Where the aggregates live (the Stats table: src/adapters/dynamodb/stats-store.ts). One item per table, agency, month and
 * dimension values; each measure an attribute updated with `ADD`.
 */
export interface StatsCounterStore {
  /**
   * Adds the deltas and records `contributionKey` as applied, in one transaction, unless it was applied
   * before: then nothing changes and the answer is false (a redelivered event).
   */
  apply(contributionKey: string, deltas: readonly Counter[]): Promise<boolean>;
  /** Every counter of the table in these months: of one agency, or of all agencies. */
  read(table: TableId, months: readonly string[], agency?: string): Promise<Counter[]>;
}
