/**
 * Per-segment means and spreads: the one O(n·d) pass that inertia, Davies–Bouldin and
 * Calinski–Harabasz all need. Noise rows (label -1) are left out.
 */
import { WorkbenchError } from "../errors.ts";
import type { FeatureMatrix } from "../matrix.ts";
import { excludeNoise, type SegmentRows } from "./labels.ts";

export interface SegmentStats {
  seg: SegmentRows;
  d: number;
  /** Segment means, k × d row-major (code order). */
  means: Float64Array;
  /** Mean of all non-noise rows, length d. */
  grandMean: Float64Array;
  /** Per segment: Σ ‖x − mean‖² (the segment's inertia). */
  sqDistSum: Float64Array;
  /** Per segment: Σ ‖x − mean‖ (for Davies–Bouldin's average distance to the centroid). */
  distSum: Float64Array;
}

export function checkLabelsLength(matrix: FeatureMatrix, labels: ArrayLike<number>): void {
  if (labels.length !== matrix.n) {
    throw new WorkbenchError("labels and feature matrix have different numbers of rows", {
      column: "labels",
      found: String(labels.length),
      expected: `${matrix.n} labels, one per matrix row`
    });
  }
}

export function segmentStats(matrix: FeatureMatrix, labels: ArrayLike<number>): SegmentStats {
  checkLabelsLength(matrix, labels);
  const seg = excludeNoise(labels);
  const { d, data } = matrix;
  const { rows, codes, k } = seg;
  // Means are accumulated relative to each segment's first row: a constant segment then gets
  // its mean exactly (so its spread is exactly 0, as scikit-learn's edge cases expect), and
  // large offsets do not cost precision.
  const anchor = new Int32Array(k).fill(-1);
  const shifted = new Float64Array(k * d);
  const counts = new Float64Array(k);
  for (let r = 0; r < rows.length; r++) {
    const c = codes[r];
    const off = rows[r] * d;
    if (anchor[c] < 0) anchor[c] = rows[r];
    const a = anchor[c] * d;
    counts[c]++;
    for (let t = 0; t < d; t++) shifted[c * d + t] += data[off + t] - data[a + t];
  }
  const means = new Float64Array(k * d);
  const grandMean = new Float64Array(d);
  const total = rows.length;
  for (let c = 0; c < k; c++) {
    const a = anchor[c] * d;
    for (let t = 0; t < d; t++) {
      means[c * d + t] = data[a + t] + shifted[c * d + t] / counts[c];
      grandMean[t] += (counts[c] / total) * means[c * d + t];
    }
  }
  const sqDistSum = new Float64Array(k);
  const distSum = new Float64Array(k);
  for (let r = 0; r < rows.length; r++) {
    const c = codes[r];
    const off = rows[r] * d;
    let s = 0;
    for (let t = 0; t < d; t++) {
      const diff = data[off + t] - means[c * d + t];
      s += diff * diff;
    }
    sqDistSum[c] += s;
    distSum[c] += Math.sqrt(s);
  }
  return { seg, d, means, grandMean, sqDistSum, distSum };
}
