import type { Grid, Mask, Position } from './disclosure';

/**
 * The attacker, run against a suppression pattern before it is published. An attacker knows every
 * published entry and the equations of the extended table (each row and each column sums to its total).
 */

/** What one attacker knows: every entry's value as it sees it, and the least a suppressed one can be. */
export interface Perspective {
  values: Grid;
  lowest: Grid;
}

/** Entries to choose a further suppression from, to undo a disclosure found. */
export interface Repair {
  candidates: Position[];
}

const key = (row: number, column: number) => `${row},${column}`;
const suppressed = (mask: Mask, row: number, column: number) => mask[row]?.[column] === true;

/**
 * Nodes of the suppression graph: rows, then columns; each suppressed entry is an edge between its row
 * and its column. The nodes reached from `start` without crossing the edge `without`.
 */
function reach(mask: Mask, start: number, without: Position): Set<number> {
  const height = mask.length;
  const width = mask[0]?.length ?? 0;
  const seen = new Set([start]);
  const queue = [start];
  for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
    const neighbours =
      node < height
        ? Array.from({ length: width }, (_, c) => [node, c] as const)
        : Array.from({ length: height }, (_, r) => [r, node - height] as const);
    for (const [r, c] of neighbours) {
      if (!suppressed(mask, r, c) || (r === without[0] && c === without[1])) continue;
      const other = node < height ? height + c : r;
      if (!seen.has(other)) {
        seen.add(other);
        queue.push(other);
      }
    }
  }
  return seen;
}

/**
 * A suppressed entry on no cycle of suppressed entries is a bridge: summing the equations on one side
 * of it gives its value. The repair is an entry joining its two sides (making a cycle through it).
 */
export function bridgeOf(mask: Mask, values: Grid): Repair | undefined {
  const height = mask.length;
  for (const [r, row] of mask.entries()) {
    for (const [c, isSuppressed] of row.entries()) {
      if (!isSuppressed) continue;
      const side = reach(mask, r, [r, c]);
      if (side.has(height + c)) continue;
      const other = reach(mask, height + c, [r, c]);
      const crossing = mask.flatMap((cells, i) =>
        cells.flatMap((hidden, j): Position[] => {
          const usable = !hidden && (values[i]?.[j] ?? 0) > 0;
          return usable && side.has(i) !== side.has(height + j) ? [[i, j]] : [];
        }),
      );
      const joining = crossing.filter(([i, j]) => other.has(i) || other.has(height + j));
      return { candidates: joining.length > 0 ? joining : crossing };
    }
  }
  return undefined;
}

type Bounds = Map<string, [number, number]>;

/** Tighten the bounds of the suppressed entries on one line; true if any moved. */
function tighten(line: readonly Position[], view: Perspective, bounds: Bounds): boolean {
  // A line's entries sum to its last entry, the total: sign +1 for the parts, -1 for the total.
  const sign = (index: number) => (index === line.length - 1 ? -1 : 1);
  let known = 0;
  const unknown: { at: Position; sign: number; lo: number; hi: number }[] = [];
  for (const [index, position] of line.entries()) {
    const [r, c] = position;
    const range = bounds.get(key(r, c));
    if (range === undefined) known += sign(index) * (view.values[r]?.[c] ?? 0);
    else unknown.push({ at: position, sign: sign(index), lo: range[0], hi: range[1] });
  }
  let moved = false;
  for (const entry of unknown) {
    let least = 0;
    let most = 0;
    for (const other of unknown) {
      if (other === entry) continue;
      least += other.sign > 0 ? other.lo : -other.hi;
      most += other.sign > 0 ? other.hi : -other.lo;
    }
    // sign·x = -known - (sum of the others), an integer.
    const lo = entry.sign > 0 ? Math.ceil(-known - most) : Math.ceil(known + least);
    const hi = entry.sign > 0 ? Math.floor(-known - least) : Math.floor(known + most);
    const newLo = Math.max(entry.lo, lo);
    const newHi = Math.min(entry.hi, hi);
    if (newLo !== entry.lo || newHi !== entry.hi) {
      bounds.set(key(...entry.at), [newLo, newHi]);
      entry.lo = newLo;
      entry.hi = newHi;
      moved = true;
    }
  }
  return moved;
}

/** The attacker's bounds on every suppressed entry, by interval propagation over all lines. */
export function boundsOf(view: Perspective, mask: Mask, lines: readonly Position[][], passes = 100): Bounds {
  const bounds: Bounds = new Map();
  for (const [r, row] of mask.entries()) {
    for (const [c, hidden] of row.entries()) {
      if (hidden) bounds.set(key(r, c), [view.lowest[r]?.[c] ?? 0, Number.POSITIVE_INFINITY]);
    }
  }
  for (let pass = 0; pass < passes; pass++) {
    let moved = false;
    for (const line of lines) moved = tighten(line, view, bounds) || moved;
    if (!moved) break;
  }
  return bounds;
}

/**
 * A suppressed entry some attacker pins to one value: in the published view any suppressed entry, in
 * an agency's view of the rest any that is 1–10. The repair is an entry on one of its lines.
 */
export function auditPinned(
  views: readonly Perspective[],
  mask: Mask,
  lines: readonly Position[][],
): Repair | undefined {
  for (const [index, view] of views.entries()) {
    for (const [at, [lo, hi]] of boundsOf(view, mask, lines)) {
      const [r, c] = at.split(',').map(Number) as [number, number];
      const value = view.values[r]?.[c] ?? 0;
      if (lo !== hi || (index > 0 && !(value >= 1 && value <= 10))) continue;
      const own = lines.filter((line) => line.some(([i, j]) => i === r && j === c)).flat();
      const open = (positions: Position[]) =>
        positions.filter(([i, j]) => !suppressed(mask, i, j) && (views[0]?.values[i]?.[j] ?? 0) > 0);
      const fallback = mask.flatMap((row, i) => row.map((_, j): Position => [i, j]));
      return { candidates: open(own).length > 0 ? open(own) : open(fallback) };
    }
  }
  return undefined;
}
