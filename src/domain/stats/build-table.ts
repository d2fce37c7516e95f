import { type Grid, type Mask, protectCounts, rateVisible, withTotals } from './disclosure';
import { HISTOGRAM_BUCKETS, observations, percentile } from './histogram';
import { type Month, monthRange, quarters } from './periods';
import {
  COUNT,
  type Counter,
  DIMENSIONS,
  type GridTableDefinition,
  MET,
  type MeasureTableDefinition,
  MISSED,
  TABLES,
  type TableId,
} from './tables';

/** Whose figures: one agency's own, or every agency's together. */
export type StatsScope = { agency: string } | 'all-agencies';

export interface StatsQuery {
  table: TableId;
  /** First and last month (`YYYY-MM`), both included. */
  from: string;
  to: string;
  scope: StatsScope;
}

/** A published figure, or the mark that it is suppressed: never a number for a suppressed figure. */
export type Cell = { value: number } | { suppressed: true };
export interface Column {
  key: string;
  label: string;
  unit: 'count' | 'percent' | 'minutes';
  total?: true;
}
export interface Row {
  key: string;
  label: string;
  total?: true;
  cells: Cell[];
}
/** One two-dimensional table; a quarterly table has one panel per quarter, each protected on its own. */
export interface Panel {
  label?: string;
  rowDimension: string;
  columns: Column[];
  rows: Row[];
}
export interface StatsTable {
  table: TableId;
  title: string;
  scope: StatsScope;
  from: string;
  to: string;
  panels: Panel[];
}

const TOTAL = 'Total';
const cell = (value: number, hidden: boolean): Cell => (hidden ? { suppressed: true } : { value });

/** Counters of the table, the panel's months and the scope, summed per agency into a grid. */
function gridsByAgency(
  counters: readonly Counter[],
  months: readonly Month[],
  size: [number, number],
  place: (counter: Counter) => [number, number] | undefined,
): Map<string, number[][]> {
  const grids = new Map<string, number[][]>();
  for (const counter of counters) {
    const position = months.includes(counter.month as Month) ? place(counter) : undefined;
    if (position === undefined) continue;
    const grid =
      grids.get(counter.agency) ?? Array.from({ length: size[0] }, () => new Array<number>(size[1]).fill(0));
    grids.set(counter.agency, grid);
    const row = grid[position[0]] as number[];
    row[position[1]] = (row[position[1]] ?? 0) + counter.value;
  }
  return grids;
}

const sumGrids = (grids: readonly Grid[], size: [number, number]): number[][] =>
  Array.from({ length: size[0] }, (_, r) =>
    Array.from({ length: size[1] }, (_, c) =>
      // A counter below 0 (a delta applied before the one it undoes) counts as none.
      Math.max(
        0,
        grids.reduce((sum, grid) => sum + (grid[r]?.[c] ?? 0), 0),
      ),
    ),
  );

/** The panel's figures: all agencies' sum, and each agency's own when the scope is all agencies. */
function scoped(grids: Map<string, number[][]>, scope: StatsScope, size: [number, number]) {
  const own = scope === 'all-agencies' ? [...grids.values()] : [grids.get(scope.agency) ?? []];
  const agencies = scope === 'all-agencies' ? own.map((grid) => sumGrids([grid], size)) : [];
  return { total: sumGrids(own, size), agencies };
}

function gridPanel(
  definition: GridTableDefinition,
  counters: readonly Counter[],
  scope: StatsScope,
  months: Month[],
): Panel {
  const rowKeys: readonly string[] =
    definition.rows === 'month' ? months : DIMENSIONS[definition.rows].values;
  const columnKeys: readonly string[] = DIMENSIONS[definition.columns].values;
  const size: [number, number] = [rowKeys.length, columnKeys.length];
  const place = (counter: Counter): [number, number] | undefined => {
    const [first, second] = counter.dims;
    const row = rowKeys.indexOf(definition.rows === 'month' ? counter.month : (first ?? ''));
    const column = columnKeys.indexOf((definition.rows === 'month' ? first : second) ?? '');
    return row < 0 || column < 0 || counter.measure !== COUNT ? undefined : [row, column];
  };
  const { total, agencies } = scoped(gridsByAgency(counters, months, size, place), scope, size);
  const mask = protectCounts(total, { agencies });
  const extended = withTotals(total);
  const rows = [...rowKeys, TOTAL].map(
    (key, r): Row => ({
      key: r === rowKeys.length ? 'total' : key,
      label: key,
      ...(r === rowKeys.length ? { total: true as const } : {}),
      cells: (extended[r] ?? []).map((value, c) => cell(value, mask[r]?.[c] === true)),
    }),
  );
  const columns: Column[] = [
    ...columnKeys.map((key): Column => ({ key, label: key, unit: 'count' })),
    { key: 'total', label: TOTAL, unit: 'count', total: true },
  ];
  return {
    rowDimension: definition.rows === 'month' ? 'Month' : DIMENSIONS[definition.rows].label,
    columns,
    rows,
  };
}

/** One row of a measure table as counters: deadlines met and missed, and the duration histogram. */
interface Measures {
  met: number;
  missed: number;
  histogram: number[];
}

const measuresOf = (vector: readonly number[]): Measures => ({
  met: vector[0] ?? 0,
  missed: vector[1] ?? 0,
  histogram: vector.slice(2),
});

/** Each row of a grid of measure vectors, then their sum (the total row). */
const withTotalRow = (grid: Grid): Measures[] => {
  const total = (grid[0] ?? []).map((_, c) => grid.reduce((sum, row) => sum + (row[c] ?? 0), 0));
  return [...grid, total].map(measuresOf);
};

function measureColumns(definition: MeasureTableDefinition): Column[] {
  const what = definition.deadlineShare ? 'first action' : 'decision';
  return [
    { key: 'count', label: definition.countLabel, unit: 'count' },
    ...(definition.deadlineShare
      ? [{ key: 'met', label: 'Deadline met (%)', unit: 'percent' } as const]
      : []),
    { key: 'median', label: `Median minutes to ${what}`, unit: 'minutes' },
    { key: 'p90', label: `90th percentile minutes to ${what}`, unit: 'minutes' },
  ];
}

/** The cells of one measure row: the count as protected, the rates by their denominators. */
function measureCells(
  definition: MeasureTableDefinition,
  row: Measures,
  others: readonly Measures[],
  countHidden: boolean,
): Cell[] {
  const count = (m: Measures) => (definition.deadlineShare ? m.met + m.missed : observations(m.histogram));
  const timed = rateVisible(
    undefined,
    observations(row.histogram),
    others.map((m) => ({ denominator: observations(m.histogram) })),
  );
  const shared =
    !countHidden &&
    rateVisible(
      row.met,
      count(row),
      others.map((m) => ({ numerator: m.met, denominator: count(m) })),
    );
  const figure = (p: number): Cell => {
    const value = timed ? percentile(row.histogram, p) : undefined;
    return value === undefined ? { suppressed: true } : { value };
  };
  return [
    cell(count(row), countHidden),
    ...(definition.deadlineShare ? [cell(Math.round((1000 * row.met) / count(row)) / 10, !shared)] : []),
    figure(0.5),
    figure(0.9),
  ];
}

function measurePanel(
  definition: MeasureTableDefinition,
  counters: readonly Counter[],
  scope: StatsScope,
  months: Month[],
): Panel {
  const rowKeys = DIMENSIONS[definition.rows].values;
  const size: [number, number] = [rowKeys.length, 2 + HISTOGRAM_BUCKETS];
  const measureIndex = (measure: string) =>
    measure === MET
      ? 0
      : measure === MISSED
        ? 1
        : measure.startsWith('h')
          ? 2 + Number(measure.slice(1))
          : -1;
  const place = (counter: Counter): [number, number] | undefined => {
    const row = rowKeys.indexOf((counter.dims[0] ?? '') as (typeof rowKeys)[number]);
    const column = measureIndex(counter.measure);
    return row < 0 || column < 0 || column >= size[1] ? undefined : [row, column];
  };
  const { total, agencies } = scoped(gridsByAgency(counters, months, size, place), scope, size);
  const rows = withTotalRow(total);
  const perAgency = agencies.map(withTotalRow);
  const count = (m: Measures) => (definition.deadlineShare ? m.met + m.missed : observations(m.histogram));
  const countGrid = (measures: Measures[]) => measures.slice(0, -1).map((m) => [count(m)]);
  const mask: Mask = protectCounts(countGrid(rows), { agencies: perAgency.map(countGrid) });
  return {
    rowDimension: DIMENSIONS[definition.rows].label,
    columns: measureColumns(definition),
    rows: rows.map((row, r) => ({
      key: r === rowKeys.length ? 'total' : (rowKeys[r] ?? ''),
      label: r === rowKeys.length ? TOTAL : (rowKeys[r] ?? ''),
      ...(r === rowKeys.length ? { total: true as const } : {}),
      cells: measureCells(
        definition,
        row,
        perAgency.map((measures) => measures[r] as Measures),
        mask[r]?.[0] === true,
      ),
    })),
  };
}

/**
 * A table as published: the requested period (whole months) and scope, built from the counters, every
 * total computed from the same grid as its cells, then disclosure control applied. `counters` may hold
 * more than the table needs (other tables, months, agencies): they are ignored; for the all-agency
 * scope it must hold every agency's counters, which the protection needs one by one.
 */
export function buildTable(query: StatsQuery, counters: readonly Counter[]): StatsTable {
  const definition = TABLES[query.table];
  const months = monthRange(query.from, query.to);
  const mine = counters.filter(
    (counter) =>
      counter.table === query.table &&
      (query.scope === 'all-agencies' || counter.agency === query.scope.agency),
  );
  const groups = definition.kind === 'grid' && definition.quarterly ? quarters(months) : [{ months }];
  const panels = groups.map((group): Panel => {
    const panel =
      definition.kind === 'grid'
        ? gridPanel(definition, mine, query.scope, group.months)
        : measurePanel(definition, mine, query.scope, group.months);
    return 'quarter' in group ? { label: group.quarter, ...panel } : panel;
  });
  return {
    table: query.table,
    title: definition.title,
    scope: query.scope,
    from: query.from,
    to: query.to,
    panels,
  };
}
