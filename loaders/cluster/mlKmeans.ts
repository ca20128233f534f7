/**
 * Thin adapter over the ml-kmeans package (plain Lloyd on number[][]), the reference our fast
 * k-means (kmeans.ts) is checked against. Returns our ClusterResult shape; inertia is computed
 * here because ml-kmeans does not report it.
 *
 * ml-kmeans differs from scikit-learn in ways that matter only at the edges: it stops when every
 * centre moved at most `tolerance` (squared distance), an empty cluster keeps its old centre,
 * and its labels come from the last assignment, before the last centre update.
 */
import { kmeans as mlKmeansRun } from "ml-kmeans";
import type { FeatureMatrix } from "../matrix.ts";
import type { ClusterResult } from "./types.ts";

export interface MlKmeansOptions {
  /** Initial centres (k × d row-major), or one of ml-kmeans' methods; default "kmeans++". */
  initialization?: Float64Array | "kmeans++" | "random" | "mostDistant";
  /** Seed for ml-kmeans' own initialisation methods. */
  seed?: number;
  /** Default 100 (ml-kmeans' default). */
  maxIterations?: number;
  /** Largest squared centre movement counted as converged; default 1e-6 (ml-kmeans' default). */
  tolerance?: number;
}

export function mlKmeans(matrix: FeatureMatrix, k: number, options: MlKmeansOptions = {}): ClusterResult {
  const { n, d, data } = matrix;
  const rows = Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * d, (i + 1) * d)));
  const init = options.initialization ?? "kmeans++";
  const initialization =
    init instanceof Float64Array ? Array.from({ length: k }, (_, c) => Array.from(init.subarray(c * d, (c + 1) * d))) : init;
  const result = mlKmeansRun(rows, k, {
    initialization,
    seed: options.seed,
    maxIterations: options.maxIterations ?? 100,
    tolerance: options.tolerance ?? 1e-6
  });
  const labels = Int32Array.from(result.clusters);
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    const c = result.centroids[labels[i]];
    for (let j = 0; j < d; j++) {
      const t = data[i * d + j] - c[j];
      inertia += t * t;
    }
  }
  return {
    labels,
    k,
    notes: ["ml-kmeans reference run"],
    model: { centroids: result.centroids, inertia, iterations: result.iterations, converged: result.converged },
    segmentModel: { kind: "centroids", centroids: result.centroids }
  };
}
