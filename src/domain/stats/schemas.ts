import * as z from 'zod';
import type { StatsQuery } from './build-table';
import { TABLE_IDS, type TableId } from './tables';

/**
 * The query of `GET /v1/stats` (the route is later work): which table, which whole months, whose
 * figures (the caller's agency, or all agencies together), and JSON or CSV.
 */
const MonthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month is YYYY-MM');

export const StatsQuerySchema = z.strictObject({
  table: z.enum(TABLE_IDS as [TableId, ...TableId[]]),
  from: MonthSchema,
  to: MonthSchema,
  scope: z.enum(['own', 'all']).default('own'),
  format: z.enum(['json', 'csv']).default('json'),
});
export type StatsQueryInput = z.infer<typeof StatsQuerySchema>;

/**
 * The table a caller may have: its own agency's, or all agencies'. An organisation that holds no
 * cases (an oversight body) has no own figures: it gets the all-agency table.
 */
export function statsQueryFor(
  input: StatsQueryInput,
  caller: { agency: string; holdsCases: boolean },
): StatsQuery {
  const own = input.scope === 'own' && caller.holdsCases;
  return {
    table: input.table,
    from: input.from,
    to: input.to,
    scope: own ? { agency: caller.agency } : 'all-agencies',
  };
}
