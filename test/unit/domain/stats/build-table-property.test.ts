import { describe, expect, it } from 'vitest';
import { buildTable, type Cell, type StatsScope } from '../../../../src/domain/stats/build-table';
import { isSmall } from '../../../../src/domain/stats/disclosure';
import { HISTOGRAM_BUCKETS } from '../../../../src/domain/stats/histogram';
import { monthRange } from '../../../../src/domain/stats/periods';
import {
  type Counter,
  counterDimensions,
  DIMENSIONS,
  TABLE_IDS,
  TABLES,
  type TableId,
} from '../../../../src/domain/stats/tables';
import { seededRandom } from '../../../support/seeded-random';

type Random = ReturnType<typeof seededRandom>;
const AGENCIES = ['cfpc', 'police', 'health'];
const MONTHS = monthRange('2026-01', '2026-12');
const pick = <T>(random: Random, items: readonly T[]): T => items[random.int(0, items.length - 1)] as T;

/** Sparse random counters of one table: mostly small, for every agency. */
function countersOf(random: Random, table: TableId): Counter[] {
  const definition = TABLES[table];
  const measures =
    definition.kind === 'grid'
      ? ['count']
      : ['met', 'missed', ...Array.from({ length: 12 }, () => `h${random.int(0, HISTOGRAM_BUCKETS - 1)}`)];
  return Array.from({ length: random.int(5, 80) }, () => ({
    table,
    month: pick(random, MONTHS),
    agency: pick(random, AGENCIES),
    dims: counterDimensions(definition).map((dimension) => pick(random, DIMENSIONS[dimension].values)),
    measure: pick(random, measures),
    value: random.next() < 0.7 ? random.int(1, 6) : random.int(7, 30),
  }));
}

const shown = (cell: Cell | undefined) =>
  cell === undefined || 'suppressed' in cell ? undefined : cell.value;

describe('built tables (seeded random counters of every table)', () => {
  it('never show a count of 1–10, a median over fewer than 11 or a share giving away 1–10, and show totals that add up, in 240 tables', () => {
    const random = seededRandom(42);
    let mediansShown = 0;
    let sharesShown = 0;
    for (let index = 0; index < 240; index++) {
      // Prepare
      const table = TABLE_IDS[index % TABLE_IDS.length] as TableId;
      const counters = countersOf(random, table);
      const scope: StatsScope = index % 2 === 0 ? 'all-agencies' : { agency: pick(random, AGENCIES) };
      const quarterly =
        TABLES[table].kind === 'grid' && 'quarterly' in TABLES[table] && TABLES[table].quarterly;
      const to = quarterly ? '2026-06' : pick(random, MONTHS);
      // Act
      const built = buildTable({ table, from: '2026-01', to, scope }, counters);
      // Assess
      for (const panel of built.panels) {
        for (const row of panel.rows) {
          const counts = row.cells.filter((_, c) => panel.columns[c]?.unit === 'count').map(shown);
          for (const value of counts)
            if (value !== undefined) expect(isSmall(value), `${table} ${row.label}`).toBe(false);
          const parts = counts.slice(0, -1);
          const total = counts.at(-1);
          // What the row's figures are computed from, in scope (or of one agency).
          const sum = (measure: (m: string) => boolean, agency?: string) =>
            counters
              .filter((c) => measure(c.measure) && c.month <= to && (row.total || c.dims[0] === row.key))
              .filter((c) =>
                agency === undefined
                  ? scope === 'all-agencies' || c.agency === scope.agency
                  : c.agency === agency,
              )
              .reduce((total, c) => total + c.value, 0);
          const rest = (measure: (m: string) => boolean) =>
            scope === 'all-agencies' ? AGENCIES.map((agency) => sum(measure) - sum(measure, agency)) : [];
          const timed = (m: string) => m.startsWith('h');
          const column = (key: string) => row.cells[panel.columns.findIndex((c) => c.key === key)];
          if (shown(column('median')) !== undefined) {
            mediansShown++;
            expect(sum(timed)).toBeGreaterThanOrEqual(11);
            for (const others of rest(timed)) expect(others === 0 || others >= 11).toBe(true);
          }
          if (shown(column('met')) !== undefined) {
            sharesShown++;
            const met = (m: string) => m === 'met';
            const decided = (m: string) => m === 'met' || m === 'missed';
            expect(sum(decided)).toBeGreaterThanOrEqual(11);
            expect([sum(met), sum(decided) - sum(met)].some(isSmall)).toBe(false);
            for (const [i, others] of rest(decided).entries()) {
              const othersMet = rest(met)[i] ?? 0;
              expect(
                others === 0 || (others >= 11 && !isSmall(othersMet) && !isSmall(others - othersMet)),
              ).toBe(true);
            }
          }
          if (TABLES[table].kind === 'grid' && total !== undefined && parts.every((v) => v !== undefined)) {
            expect(parts.reduce((a, b) => (a ?? 0) + (b ?? 0), 0)).toBe(total);
          }
        }
      }
    }
    expect(mediansShown).toBeGreaterThan(10);
    expect(sharesShown).toBeGreaterThan(3);
  });
});
