import type { FeatureMatrix } from "../matrix.ts";
import type { Rng } from "../rng.ts";
import type { SegmentModel } from "./segmentModel.ts";

/** An algorithm's name as declared in the registry (registry/algorithms.ts). */
export type AlgorithmName = string;

/** What every clustering algorithm returns: labels plus JSON-able model facts. */
export interface ClusterResult {
  /** labels[i] is row i's segment, 0..k-1; -1 marks noise (DBSCAN only). */
  labels: Int32Array;
  /** Number of segments found (noise excluded). */
  k: number;
  /** Notes for the report, e.g. "fitted on a 5,000-row sample; the rest assigned to the nearest segment". */
  notes: string[];
  /** Algorithm-specific, JSON-able model facts (centroids, inertia, merge heights, BIC ...). */
  model: Record<string, unknown>;
  /** What assigns new rows to these segments (segmentModel.ts); predicting the fitted rows gives `labels`. */
  segmentModel: SegmentModel;
}

/** A fit's labels and facts before its segment model is built (the sampling helpers work on these). */
export type FittedLabels = Omit<ClusterResult, "segmentModel">;

/** The one interface every algorithm implements. Params are plain objects; defaults live in `defaults`. */
export interface Clusterer<P extends object> {
  name: AlgorithmName;
  defaults: P;
  /** Validates params (throwing WorkbenchError naming the parameter) and fits. */
  fit(matrix: FeatureMatrix, params: Partial<P>, rng: Rng): ClusterResult;
  /**
   * Optional: fits once for several k when the algorithm allows it (a hierarchy is cut at any k),
   * returning one result per k, as `fit` with that k would.
   */
  fitPath?(matrix: FeatureMatrix, params: Partial<P>, ks: number[], rng: Rng): ClusterResult[];
}
