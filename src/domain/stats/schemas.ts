import * as z from 'zod';
import type { StatsQuery } from './build-table';
import { TABLE_IDS, type TableId } from './tables';

/**
 * The query of `GET /v1/stats`: which table, which whole months, whose
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

/** A published figure, or its mark: a suppressed figure is never a number. */
const CellSchema = z.union([
  z.strictObject({ value: z.number() }),
  z.strictObject({ suppressed: z.literal(true) }),
]);

/** A table of `GET /v1/stats` as JSON (`StatsTable` of build-table.ts). */
export const StatsTableSchema = z
  .strictObject({
    table: z.enum(TABLE_IDS as [TableId, ...TableId[]]),
    title: z.string(),
    scope: z.union([z.strictObject({ agency: z.string() }), z.literal('all-agencies')]),
    from: z.string(),
    to: z.string(),
    panels: z.array(
      z.strictObject({
        label: z.string().optional().meta({ description: 'The quarter, for a quarterly table.' }),
        rowDimension: z.string(),
        columns: z.array(
          z.strictObject({
            key: z.string(),
            label: z.string(),
            unit: z.enum(['count', 'percent', 'minutes']),
            total: z.literal(true).optional(),
          }),
        ),
        rows: z.array(
          z.strictObject({
            key: z.string(),
            label: z.string(),
            total: z.literal(true).optional(),
            cells: z.array(CellSchema),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'StatsTable' });

/** The same table as CSV (RFC 4180, CRLF), a suppressed figure written `[c]`. */
export const StatsCsvSchema = z
  .string()
  .meta({ id: 'StatsCsv', description: 'RFC 4180 CSV; `[c]` marks a suppressed figure.' });
