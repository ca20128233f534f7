/**
 * Inertia (within-cluster sum of squares): Σ over rows of the squared Euclidean distance to
 * the row's segment mean, as k-means minimises and scikit-learn's KMeans.inertia_ reports.
 * Lower is better for a fixed k, but it always falls as k grows (hence the elbow/knee).
 * Noise rows (label -1) are left out.
 */
import type { FeatureMatrix } from "../matrix.ts";
import { segmentStats, type SegmentStats } from "./centroids.ts";

export interface InertiaResult {
  total: number;
  perSegment: { label: number; size: number; inertia: number }[];
  noise: number;
}

export function inertia(matrix: FeatureMatrix, labels: ArrayLike<number>): InertiaResult {
  return inertiaFromStats(segmentStats(matrix, labels));
}

export function inertiaFromStats(stats: SegmentStats): InertiaResult {
  const { seg, sqDistSum } = stats;
  let total = 0;
  const perSegment = seg.labels.map((label, c) => {
    total += sqDistSum[c];
    return { label, size: seg.sizes[c], inertia: sqDistSum[c] };
  });
  return { total, perSegment, noise: seg.noise };
}
