/**
 * Shared fallback for algorithms whose cost grows as n² (hierarchical, DBSCAN): above `maxPoints`
 * rows, fit on a seeded random sample of `maxPoints` rows, then label every other row by a cheap
 * rule (by default: the nearest segment centroid of the sample). The result says so in a note.
 */
import type { FeatureMatrix } from "../matrix.ts";
import { selectRows } from "../matrix.ts";
import { nearestCentreOf } from "./segmentModel.ts";
import type { Rng } from "../rng.ts";
import type { FittedLabels } from "./types.ts";

/**
 * Builds the labelling rule for rows outside the sample from the fit on the sample.
 * The returned function gets the full data and a row index and returns that row's label (-1 = noise).
 */
export type Assigner<R extends FittedLabels> = (
  fitted: R,
  sample: FeatureMatrix
) => (data: Float64Array, row: number) => number;

export interface SampledFit<R extends FittedLabels> {
  /** The fit, with `labels` covering every row of the full matrix and the note added when sampled. */
  result: R;
  /** Row indices (ascending) of the sample that was fitted, or null when every row was fitted. */
  sample: Int32Array | null;
}

/**
 * Fits `fit` on all rows when n ≤ maxPoints; otherwise on `rng.sampleIndices(n, maxPoints)` and
 * labels the remaining rows with `assign`. Sample rows keep the label the fit gave them.
 * `rule` completes the note, e.g. "assigned to the nearest segment centroid".
 */
export function fitOnSample<R extends FittedLabels>(
  matrix: FeatureMatrix,
  maxPoints: number,
  rng: Rng,
  fit: (m: FeatureMatrix) => R,
  assign: Assigner<R>,
  rule: string,
  algorithm: string
): SampledFit<R> {
  if (matrix.n <= maxPoints) return { result: fit(matrix), sample: null };
  const sample = rng.sampleIndices(matrix.n, maxPoints);
  const sampleMatrix = selectRows(matrix, sample);
  return { result: extendToAllRows(matrix, sample, sampleMatrix, fit(sampleMatrix), assign, rule, algorithm, maxPoints), sample };
}

/**
 * Labels every row of `matrix` from a fit on the rows `sample` (as `sampleMatrix`): sample rows
 * keep their label, the others get `assign`'s; adds the note saying so.
 */
export function extendToAllRows<R extends FittedLabels>(
  matrix: FeatureMatrix,
  sample: Int32Array,
  sampleMatrix: FeatureMatrix,
  fitted: R,
  assign: Assigner<R>,
  rule: string,
  algorithm: string,
  maxPoints: number,
  limit = "the n² limit"
): R {
  const labelOf = assign(fitted, sampleMatrix);
  const labels = new Int32Array(matrix.n);
  let s = 0;
  for (let i = 0; i < matrix.n; i++) {
    if (s < sample.length && sample[s] === i) labels[i] = fitted.labels[s++];
    else labels[i] = labelOf(matrix.data, i);
  }
  const rest = matrix.n - sample.length;
  const note =
    `${algorithm} fitted on a seeded random sample of ${fmt(sample.length)} of ${fmt(matrix.n)} rows ` +
    `(maxPoints = ${fmt(maxPoints)}, ${limit}); the other ${fmt(rest)} rows were ${rule}`;
  return { ...fitted, labels, notes: [...fitted.notes, note] };
}

/** Assigner: nearest centroid (squared Euclidean; ties go to the lower label) of the sample's segments. */
export function nearestCentroid<R extends FittedLabels>(fitted: R, sample: FeatureMatrix): (data: Float64Array, row: number) => number {
  const { k } = fitted;
  const { d } = sample;
  const centroids = segmentCentroids(sample, fitted.labels, k);
  return (data, row) => nearestCentreOf(data, row, centroids, k, d);
}

/** k×d row-major means of the rows with each label 0..k-1 (noise, -1, ignored; empty segments stay 0). */
export function segmentCentroids(matrix: FeatureMatrix, labels: Int32Array, k: number): Float64Array {
  const { n, d, data } = matrix;
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (c < 0) continue;
    counts[c]++;
    for (let j = 0; j < d; j++) sums[c * d + j] += data[i * d + j];
  }
  for (let c = 0; c < k; c++) if (counts[c] > 0) for (let j = 0; j < d; j++) sums[c * d + j] /= counts[c];
  return sums;
}

/**
 * Renumbers labels 0..k-1 in order of first appearance by row (noise stays -1), in place.
 * Returns `order`: order[newLabel] = oldLabel.
 */
export function renumberByFirstAppearance(labels: Int32Array, k: number): number[] {
  const map = new Int32Array(k).fill(-1);
  const order: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (c >= 0 && map[c] < 0) {
      map[c] = order.length;
      order.push(c);
    }
  }
  for (let c = 0; c < k; c++) if (map[c] < 0) map[c] = order.push(c) - 1;
  for (let i = 0; i < labels.length; i++) if (labels[i] >= 0) labels[i] = map[labels[i]];
  return order;
}

/** Integer with thousands separators, independent of the machine's locale. */
export function fmt(x: number): string {
  return x.toLocaleString("en-US");
}
