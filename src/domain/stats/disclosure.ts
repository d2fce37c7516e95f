import { auditPinned, bridgeOf, type Perspective } from './disclosure-audit';

/**
 * Disclosure control of published counts (see README, "Statistics and disclosure control").
 *
 * A table is published with its row totals, column totals and grand total. They are handled as one
 * extended array of (rows + 1) × (columns + 1) entries: the last column holds the row totals, the last
 * row the column totals, the corner the grand total. Every row of it sums to its last entry, every
 * column likewise — the equations an attacker has — and any entry, totals included, may be suppressed.
 */
export const SMALL_MAX = 10;
export const MIN_DENOMINATOR = 11;

/** A count that may not be published: 1–10 (0 may be). */
export const isSmall = (count: number): boolean => count >= 1 && count <= SMALL_MAX;

export type Grid = readonly (readonly number[])[];

/** The grid with its totals: row totals as a last column, column totals as a last row. */
export function withTotals(grid: Grid): number[][] {
  const columns = grid[0]?.length ?? 0;
  const rows = grid.map((row) => [...row, row.reduce((sum, value) => sum + value, 0)]);
  const totals = Array.from({ length: columns + 1 }, (_, column) =>
    rows.reduce((sum, row) => sum + (row[column] ?? 0), 0),
  );
  return [...rows, totals];
}

/** An entry of the extended array: [row, column]. */
export type Position = readonly [number, number];

/** The lines of an extended array: each row, then each column, as the positions on it. */
export function linesOf(extended: Grid): Position[][] {
  const height = extended.length;
  const width = extended[0]?.length ?? 0;
  const rows = Array.from({ length: height }, (_, row) =>
    Array.from({ length: width }, (_, column): Position => [row, column]),
  );
  const columns = Array.from({ length: width }, (_, column) =>
    Array.from({ length: height }, (_, row): Position => [row, column]),
  );
  return [...rows, ...columns];
}

export const at = (array: Grid, [row, column]: Position): number => array[row]?.[column] ?? 0;

export type Mask = boolean[][];

export interface ProtectOptions {
  /**
   * For a table of all agencies: each agency's own grid. Each agency knows its own counts, so what it
   * can learn is the rest (all minus its own); those remainders are protected like the counts.
   */
  agencies?: readonly Grid[];
}

/** The views an attacker has: the published table alone, and for each agency, the rest of the agencies. */
function perspectivesOf(extended: number[][], agencies: readonly Grid[]): Perspective[] {
  const plain: Perspective = { values: extended, lowest: extended.map((row) => row.map(() => 1)) };
  const remainders = agencies.map((grid): Perspective => {
    const own = withTotals(grid);
    return {
      values: extended.map((row, r) => row.map((value, c) => value - at(own, [r, c]))),
      // A suppressed entry is never 0, so the rest is at least 1 minus the agency's own count.
      lowest: own.map((row) => row.map((value) => Math.max(0, 1 - value))),
    };
  });
  return [plain, ...remainders];
}

/**
 * Which entries of the extended table to suppress. Primary: every count 1–10 (and, for all agencies,
 * every entry whose remainder for some agency is 1–10). Then, until nothing changes: (1) no line with
 * exactly one suppressed entry (the smallest non-zero published entry on it joins); (2) no suppressed
 * entry fixed by a combination of lines (a bridge of the suppression graph); (3) no suppressed entry
 * pinned by bounds (interval propagation with non-negativity) in any attacker's view.
 */
export function protectCounts(grid: Grid, options: ProtectOptions = {}): Mask {
  const extended = withTotals(grid);
  const views = perspectivesOf(extended, options.agencies ?? []);
  const mask = extended.map((row, r) =>
    row.map((_, c) => views.some((view) => isSmall(at(view.values, [r, c])))),
  );
  const lines = linesOf(extended);
  for (;;) {
    while (completeLines(lines, views, mask));
    const next = bridgeOf(mask, extended) ?? auditPinned(views, mask, lines);
    if (next === undefined) return mask;
    if (!suppressBest(next.candidates, views, mask)) return mask;
  }
}

/**
 * Suppress the best candidate: the smallest non-zero one, first among those non-zero in every view (an
 * entry one agency holds alone hides nothing from that agency), the first on a tie.
 */
function suppressBest(candidates: readonly Position[], views: readonly Perspective[], mask: Mask): boolean {
  const open = candidates.filter(
    (position) => !isHidden(mask, position) && at(views[0]?.values ?? [], position) > 0,
  );
  if (open.length === 0) return false;
  const rank = (position: Position): [number, number] => [
    views.some((view) => at(view.values, position) <= 0) ? 1 : 0,
    at(views[0]?.values ?? [], position),
  ];
  const better = (a: [number, number], b: [number, number]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  const best = open.reduce((chosen, position) => (better(rank(position), rank(chosen)) ? position : chosen));
  (mask[best[0]] as boolean[])[best[1]] = true;
  return true;
}

export const isHidden = (mask: readonly (readonly boolean[])[], [row, column]: Position): boolean =>
  mask[row]?.[column] === true;

/** One pass of rule (1); true if it suppressed something. */
function completeLines(lines: readonly Position[][], views: readonly Perspective[], mask: Mask): boolean {
  let changed = false;
  for (const line of lines) {
    if (line.filter((position) => isHidden(mask, position)).length === 1) {
      changed = suppressBest(line, views, mask) || changed;
    }
  }
  return changed;
}

/**
 * A rate, share, median or percentile may be shown: its denominator is at least 11 and, for a share,
 * neither the numerator nor the rest of the denominator is 1–10 (the share and its denominator would
 * give them away). `others`: for a table of all agencies, each agency's own numerator and denominator;
 * what the rest of the agencies contribute must pass the same test, or be nothing at all.
 */
export function rateVisible(
  numerator: number | undefined,
  denominator: number,
  others: readonly { numerator?: number | undefined; denominator: number }[] = [],
): boolean {
  const passes = (part: number | undefined, whole: number) =>
    whole >= MIN_DENOMINATOR && (part === undefined || (!isSmall(part) && !isSmall(whole - part)));
  return (
    passes(numerator, denominator) &&
    others.every((own) => {
      const rest = denominator - own.denominator;
      const restPart = numerator === undefined ? undefined : numerator - (own.numerator ?? 0);
      return rest === 0 || passes(restPart, rest);
    })
  );
}
