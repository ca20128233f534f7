/**
 * Feature binning for histogram-based boosting, as scikit-learn's _BinMapper: per feature, up
 * to maxBins bins whose edges are the midpoints between distinct values when there are few of
 * them, else the "midpoint" percentiles at 100·i/maxBins (the same numpy arithmetic, so the
 * edges are sklearn's to the last bit). Value x goes to bin b iff edge[b−1] < x ≤ edge[b].
 * Unlike sklearn we never subsample (it bins a 200,000-row sample of larger tables).
 */
import { checkParam } from "../errors.ts";
import type { FeatureMatrix } from "../matrix.ts";

/** Bin edges (ascending) of one feature: edges.length + 1 bins. */
export type BinEdges = Float64Array;

export function binEdges(X: FeatureMatrix, maxBins = 255): BinEdges[] {
  checkParam(Number.isInteger(maxBins) && maxBins >= 2 && maxBins <= 255, "maxBins", maxBins, "an integer from 2 to 255");
  const { n, d, data } = X;
  const column = new Float64Array(n);
  const edges: BinEdges[] = [];
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) column[i] = data[i * d + j];
    column.sort();
    edges.push(columnEdges(column, maxBins));
  }
  return edges;
}

/** Edges of one sorted column. */
function columnEdges(sorted: Float64Array, maxBins: number): BinEdges {
  const n = sorted.length;
  const distinct: number[] = [];
  for (let i = 0; i < n && distinct.length <= maxBins; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
  if (distinct.length <= maxBins) {
    const out = new Float64Array(Math.max(0, distinct.length - 1));
    for (let b = 0; b < out.length; b++) out[b] = (distinct[b] + distinct[b + 1]) * 0.5;
    return out;
  }
  // np.percentile(col, np.linspace(0, 100, maxBins + 1)[1:-1], method="midpoint"), step by step.
  const out = new Float64Array(maxBins - 1);
  const step = 100 / maxBins;
  for (let b = 1; b < maxBins; b++) {
    const q = (b * step) / 100;
    const virtual = n * q + (1 + q * (1 - 1 - 1)) - 1;
    const below = Math.floor(virtual);
    const index = 0.5 * (below + Math.ceil(virtual));
    const lo = Math.min(Math.max(Math.floor(index), 0), n - 1);
    const hi = Math.min(lo + 1, n - 1);
    const a = sorted[lo];
    const c = sorted[hi];
    // numpy's _lerp: a + (c−a)·t for t < 0.5, c − (c−a)·(1−t) for t ≥ 0.5.
    out[b - 1] = index % 1 === 0 ? a : c - (c - a) * 0.5;
  }
  return out;
}

/** Bin of every value, row-major like the matrix: bins[i * d + j] is row i's bin of feature j. */
export function applyBins(X: FeatureMatrix, edges: BinEdges[]): Uint8Array {
  const { n, d, data } = X;
  checkParam(edges.length === d, "edges", edges.length, `one edge list per feature (${d})`);
  const bins = new Uint8Array(n * d);
  for (let j = 0; j < d; j++) {
    const e = edges[j];
    for (let i = 0; i < n; i++) {
      const x = data[i * d + j];
      // Number of edges < x: binary search.
      let lo = 0;
      let hi = e.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (e[mid] < x) lo = mid + 1;
        else hi = mid;
      }
      bins[i * d + j] = lo;
    }
  }
  return bins;
}
