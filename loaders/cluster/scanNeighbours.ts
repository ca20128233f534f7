/**
 * Exact neighbour search by scanning rows, for DBSCAN on wide data. A k-d tree prunes by
 * bounding boxes, which stop excluding anything as the dimension grows: on a 7,043 × 47 one-hot
 * table its radius counts cost twice a plain scan. Squared distances are summed feature by
 * feature in the k-d tree's order, so every comparison with a radius, and every k-distance,
 * is bit for bit the tree's: both paths give the same labels.
 */
import type { FeatureMatrix } from "../matrix.ts";
import { beyond, binaryBound } from "./binaryBound.ts";

/**
 * Above this many features DBSCAN scans instead of searching a k-d tree. Measured (the eps
 * suggestion and five runs on 7,000 and 20,000 rows): up to 20 features the tree wins on one-hot
 * tables (4× at 10 features and 20,000 rows) and loses on Gaussian blobs; at 45–49 features the
 * scan wins on both, 2–5× (the README's table).
 */
export const SCAN_ABOVE_FEATURES = 20;

/**
 * Squared distance between row a of x and row b of y (offsets), or, once the running sum
 * exceeds `limit`, that partial sum (already > limit: the terms are not negative). Checked every
 * 4 features; the sum is taken in feature order, as the k-d tree's.
 */
export function sqDistUpTo(x: Float64Array, a: number, y: Float64Array, b: number, d: number, limit: number): number {
  let s = 0;
  let j = 0;
  for (const d4 = d - 3; j < d4; j += 4) {
    const t0 = x[a + j] - y[b + j];
    const t1 = x[a + j + 1] - y[b + j + 1];
    const t2 = x[a + j + 2] - y[b + j + 2];
    const t3 = x[a + j + 3] - y[b + j + 3];
    s += t0 * t0;
    s += t1 * t1;
    s += t2 * t2;
    s += t3 * t3;
    if (s > limit) return s;
  }
  for (; j < d; j++) {
    const t = x[a + j] - y[b + j];
    s += t * t;
  }
  return s;
}

/** Rows per block of the pairwise scan: two blocks of 64 rows × 47 features stay in L1/L2 cache. */
const BLOCK = 64;

/** Told the share done of a k-distance scan (set by reportingScans). */
let onScan: ((fraction: number) => void) | undefined;

/**
 * Runs `body` with `report` told the share done of every k-distance scan it starts: the grid's
 * scan starts deep in its plan (the eps suggestion), where no progress callback reaches.
 */
export function reportingScans<T>(report: ((fraction: number) => void) | undefined, body: () => T): T {
  const outer = onScan;
  onScan = report;
  try {
    return body();
  } finally {
    onScan = outer;
  }
}

/** k-distances already computed, per matrix (by its data array, never changed once built) and k. */
const memo = new WeakMap<Float64Array, Map<number, Float64Array>>();

/**
 * Each row's squared distance to its k-th nearest row, itself included at distance 0 (sklearn's
 * min_samples counting); Infinity when k > n. O(n²d) time, each pair measured once, O(nk) memory.
 * Remembered per matrix: DBSCAN's eps suggestion and every run of its eps grid ask for the same
 * one (a row is a core point at eps exactly when this is ≤ eps²), so the grid pays for one scan.
 */
export function kthNearestSqAll(matrix: FeatureMatrix, k: number): Float64Array {
  let byK = memo.get(matrix.data);
  if (!byK) memo.set(matrix.data, (byK = new Map()));
  let out = byK.get(k);
  if (!out) byK.set(k, (out = scanKth(matrix, k)));
  return out;
}

function scanKth(matrix: FeatureMatrix, k: number): Float64Array {
  const { n, d, data } = matrix;
  const out = new Float64Array(n).fill(Infinity);
  if (k > n || n === 0) return out;
  // best[i·k ..]: row i's k smallest squared distances so far, ascending (itself first, at 0).
  const best = new Float64Array(n * k).fill(Infinity);
  for (let i = 0; i < n; i++) best[i * k] = 0;
  const last = k - 1;
  const coded = binaryBound(matrix);
  const insert = (o: number, s: number) => {
    let j = last;
    while (j > 0 && best[o + j - 1] > s) {
      best[o + j] = best[o + j - 1];
      j--;
    }
    best[o + j] = s;
  };
  for (let ib = 0; ib < n; ib += BLOCK) {
    const iEnd = Math.min(ib + BLOCK, n);
    for (let jb = ib; jb < n; jb += BLOCK) {
      const jEnd = Math.min(jb + BLOCK, n);
      for (let i = ib; i < iEnd; i++) {
        const io = i * k;
        for (let j = jb === ib ? i + 1 : jb; j < jEnd; j++) {
          const jo = j * k;
          const bi = best[io + last];
          const bj = best[jo + last];
          const limit = bi > bj ? bi : bj;
          if (coded && beyond(coded, i, j, limit)) continue;
          const s = sqDistUpTo(data, i * d, data, j * d, d, limit);
          if (s < bi) insert(io, s);
          if (s < bj) insert(jo, s);
        }
      }
    }
    onScan?.(1 - ((n - iEnd) * (n - iEnd)) / (n * n));
  }
  for (let i = 0; i < n; i++) out[i] = best[i * k + last];
  return out;
}

/**
 * The squared k-distances of rows `queries` only, each found by scanning every row (2,000 × n
 * pairs against kthNearestSqAll's n²/2): for the eps suggestion of a table whose DBSCAN runs fit
 * samples, so that no run could reuse every row's.
 */
export function kthNearestSqOf(matrix: FeatureMatrix, queries: Int32Array, k: number): Float64Array {
  const { n, d, data } = matrix;
  const out = new Float64Array(queries.length).fill(Infinity);
  if (k > n) return out;
  const coded = binaryBound(matrix);
  const best = new Float64Array(k);
  const last = k - 1;
  queries.forEach((q, t) => {
    best.fill(Infinity);
    for (let i = 0; i < n; i++) {
      const limit = best[last];
      if (coded && beyond(coded, q, i, limit)) continue;
      const s = sqDistUpTo(data, q * d, data, i * d, d, limit);
      if (!(s < limit)) continue;
      let j = last;
      while (j > 0 && best[j - 1] > s) {
        best[j] = best[j - 1];
        j--;
      }
      best[j] = s;
    }
    out[t] = best[last];
    onScan?.((t + 1) / queries.length);
  });
  return out;
}

/**
 * DBSCAN's clusters from known core points (core[i] = 1), growing each from its lowest row as
 * the tree path does: a popped core point claims every unclaimed row within r2 by scanning the
 * rows not yet claimed (claimed rows leave the list). O(cores × unclaimed rows × d) at worst.
 */
export function expandByScan(matrix: FeatureMatrix, r2: number, core: Uint8Array): { labels: Int32Array; k: number } {
  const { n, d, data } = matrix;
  const labels = new Int32Array(n).fill(-1);
  const open = Int32Array.from({ length: n }, (_, i) => i);
  let nOpen = n;
  const stack = new Int32Array(n);
  const coded = binaryBound(matrix);
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== -1 || !core[i]) continue;
    let top = 0;
    labels[i] = k;
    stack[top++] = i;
    while (top > 0) {
      const q = stack[--top];
      const p = q * d;
      for (let t = 0; t < nOpen; ) {
        const v = open[t];
        // Claimed rows (the seed, rows claimed by an earlier scan) are dropped as met; order does not matter.
        if (labels[v] === -1 && ((coded && beyond(coded, q, v, r2)) || sqDistUpTo(data, p, data, v * d, d, r2) > r2)) {
          t++;
          continue;
        }
        if (labels[v] === -1) {
          labels[v] = k;
          if (core[v]) stack[top++] = v;
        }
        open[t] = open[--nOpen];
      }
    }
    k++;
  }
  return { labels, k };
}
