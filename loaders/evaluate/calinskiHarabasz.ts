/**
 * Calinski–Harabasz index (variance ratio criterion) as sklearn.metrics.calinski_harabasz_score:
 * [B / (k − 1)] / [W / (n − k)] with B = Σ n_c ‖mean_c − mean‖² (between-segment dispersion)
 * and W = total inertia. Higher is better. scikit-learn returns 1.0 when W is exactly 0.
 * Undefined unless 2 ≤ k ≤ n−1. Noise rows (label -1) are left out.
 */
import type { FeatureMatrix } from "../matrix.ts";
import { segmentStats, type SegmentStats } from "./centroids.ts";
import type { ScoreResult } from "./daviesBouldin.ts";
import { labelCountProblem } from "./labels.ts";

export function calinskiHarabasz(matrix: FeatureMatrix, labels: ArrayLike<number>): ScoreResult {
  return calinskiHarabaszFromStats(segmentStats(matrix, labels));
}

export function calinskiHarabaszFromStats(stats: SegmentStats): ScoreResult {
  const { seg, d, means, grandMean, sqDistSum } = stats;
  const { k } = seg;
  const n = seg.rows.length;
  const problem = labelCountProblem("Calinski–Harabasz", k, n);
  if (problem) return { value: null, reason: problem };
  let between = 0;
  let within = 0;
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let t = 0; t < d; t++) {
      const diff = means[c * d + t] - grandMean[t];
      s += diff * diff;
    }
    between += seg.sizes[c] * s;
    within += sqDistSum[c];
  }
  if (within === 0) return { value: 1 };
  return { value: (between * (n - k)) / (within * (k - 1)) };
}
