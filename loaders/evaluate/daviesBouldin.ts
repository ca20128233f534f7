/**
 * Davies–Bouldin index as sklearn.metrics.davies_bouldin_score: for each segment i,
 * max over j≠i of (s_i + s_j) / ‖c_i − c_j‖ where s is the mean distance of a segment's rows
 * to its centroid; then the mean over segments. Lower is better (0 is the minimum).
 * scikit-learn's edge cases: if every s_i or every centroid distance is ~0 (np.allclose, atol
 * 1e-8) the score is 0; coinciding centroid pairs are skipped (distance set to ∞).
 * Undefined unless 2 ≤ k ≤ n−1. Noise rows (label -1) are left out.
 */
import type { FeatureMatrix } from "../matrix.ts";
import { segmentStats, type SegmentStats } from "./centroids.ts";
import { labelCountProblem } from "./labels.ts";

export interface ScoreResult {
  /** The score, or null where scikit-learn would raise. */
  value: number | null;
  /** Why value is null. */
  reason?: string;
}

/** numpy.allclose(x, 0) with its default atol. */
const ALLCLOSE_ATOL = 1e-8;

export function daviesBouldin(matrix: FeatureMatrix, labels: ArrayLike<number>): ScoreResult {
  return daviesBouldinFromStats(segmentStats(matrix, labels));
}

export function daviesBouldinFromStats(stats: SegmentStats): ScoreResult {
  const { seg, d, means, distSum } = stats;
  const { k } = seg;
  const problem = labelCountProblem("Davies–Bouldin", k, seg.rows.length);
  if (problem) return { value: null, reason: problem };
  const intra = new Float64Array(k);
  for (let c = 0; c < k; c++) intra[c] = distSum[c] / seg.sizes[c];
  const centroidDist = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = means[i * d + t] - means[j * d + t];
        s += diff * diff;
      }
      centroidDist[i * k + j] = Math.sqrt(s);
    }
  }
  if (intra.every((v) => Math.abs(v) <= ALLCLOSE_ATOL) || centroidDist.every((v) => Math.abs(v) <= ALLCLOSE_ATOL)) {
    return { value: 0 };
  }
  let sum = 0;
  for (let i = 0; i < k; i++) {
    let worst = 0;
    for (let j = 0; j < k; j++) {
      const dist = centroidDist[i * k + j];
      if (dist === 0) continue; // scikit-learn: distance 0 → ∞, so the term is 0
      worst = Math.max(worst, (intra[i] + intra[j]) / dist);
    }
    sum += worst;
  }
  return { value: sum / k };
}
