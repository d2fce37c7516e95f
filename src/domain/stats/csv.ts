import type { Cell, StatsTable } from './build-table';

/**
 * A built table as CSV (`text/csv; charset=utf-8`, RFC 4180): CRLF line ends, a header row, a field
 * quoted when it holds a comma, a quote, CR or LF (quotes doubled). A quarterly table gets a first
 * column `Quarter`, one block of rows per quarter.
 */
export const SUPPRESSED_MARK = '[c]';

/**
 * The mark of a suppressed figure: `[c]`, "confidential", the symbol of the UK Government Statistical
 * Service's guidance on symbols in tables. It is not a number, so no spreadsheet sums it as one.
 */
const figure = (cell: Cell | undefined): string =>
  cell === undefined || 'suppressed' in cell ? SUPPRESSED_MARK : String(cell.value);

/**
 * A text field as CSV. One that a spreadsheet would read as a formula (starting with = + - @, a tab or
 * a CR) is prefixed with a single quote (OWASP, "CSV Injection"); then RFC 4180 quoting.
 */
export function csvField(text: string): string {
  const inert = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(inert) ? `"${inert.replaceAll('"', '""')}"` : inert;
}

export function formatCsv(table: StatsTable): string {
  const quarterly = table.panels.some((panel) => panel.label !== undefined);
  const first = table.panels[0];
  if (first === undefined) return '';
  const header = [
    ...(quarterly ? ['Quarter'] : []),
    first.rowDimension,
    ...first.columns.map((column) => column.label),
  ].map(csvField);
  const lines = [header.join(',')];
  for (const panel of table.panels) {
    for (const row of panel.rows) {
      const labels = [...(quarterly ? [panel.label ?? ''] : []), row.label].map(csvField);
      // Figures are our own numbers or the mark: never text from outside, but quoted the same way.
      lines.push([...labels, ...row.cells.map((cell) => csvField(figure(cell)))].join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
