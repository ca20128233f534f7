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
 * higher is better); when no run meets those conditions, the best by `metric` of all runs it
 * scores. Ties go to fewer segments, then to k-means, mixture, Ward, DBSCAN in that order.
 *
 * The manifest's experiment.recommend may set metric and minSegmentShare, and pin `algorithm`
 * and/or `k`: the pin chooses the set of runs, the rule chooses within it (pinning "gmm" gives the
 * best mixture run, not the first one in the grid). A pin that matches no run is an error.
 *
 * Returns null when no run of the set can be scored by the metric (e.g. every run found a single
 * segment, or silhouettes could not be computed): there is nothing to recommend, not a bad input.
 */
export function recommend(runs: RunRecord[], options: ExperimentOptions["recommend"] = {}): Recommendation | null {
  const metric = (options.metric ?? "silhouette") as RecommendMetric;
  if (!(metric in HIGHER_IS_BETTER)) {
    throw new WorkbenchError("invalid parameter experiment.recommend.metric", {
      found: String(metric),
      expected: `one of ${Object.keys(HIGHER_IS_BETTER).join(", ")}`
    });
  }
  const minShare = options.minSegmentShare ?? 0.02;
  const { algorithm, k } = options;
  const pinned = algorithm !== undefined || k !== undefined;
  const pin = [algorithm, k !== undefined ? `k=${k}` : undefined].filter(Boolean).join(" ");
  const candidates = pinned ? runs.filter((r) => (algorithm === undefined || r.algorithm === algorithm) && (k === undefined || r.k === k)) : runs;
  if (pinned && !candidates.length) {
    throw new WorkbenchError("experiment.recommend pins a run that the grid does not have", {
      found: `${algorithm ?? "any algorithm"} with k=${k ?? "any"}`,
      hint: "Add it to experiment.grid or change experiment.recommend"
    });
  }
  const score = (r: RunRecord) => r.metrics[metric] as number | null | undefined;
  const better = HIGHER_IS_BETTER[metric] ? 1 : -1;
  const order = (a: RunRecord, b: RunRecord) =>
    better * ((score(b) ?? -Infinity * better) - (score(a) ?? -Infinity * better)) ||
    a.k - b.k ||
    ALGORITHM_ORDER.indexOf(a.algorithm) - ALGORITHM_ORDER.indexOf(b.algorithm);
  const eligible = candidates.filter((r) => {
    const n = r.labels.length;
    return r.k >= 2 && score(r) != null && r.sizes.every((s) => s >= minShare * n) && r.metrics.noise <= 0.1 * n;
  });
  const pool = eligible.length ? eligible : candidates.filter((r) => score(r) != null);
  if (!pool.length) return null;
  const best = [...pool].sort(order)[0];
  const direction = HIGHER_IS_BETTER[metric] ? "highest" : "lowest";
  const scope = pinned ? `${pin} runs` : "runs";
  const rule = eligible.length
    ? `${direction} ${metric} among ${scope} with ≥ 2 segments, every segment ≥ ${(minShare * 100).toFixed(0)}% of customers and ≤ 10% noise (${eligible.length} of ${candidates.length} runs qualified); ties go to fewer segments`
    : `${direction} ${metric} over all ${scope} (none met the segment-size and noise conditions)`;
  return { runId: best.id, rule: pinned ? `pinned in data/manifest.json to ${pin}: ${rule}` : rule, eligible: eligible.length };
}
