/**
 * The differencing attacker of the disclosure property tests, written apart from the domain's own audit
 * so that the two check each other. It knows every published entry of a table with its row, column and
 * grand totals, the equations between them (each row and each column sums to its total), that counts
 * are whole numbers, and a lower bound for each suppressed entry. It recovers a suppressed entry when
 * (a) the equations alone fix it — any linear combination, found by Gaussian elimination (this includes
 * iterated single-unknown elimination), or (b) interval propagation pins it (min == max).
 */
type Table = readonly (readonly number[])[];

export function extend(grid: Table): number[][] {
  const width = grid[0]?.length ?? 0;
  const rows = grid.map((row) => [...row, row.reduce((a, b) => a + b, 0)]);
  const last = Array.from({ length: width + 1 }, (_, c) => rows.reduce((a, row) => a + (row[c] ?? 0), 0));
  return [...rows, last];
}

/** Each equation as [row, column, coefficient] terms summing to zero. */
function equations(height: number, width: number): [number, number, number][][] {
  const rows = Array.from({ length: height }, (_, r) =>
    Array.from({ length: width }, (_, c): [number, number, number] => [r, c, c === width - 1 ? -1 : 1]),
  );
  const columns = Array.from({ length: width }, (_, c) =>
    Array.from({ length: height }, (_, r): [number, number, number] => [r, c, r === height - 1 ? -1 : 1]),
  );
  return [...rows, ...columns];
}

const hiddenOf = (mask: readonly (readonly boolean[])[]) =>
  mask.flatMap((row, r) => row.flatMap((hidden, c) => (hidden ? [`${r},${c}`] : [])));

/** The suppressed entries the equations alone determine. */
export function linearlyDetermined(mask: readonly (readonly boolean[])[]): string[] {
  const unknowns = hiddenOf(mask);
  const index = new Map(unknowns.map((id, i) => [id, i]));
  const matrix = equations(mask.length, mask[0]?.length ?? 0).map((terms) => {
    const row = new Array<number>(unknowns.length).fill(0);
    for (const [r, c, k] of terms) {
      const i = index.get(`${r},${c}`);
      if (i !== undefined) row[i] = k;
    }
    return row;
  });
  const pivots: number[] = [];
  let rank = 0;
  for (let column = 0; column < unknowns.length && rank < matrix.length; column++) {
    const pivot = matrix.findIndex((row, i) => i >= rank && Math.abs(row[column] ?? 0) > 1e-9);
    if (pivot < 0) continue;
    [matrix[rank], matrix[pivot]] = [matrix[pivot] as number[], matrix[rank] as number[]];
    const lead = matrix[rank] as number[];
    const scale = lead[column] as number;
    for (let j = 0; j < lead.length; j++) lead[j] = (lead[j] as number) / scale;
    for (const [i, row] of matrix.entries()) {
      const factor = row[column] as number;
      if (i === rank || Math.abs(factor) < 1e-9) continue;
      for (let j = 0; j < row.length; j++) row[j] = (row[j] as number) - factor * (lead[j] as number);
    }
    pivots.push(column);
    rank++;
  }
  const free = unknowns.map((_, i) => i).filter((i) => !pivots.includes(i));
  return pivots.flatMap((column, i) =>
    free.every((f) => Math.abs(matrix[i]?.[f] ?? 0) < 1e-9) ? [unknowns[column] as string] : [],
  );
}

/** The suppressed entries interval propagation pins, and every entry's bounds. */
export function intervalPinned(
  values: Table,
  mask: readonly (readonly boolean[])[],
  lowest: (r: number, c: number) => number,
): string[] {
  const bounds = new Map(
    hiddenOf(mask).map((id) => {
      const [r, c] = id.split(',').map(Number) as [number, number];
      return [id, [lowest(r, c), Number.POSITIVE_INFINITY]] as [string, [number, number]];
    }),
  );
  const lines = equations(values.length, values[0]?.length ?? 0);
  for (let pass = 0, moved = true; moved && pass < 1000; pass++) {
    moved = false;
    for (const line of lines) {
      let known = 0;
      const free: { id: string; k: number }[] = [];
      for (const [r, c, k] of line) {
        const id = `${r},${c}`;
        if (bounds.has(id)) free.push({ id, k });
        else known += k * (values[r]?.[c] ?? 0);
      }
      for (const { id, k } of free) {
        // k·x = -known - Σ others; bound Σ others from their intervals.
        let low = 0;
        let high = 0;
        for (const other of free) {
          if (other.id === id) continue;
          const [lo, hi] = bounds.get(other.id) as [number, number];
          low += other.k > 0 ? lo : -hi;
          high += other.k > 0 ? hi : -lo;
        }
        const [lo, hi] = bounds.get(id) as [number, number];
        const from = k > 0 ? Math.ceil(-known - high) : Math.ceil(known + low);
        const to = k > 0 ? Math.floor(-known - low) : Math.floor(known + high);
        const next: [number, number] = [Math.max(lo, from), Math.min(hi, to)];
        if (next[0] !== lo || next[1] !== hi) {
          bounds.set(id, next);
          moved = true;
        }
      }
    }
  }
  return [...bounds].filter(([, [lo, hi]]) => lo === hi).map(([id]) => id);
}

/**
 * (c) The exact test: a suppressed entry is determined iff no other whole-number solution of the
 * equations, within the lower bounds, gives it another value. Two solutions differ by a circulation,
 * and a circulation splits into cycles of suppressed entries that move the same way it does; so the
 * entry is free iff some alternating cycle through it (+1, -1, +1, … along row, column, row, …) keeps
 * every entry it lowers at or above its bound. Entries are signed as the equations see them: cells and
 * the grand total +, row and column totals −.
 */
export function exactlyDetermined(
  values: Table,
  mask: readonly (readonly boolean[])[],
  lowest: (r: number, c: number) => number,
): string[] {
  const height = values.length;
  const width = values[0]?.length ?? 0;
  const sign = (r: number, c: number) => ((r === height - 1) !== (c === width - 1) ? -1 : 1);
  const canMove = (r: number, c: number, change: number) =>
    sign(r, c) * change > 0 || (values[r]?.[c] ?? 0) - 1 >= lowest(r, c);
  const hidden = (r: number, c: number) => mask[r]?.[c] === true;
  const free = (r0: number, c0: number, d: number) => {
    if (!canMove(r0, c0, d)) return false;
    const seenColumns = new Set([c0]);
    const seenRows = new Set<number>();
    let columns = [c0];
    while (columns.length > 0) {
      const rows: number[] = [];
      for (const c of columns) {
        for (let r = 0; r < height; r++) {
          if ((r === r0 && c === c0) || !hidden(r, c) || seenRows.has(r) || !canMove(r, c, -d)) continue;
          if (r === r0) return true;
          seenRows.add(r);
          rows.push(r);
        }
      }
      columns = [];
      for (const r of rows) {
        for (let c = 0; c < width; c++) {
          if (!hidden(r, c) || seenColumns.has(c) || !canMove(r, c, d)) continue;
          seenColumns.add(c);
          columns.push(c);
        }
      }
    }
    return false;
  };
  return hiddenOf(mask).filter((id) => {
    const [r, c] = id.split(',').map(Number) as [number, number];
    return !free(r, c, 1) && !free(r, c, -1);
  });
}
