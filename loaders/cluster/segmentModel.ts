/**
 * A fitted segmentation as a model that assigns new customers: what each algorithm keeps after
 * fit, as plain JSON, and the one `predictSegments` that applies it. Three shapes cover every
 * algorithm:
 * - centroids (k-means, mini-batch k-means, hierarchical): the nearest centre, squared Euclidean,
 *   ties to the lower segment, as k-means assigns. For hierarchical clustering this is a rule
 *   applied after the fact: a Ward segment is not a Voronoi cell, so a few training customers may
 *   sit nearer another segment's centre (the model records how many).
 * - gaussian (Gaussian mixture): posterior probabilities under the fitted mixture, and their argmax.
 * - density (DBSCAN): the segment of the nearest core point within eps, else noise (-1). A
 *   border customer within eps of two segments' cores goes to the nearer one, where DBSCAN's fit
 *   gives it to the segment that reached it first.
 */
import { makeMatrix, selectRows, sqDist, type FeatureMatrix } from "../matrix.ts";
import { predictProba, type CovarianceType, type Probabilities } from "./gmm.ts";
import { KdTree } from "./kdTree.ts";

export type SegmentModel =
  | { kind: "centroids"; centroids: number[][] }
  | { kind: "gaussian"; covariance: CovarianceType; weights: number[]; means: number[][]; covariances: number[][][] | number[][] }
  | { kind: "density"; eps: number; core: number[][]; coreLabels: number[] };

export interface Prediction {
  labels: Int32Array;
  /** Gaussian mixtures: each row's membership probabilities (n × k). */
  probabilities: Probabilities | null;
}

export function predictSegments(model: SegmentModel, matrix: FeatureMatrix): Prediction {
  switch (model.kind) {
    case "centroids":
      return { labels: nearestCentre(Float64Array.from(model.centroids.flat()), model.centroids.length, matrix), probabilities: null };
    case "gaussian": {
      const probabilities = predictProba(matrix, model);
      return { labels: argmaxRows(probabilities), probabilities };
    }
    case "density":
      return { labels: nearestCore(model, matrix), probabilities: null };
  }
}

/** Centroids model from k × d row-major centres. */
export function centroidsModel(centroids: Float64Array, k: number, d: number): Extract<SegmentModel, { kind: "centroids" }> {
  return { kind: "centroids", centroids: Array.from({ length: k }, (_, c) => Array.from(centroids.subarray(c * d, (c + 1) * d))) };
}

/** Density model from the fitted rows of `matrix` that are core points, with their labels. */
export function densityModel(matrix: FeatureMatrix, coreRows: ArrayLike<number>, labels: ArrayLike<number>, eps: number): SegmentModel {
  const cores = selectRows(matrix, coreRows);
  const core = Array.from({ length: cores.n }, (_, i) => Array.from(cores.data.subarray(i * cores.d, (i + 1) * cores.d)));
  return { kind: "density", eps, core, coreLabels: Array.from(coreRows, (r) => labels[r]) };
}

function nearestCentre(centroids: Float64Array, k: number, matrix: FeatureMatrix): Int32Array {
  const labels = new Int32Array(matrix.n);
  for (let i = 0; i < matrix.n; i++) labels[i] = nearestCentreOf(matrix.data, i, centroids, k, matrix.d);
  return labels;
}

/** The centre (k × d row-major) nearest to row `row` of `data`, squared Euclidean, ties to the lower index. */
export function nearestCentreOf(data: Float64Array, row: number, centroids: Float64Array, k: number, d: number): number {
  let best = 0;
  let bestDist = Infinity;
  for (let c = 0; c < k; c++) {
    const dist = sqDist(data, row, centroids, c, d);
    if (dist < bestDist) {
      bestDist = dist;
      best = c;
    }
  }
  return best;
}

function nearestCore(model: Extract<SegmentModel, { kind: "density" }>, matrix: FeatureMatrix): Int32Array {
  const { n, d, data } = matrix;
  const labels = new Int32Array(n).fill(-1);
  if (model.core.length === 0) return labels;
  const cores = makeMatrix(matrix.names, model.core.length, Float64Array.from(model.core.flat()));
  const tree = new KdTree(cores.data, cores.n, d);
  const r2 = model.eps * model.eps;
  const pure = tree.pureLabels(model.coreLabels);
  const settle = tree.settleRadii(model.coreLabels, pure, r2);
  for (let i = 0; i < n; i++) labels[i] = tree.nearestLabelWithin(data, i * d, r2, model.coreLabels, pure, settle);
  return labels;
}

function argmaxRows(p: Probabilities): Int32Array {
  const labels = new Int32Array(p.n);
  for (let i = 0; i < p.n; i++) {
    let best = 0;
    for (let c = 1; c < p.k; c++) if (p.data[i * p.k + c] > p.data[i * p.k + best]) best = c;
    labels[i] = best;
  }
  return labels;
}
