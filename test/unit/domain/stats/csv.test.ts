import { describe, expect, it } from 'vitest';
import { buildTable, type StatsTable } from '../../../../src/domain/stats/build-table';
import { csvField, formatCsv, SUPPRESSED_MARK } from '../../../../src/domain/stats/csv';

describe('CSV of a built table', () => {
  it('has a header row, one line per row with the total last, CRLF line ends and [c] for suppressed', () => {
    // Prepare
    const table = buildTable(
      { table: 'escalations', from: '2026-11', to: '2026-11', scope: { agency: 'cfpc' } },
      [
        {
          table: 'escalations',
          month: '2026-11',
          agency: 'cfpc',
          dims: ['high', 'request'],
          measure: 'count',
          value: 4,
        },
        {
          table: 'escalations',
          month: '2026-11',
          agency: 'cfpc',
          dims: ['high', 'report'],
          measure: 'count',
          value: 30,
        },
        {
          table: 'escalations',
          month: '2026-11',
          agency: 'cfpc',
          dims: ['low', 'request'],
          measure: 'count',
          value: 20,
        },
        {
          table: 'escalations',
          month: '2026-11',
          agency: 'cfpc',
          dims: ['low', 'report'],
          measure: 'count',
          value: 40,
        },
      ],
    );
    // Act
    const csv = formatCsv(table);
    // Assess
    expect(SUPPRESSED_MARK).toBe('[c]');
    expect(csv.split('\r\n')).toEqual([
      'Urgency,request,report,Total',
      'critical,0,0,0',
      'high,[c],[c],34',
      'medium,0,0,0',
      'low,[c],[c],60',
      'Total,24,70,94',
      '',
    ]);
  });

  it('renders the example of the README', () => {
    // Prepare
    const figures: Record<string, number[]> = {
      critical: [3, 14, 22, 6, 31],
      high: [12, 41, 37, 15, 88],
      medium: [25, 52, 19, 0, 140],
      low: [18, 9, 4, 12, 96],
    };
    const statuses = ['received', 'under-assessment', 'intervention', 'referred', 'closed'];
    const counters = Object.entries(figures).flatMap(([urgency, values]) =>
      values.map((value, i) => ({
        table: 'reports-by-urgency-status' as const,
        month: '2026-10',
        agency: 'cfpc',
        dims: [urgency, statuses[i] ?? ''],
        measure: 'count',
        value,
      })),
    );
    // Act
    const csv = formatCsv(
      buildTable(
        { table: 'reports-by-urgency-status', from: '2026-10', to: '2026-12', scope: { agency: 'cfpc' } },
        counters,
      ),
    );
    // Assess
    expect(csv.split('\r\n')).toEqual([
      'Urgency,received,under-assessment,intervention,referred,closed,Total',
      'critical,[c],[c],22,[c],31,76',
      'high,[c],41,37,[c],88,193',
      'medium,[c],52,[c],0,140,236',
      'low,18,[c],[c],[c],96,139',
      'Total,58,116,82,33,355,644',
      '',
    ]);
  });

  it('starts each row of a quarterly table with its quarter', () => {
    const table = buildTable(
      { table: 'reports-by-emirate', from: '2026-01', to: '2026-06', scope: 'all-agencies' },
      [],
    );
    const lines = formatCsv(table).split('\r\n');
    expect(lines[0]).toBe(
      'Quarter,Emirate,abuse,neglect,domestic-violence,missing-child,exploitation,other,Total',
    );
    expect(lines[1]).toBe('2026-Q1,abu-dhabi,0,0,0,0,0,0,0');
    expect(lines.filter((line) => line.startsWith('2026-Q2'))).toHaveLength(8);
  });

  it('quotes a field with a comma, a quote or a line break (RFC 4180)', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "no"')).toBe('"say ""no"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('plain')).toBe('plain');
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    expect(['=1+1', '+SUM(A1)', '-2', '@cmd', '\tx', '=HYPERLINK("http://x","y")'].map(csvField)).toEqual([
      "'=1+1",
      "'+SUM(A1)",
      "'-2",
      "'@cmd",
      "'\tx",
      `"'=HYPERLINK(""http://x"",""y"")"`,
    ]);
  });

  it('writes the header with row labels that could be formulas defused', () => {
    const table: StatsTable = {
      table: 'escalations',
      title: 't',
      scope: 'all-agencies',
      from: '2026-11',
      to: '2026-11',
      panels: [
        {
          rowDimension: '=cmd',
          columns: [{ key: 'a', label: '@a', unit: 'count' }],
          rows: [{ key: 'r', label: '+r', cells: [{ suppressed: true }] }],
        },
      ],
    };
    expect(formatCsv(table)).toBe("'=cmd,'@a\r\n'+r,[c]\r\n");
  });
});
