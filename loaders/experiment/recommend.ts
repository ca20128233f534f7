import { WorkbenchError } from "../errors.ts";
import type { ExperimentOptions } from "../manifest/types.ts";
import type { RunRecord } from "./runner.ts";

export type RecommendMetric = "silhouette" | "calinskiHarabasz" | "daviesBouldin" | "bic";
const HIGHER_IS_BETTER: Record<RecommendMetric, boolean> = {
  silhouette: true,
  calinskiHarabasz: true,
  daviesBouldin: false,
  bic: false
};
const ALGORITHM_ORDER = ["kmeans", "gmm", "hierarchical", "dbscan"];

export interface Recommendation {
  runId: string;
  rule: string;
  /** Runs that met the eligibility conditions. */
  eligible: number;
}

/**
 * The recommended run. Default rule: among runs with at least 2 segments, no segment smaller than
 * minSegmentShare (2%) of the customers and at most 10% noise, the best by `metric` (silhouette,
 * higher is better); ties go to fewer segments, then to k-means, mixture, Ward, DBSCAN in that
 * order. The manifest's experiment.recommend may set metric, minSegmentShare, or pin an
 * algorithm and k.
 */
export function recommend(runs: RunRecord[], options: ExperimentOptions["recommend"] = {}): Recommendation {
  const metric = (options.metric ?? "silhouette") as RecommendMetric;
  if (!(metric in HIGHER_IS_BETTER)) {
    throw new WorkbenchError("invalid parameter experiment.recommend.metric", {
      found: String(metric),
      expected: `one of ${Object.keys(HIGHER_IS_BETTER).join(", ")}`
    });
  }
  const minShare = options.minSegmentShare ?? 0.02;
  if (options.algorithm || options.k) {
    const pinned = runs.find((r) => (!options.algorithm || r.algorithm === options.algorithm) && (!options.k || r.k === options.k));
    if (!pinned) {
      throw new WorkbenchError("experiment.recommend pins a run that the grid does not have", {
        found: `${options.algorithm ?? "any algorithm"} with k=${options.k ?? "any"}`,
        hint: "Add it to experiment.grid or change experiment.recommend"
      });
    }
    return { runId: pinned.id, rule: `pinned in data/manifest.json: ${pinned.id}`, eligible: 1 };
  }
  const score = (r: RunRecord) => r.metrics[metric] as number | null | undefined;
  const better = HIGHER_IS_BETTER[metric] ? 1 : -1;
  const order = (a: RunRecord, b: RunRecord) =>
    better * ((score(b) ?? -Infinity * better) - (score(a) ?? -Infinity * better)) ||
    a.k - b.k ||
    ALGORITHM_ORDER.indexOf(a.algorithm) - ALGORITHM_ORDER.indexOf(b.algorithm);
  const eligible = runs.filter((r) => {
    const n = r.labels.length;
    return r.k >= 2 && score(r) != null && r.sizes.every((s) => s >= minShare * n) && r.metrics.noise <= 0.1 * n;
  });
  const pool = eligible.length ? eligible : runs.filter((r) => score(r) != null);
  if (!pool.length) throw new WorkbenchError("no run could be scored, so none can be recommended", { hint: "Check the experiment grid in data/manifest.json" });
  const best = [...pool].sort(order)[0];
  const direction = HIGHER_IS_BETTER[metric] ? "highest" : "lowest";
  const rule = eligible.length
    ? `${direction} ${metric} among runs with ≥ 2 segments, every segment ≥ ${(minShare * 100).toFixed(0)}% of customers and ≤ 10% noise (${eligible.length} of ${runs.length} runs qualified); ties go to fewer segments`
    : `${direction} ${metric} over all runs (no run met the segment-size and noise conditions)`;
  return { runId: best.id, rule, eligible: eligible.length };
}
