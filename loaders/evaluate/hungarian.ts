/**
 * Kuhn–Munkres (Hungarian) assignment on a rectangular cost matrix: match every row of the
 * smaller side to a distinct column so that the summed cost is minimal. Shortest augmenting
 * paths with dual potentials (Jonker–Volgenant style), O(r² c) for r ≤ c — O(n³) when square.
 * A wider-than-tall or taller-than-wide matrix both work: the smaller side is matched fully,
 * the rest of the larger side stays unmatched (-1).
 */

export interface Assignment {
  /** rowToCol[i] = column matched to row i, or -1. */
  rowToCol: Int32Array;
  /** colToRow[j] = row matched to column j, or -1. */
  colToRow: Int32Array;
  /** Sum of cost over matched pairs. */
  cost: number;
}

/** Minimum-cost assignment; costs must be finite. Use negated scores to maximise. */
export function hungarian(cost: ArrayLike<number>[]): Assignment {
  const rows = cost.length;
  const cols = rows === 0 ? 0 : cost[0].length;
  for (const row of cost) {
    if (row.length !== cols) throw new Error("hungarian: cost matrix rows differ in length");
    for (let j = 0; j < cols; j++) if (!Number.isFinite(row[j])) throw new Error("hungarian: non-finite cost");
  }
  const transpose = rows > cols;
  const n = transpose ? cols : rows; // the side matched fully
  const m = transpose ? rows : cols;
  const a = (i: number, j: number) => (transpose ? cost[j][i] : cost[i][j]);

  // 1-based arrays; column 0 is a virtual column holding the row being inserted.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // p[j] = row matched to column j (0 = none)
  const way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = a(i0 - 1, j - 1) - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    // Flip the augmenting path back to column 0.
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }

  const rowToCol = new Int32Array(rows).fill(-1);
  const colToRow = new Int32Array(cols).fill(-1);
  let total = 0;
  for (let j = 1; j <= m; j++) {
    if (p[j] === 0) continue;
    const i = p[j] - 1;
    const r = transpose ? j - 1 : i;
    const c = transpose ? i : j - 1;
    rowToCol[r] = c;
    colToRow[c] = r;
    total += cost[r][c];
  }
  return { rowToCol, colToRow, cost: total };
}
