import { describe, expect, it } from 'vitest';
import { buildTable, type Cell, type StatsTable } from '../../../../src/domain/stats/build-table';
import { bucketOf } from '../../../../src/domain/stats/histogram';
import { StatsPeriodError } from '../../../../src/domain/stats/periods';
import { type Counter, histogramMeasure, type TableId } from '../../../../src/domain/stats/tables';

const count = (
  table: TableId,
  month: string,
  agency: string,
  dims: string[],
  value: number,
  measure = 'count',
) => ({ table, month, agency, dims, measure, value }) satisfies Counter;

const show = (cells: readonly Cell[]) => cells.map((cell) => ('suppressed' in cell ? '*' : cell.value));

/** A panel as rows of label and figures, `*` where suppressed. */
const view = (table: StatsTable, panel = 0) =>
  table.panels[panel]?.rows.map((row) => [row.label, ...show(row.cells)].join(' '));

describe('building a table from counters', () => {
  it('sums the scope and period, computes every total from the same grid, and suppresses', () => {
    // Prepare
    const counters = [
      count('reports-by-urgency-status', '2026-10', 'cfpc', ['critical', 'received'], 30),
      count('reports-by-urgency-status', '2026-11', 'cfpc', ['critical', 'received'], 12),
      count('reports-by-urgency-status', '2026-11', 'cfpc', ['critical', 'closed'], 4),
      count('reports-by-urgency-status', '2026-11', 'cfpc', ['high', 'received'], 25),
      count('reports-by-urgency-status', '2026-11', 'cfpc', ['high', 'closed'], 60),
      count('reports-by-urgency-status', '2026-11', 'police', ['low', 'closed'], 3),
      count('reports-by-urgency-status', '2027-01', 'cfpc', ['low', 'closed'], 3),
      count('reports-by-month', '2026-11', 'cfpc', ['abuse'], 3),
    ];
    // Act
    const table = buildTable(
      { table: 'reports-by-urgency-status', from: '2026-10', to: '2026-12', scope: { agency: 'cfpc' } },
      counters,
    );
    // Assess
    expect(table.panels[0]?.columns.map((c) => c.key)).toEqual([
      'received',
      'under-assessment',
      'intervention',
      'referred',
      'closed',
      'total',
    ]);
    expect(view(table)).toEqual([
      'critical * 0 0 0 * 46',
      'high * 0 0 0 * 85',
      'medium 0 0 0 0 0 0',
      'low 0 0 0 0 0 0',
      'Total 67 0 0 0 64 131',
    ]);
  });

  it('in the all-agency table hides a cell that one agency could difference out of its own', () => {
    const counters = [
      count('escalations', '2026-11', 'cfpc', ['high', 'request'], 50),
      count('escalations', '2026-11', 'police', ['high', 'request'], 5),
      count('escalations', '2026-11', 'cfpc', ['high', 'report'], 40),
      count('escalations', '2026-11', 'police', ['high', 'report'], 30),
      count('escalations', '2026-11', 'cfpc', ['low', 'request'], 20),
      count('escalations', '2026-11', 'police', ['low', 'request'], 20),
      count('escalations', '2026-11', 'cfpc', ['low', 'report'], 20),
      count('escalations', '2026-11', 'police', ['low', 'report'], 20),
    ];
    const query = { table: 'escalations', from: '2026-11', to: '2026-11' } as const;
    const all = buildTable({ ...query, scope: 'all-agencies' }, counters);
    expect(view(all)?.[1]).toBe('high * * 125');
    expect(view(all)?.[3]).toBe('low * * 80');
    expect(view(buildTable({ ...query, scope: { agency: 'cfpc' } }, counters))?.[1]).toBe('high 50 40 90');
  });

  it('has a row per month for a monthly table and ignores months outside the period', () => {
    const counters = [
      count('reports-by-month', '2026-09', 'cfpc', ['abuse'], 40),
      count('reports-by-month', '2026-10', 'cfpc', ['abuse'], 40),
      count('reports-by-month', '2026-11', 'cfpc', ['neglect'], 12),
    ];
    const table = buildTable(
      { table: 'reports-by-month', from: '2026-10', to: '2026-11', scope: { agency: 'cfpc' } },
      counters,
    );
    expect(table.panels[0]?.rows.map((row) => row.label)).toEqual(['2026-10', '2026-11', 'Total']);
    expect(view(table)?.[2]).toBe('Total 40 12 0 0 0 0 52');
  });

  it('gives a quarterly table one panel per whole quarter, and refuses a period of part quarters', () => {
    const counters = [count('reports-by-emirate', '2026-08', 'cfpc', ['dubai', 'abuse'], 20)];
    const query = { table: 'reports-by-emirate', scope: { agency: 'cfpc' } } as const;
    const table = buildTable({ ...query, from: '2026-07', to: '2026-12' }, counters);
    expect(table.panels.map((panel) => panel.label)).toEqual(['2026-Q3', '2026-Q4']);
    expect(view(table, 0)?.[1]).toBe('dubai 20 0 0 0 0 0 20');
    expect(() => buildTable({ ...query, from: '2026-08', to: '2026-12' }, counters)).toThrow(
      StatsPeriodError,
    );
  });

  it('counts a counter below zero (a delta applied before the one it undoes) as none', () => {
    const counters = [count('exchange-requests', '2026-11', 'cfpc', ['high', 'pending'], -1)];
    const table = buildTable(
      { table: 'exchange-requests', from: '2026-11', to: '2026-11', scope: { agency: 'cfpc' } },
      counters,
    );
    expect(view(table)?.[1]).toBe('high 0 0 0 0 0');
  });
});

describe('measure tables (rapid response, time to decision)', () => {
  const minutes = (agency: string, urgency: string, value: number, times: number) =>
    count('rapid-response', '2026-11', agency, [urgency], times, histogramMeasure(bucketOf(value)));
  const deadline = (agency: string, urgency: string, met: number, missed: number) => [
    count('rapid-response', '2026-11', agency, [urgency], met, 'met'),
    count('rapid-response', '2026-11', agency, [urgency], missed, 'missed'),
  ];
  const query = { table: 'rapid-response', from: '2026-11', to: '2026-11' } as const;

  it('shows share, median and p90 only over denominators of at least 11', () => {
    // Prepare: critical: 40 reports, all met, acted at 30 and 50 minutes; high: 8 reports.
    const counters = [
      ...deadline('cfpc', 'critical', 40, 0),
      minutes('cfpc', 'critical', 30, 25),
      minutes('cfpc', 'critical', 50, 15),
      ...deadline('cfpc', 'high', 6, 2),
      minutes('cfpc', 'high', 600, 8),
      ...deadline('cfpc', 'medium', 30, 20),
      minutes('cfpc', 'medium', 2000, 50),
    ];
    // Act
    const table = buildTable({ ...query, scope: { agency: 'cfpc' } }, counters);
    // Assess
    expect(table.panels[0]?.columns.map((c) => c.key)).toEqual(['count', 'met', 'median', 'p90']);
    const [critical, high, medium, low, total] = view(table) ?? [];
    // 40 hides beside the 8 (the smallest non-zero count in the column), and so does its share; the
    // median and p90 stay (40 observations): 30 and 50 minutes, within the histogram's 9.1 %.
    expect(critical).toBe('critical * * 29.3 49.4');
    expect(high).toBe('high * * * *');
    expect(medium).toMatch(/^medium 50 60 /);
    expect(low).toBe('low 0 * * *');
    expect(total).toMatch(/^Total 98 /);
  });

  it('hides a share that would give away a count of 1 to 10 missed', () => {
    const counters = [...deadline('cfpc', 'critical', 35, 5), minutes('cfpc', 'critical', 30, 40)];
    const table = buildTable({ ...query, scope: { agency: 'cfpc' } }, counters);
    expect(view(table)?.[0]).toMatch(/^critical 40 \* /);
  });

  it('in the all-agency table hides a median another agency could difference out of its own', () => {
    const counters = [
      ...deadline('cfpc', 'critical', 40, 0),
      minutes('cfpc', 'critical', 30, 40),
      ...deadline('police', 'critical', 3, 0),
      minutes('police', 'critical', 3, 3),
    ];
    const table = buildTable({ ...query, scope: 'all-agencies' }, counters);
    expect(view(table)?.[0]).toBe('critical * * * *');
  });
});
