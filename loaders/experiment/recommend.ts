import { WorkbenchError } from "../errors.ts";
import type { StabilityResult } from "../evaluate/stability.ts";
import type { ExperimentOptions } from "../manifest/types.ts";
import type { RunRecord } from "./runner.ts";
import { ALGORITHM_NAMES } from "../registry/algorithms.ts";
import { METRICS, RANKING_METRICS, type RankingMetric } from "../registry/metrics.ts";

export type RecommendMetric = RankingMetric;

/**
 * Defaults of the rule. A marketer can act on a handful of groups: 3–8 segments, none below 3% of
 * customers nor below 10 customers (a segment's means and rates mean little below that), and each
 * one turning up again when the customers are resampled (mean bootstrap Jaccard ≥ 0.75,
 * clusterboot's "stable"). Stability costs B refits, so runs are checked best first and the
 * checks stop at the first stable one, or after `stabilityCandidates`.
 */
export const RECOMMEND_DEFAULTS = {
  metric: "silhouette" as RecommendMetric,
  kRange: [3, 8] as [number, number],
  minSegmentShare: 0.03,
  minSegmentSize: 10,
  minStability: 0.75,
  stabilityCandidates: 5,
  maxNoiseShare: 0.1
};

export type RecommendOptions = NonNullable<ExperimentOptions["recommend"]>;

/** The thresholds a recommendation applied, for pages to quote instead of typing them again. */
export interface RecommendSettings {
  metric: RecommendMetric;
  higherIsBetter: boolean;
  kRange: [number, number];
  minSegmentShare: number;
  /** Fewest customers in a segment, whatever the share. */
  minSegmentSize: number;
  minStability: number;
  stabilityCandidates: number;
  maxNoiseShare: number;
}

export interface Recommendation {
  runId: string;
  /** The rule that chose the run, in one sentence (the fallback, if one was taken, is apart). */
  rule: string;
  /** Runs that met every condition checked without refitting (k range, segment sizes, noise). */
  eligible: number;
  /** The fallback taken when no run met every condition, else null. */
  fallback: string | null;
  settings: RecommendSettings;
  /** Why each run was chosen or lost, by run id. */
  verdicts: Record<string, string>;
  /** Smallest per-segment mean bootstrap Jaccard of each run whose stability was checked. */
  stability: Record<string, number>;
  /** The run the metric alone prefers (≥ 2 segments, sizes and noise within the limits, any k). */
  strongest: { runId: string; k: number; score: number } | null;
}

/**
 * The recommended run. Default rule: among runs with 3–8 segments (kRange), every segment at least
 * 3% of customers (minSegmentShare) and 10 customers, and at most 10% noise, check stability by
 * bootstrap best first (by the metric: silhouette, higher is better) and choose the first run
 * whose every segment has mean Jaccard ≥ 0.75, checking at most `stabilityCandidates` runs. Ties go to fewer segments, then to k-means,
 * mixture, Ward, DBSCAN in that order.
 *
 * Fallbacks, in order, each stated in `rule` and `fallback`:
 *  1. none of the runs checked is stable → the most stable of them;
 *  2. no run has a k in range with acceptable sizes and noise → the best such run at any k ≥ 2;
 *  3. no run has acceptable sizes and noise → the best scorable run.
 * Without `stabilityOf` (a caller with no data to refit) stability is not checked.
 *
 * The manifest's experiment.recommend may set metric, kRange, minSegmentShare, minStability, and
 * pin `algorithm` and/or `k`: the pin chooses the set of runs and the rule chooses within it. A
 * pinned k overrides kRange. A pin that matches no run is an error.
 *
 * Returns null when no run of the set can be scored by the metric.
 */
export function recommend(
  runs: RunRecord[],
  options: RecommendOptions = {},
  stabilityOf?: (run: RunRecord) => StabilityResult
): Recommendation | null {
  const settings = resolveSettings(options);
  const { metric, kRange, minSegmentShare, minSegmentSize, minStability, stabilityCandidates, maxNoiseShare } = settings;
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
  const better = settings.higherIsBetter ? 1 : -1;
  const order = (a: RunRecord, b: RunRecord) =>
    better * ((score(b) ?? -Infinity * better) - (score(a) ?? -Infinity * better)) ||
    a.k - b.k ||
    ALGORITHM_NAMES.indexOf(a.algorithm) - ALGORITHM_NAMES.indexOf(b.algorithm);
  const percent = (x: number) => `${+(x * 100).toFixed(1)}%`;
  const [lo, hi] = k !== undefined ? [k, k] : kRange;

  const verdicts: Record<string, string> = {};
  /** Why a run cannot be chosen before any refit, or null. */
  const sizeProblem = (r: RunRecord): string | null => {
    const n = r.labels.length;
    if (r.k < 2) return `${r.k} segment${r.k === 1 ? "" : "s"}: nothing to compare`;
    if (score(r) == null) return `no ${metric} score`;
    if (r.metrics.noise > maxNoiseShare * n) return `${percent(r.metrics.noise / n)} noise, above ${percent(maxNoiseShare)}`;
    const smallest = Math.min(...r.sizes);
    if (smallest < minSegmentShare * n) return `smallest segment ${percent(smallest / n)} of customers, below ${percent(minSegmentShare)}`;
    if (smallest < minSegmentSize) return `smallest segment ${smallest} customers, below ${minSegmentSize}`;
    return null;
  };
  const usable = candidates.filter((r) => sizeProblem(r) === null).sort(order);
  const inRange = usable.filter((r) => r.k >= lo && r.k <= hi);
  for (const r of candidates) {
    const problem = sizeProblem(r);
    if (problem) verdicts[r.id] = problem;
    else if (r.k < lo || r.k > hi) verdicts[r.id] = `${r.k} segments, outside ${lo}–${hi}`;
  }

  const stability: Record<string, number> = {};
  const checkStability = (r: RunRecord) => (stability[r.id] ??= Math.min(...stabilityOf!(r).segments.map((s) => s.meanJaccard)));
  const direction = settings.higherIsBetter ? "highest" : "lowest";
  const scope = pinned ? `${pin} runs` : "runs";
  const sizes = `every segment ≥ ${percent(minSegmentShare)} of customers and ≥ ${minSegmentSize} customers`;
  const conditions = `${lo === hi ? `${lo}` : `${lo}–${hi}`} segments, ${sizes}, ≤ ${percent(maxNoiseShare)} noise`;
  let chosen: RunRecord | undefined;
  let rule: string;
  let fallback: string | null = null;

  if (inRange.length) {
    // Best first, stopping at the first stable run: that run is the best-scoring stable one.
    const checked: RunRecord[] = [];
    if (stabilityOf) {
      for (const r of inRange.slice(0, stabilityCandidates)) {
        checked.push(r);
        if (checkStability(r) >= minStability) break;
      }
    }
    chosen = stabilityOf ? checked.find((r) => stability[r.id] >= minStability) : inRange[0];
    rule = `${direction} ${metric} among ${scope} with ${conditions}${stabilityOf ? ` and every segment stable (bootstrap mean Jaccard ≥ ${minStability}; checked best first, ${checked.length} checked)` : ""}`;
    if (!chosen) {
      chosen = [...checked].sort((a, b) => stability[b.id] - stability[a.id] || order(a, b))[0];
      fallback = `none of the ${checked.length} best runs has every segment stable (Jaccard ≥ ${minStability}); the most stable of them, ${chosen.id} (${stability[chosen.id].toFixed(2)}), was taken`;
    }
    for (const r of inRange) {
      if (r === chosen) continue;
      if (r.id in stability && stability[r.id] < minStability) verdicts[r.id] = `unstable: a segment's bootstrap mean Jaccard is ${stability[r.id].toFixed(2)}, below ${minStability}`;
      else verdicts[r.id] = `${metric} ${fmt(score(r)!)} ${settings.higherIsBetter ? "below" : "above"} ${fmt(score(chosen)!)} of ${chosen.id}${r.id in stability ? "" : " (stability not checked)"}`;
    }
  } else if (usable.length) {
    chosen = usable[0];
    rule = `${direction} ${metric} among ${scope} with ≥ 2 segments, ${sizes} and ≤ ${percent(maxNoiseShare)} noise`;
    fallback = `no run has ${lo === hi ? lo : `${lo}–${hi}`} segments with ${sizes} and ≤ ${percent(maxNoiseShare)} noise, so any number of segments was allowed`;
    for (const r of usable) if (r !== chosen) verdicts[r.id] = `${metric} ${fmt(score(r)!)} ${settings.higherIsBetter ? "below" : "above"} ${fmt(score(chosen)!)} of ${chosen.id}`;
  } else {
    chosen = candidates.filter((r) => score(r) != null).sort(order)[0];
    if (!chosen) return null;
    rule = `${direction} ${metric} over all ${scope}`;
    fallback = "no run met the segment-size and noise conditions, so the best-scoring run was taken";
  }
  if (stabilityOf && !(chosen.id in stability)) checkStability(chosen);
  verdicts[chosen.id] = fallback ? `chosen by the fallback: ${fallback}` : "chosen";
  const eligible = inRange.length;
  // The fallback is its own field: pages say it once, apart from the rule.
  const summary = `${rule} (${eligible} of ${candidates.length} runs qualified; ties go to fewer segments)`;
  const strongestRun = usable[0] ?? null;
  return {
    runId: chosen.id,
    rule: pinned ? `pinned in data/manifest.json to ${pin}: ${summary}` : summary,
    eligible,
    fallback,
    settings,
    verdicts,
    stability,
    strongest: strongestRun ? { runId: strongestRun.id, k: strongestRun.k, score: score(strongestRun)! } : null
  };
}

function resolveSettings(options: RecommendOptions): RecommendSettings {
  const metric = (options.metric ?? RECOMMEND_DEFAULTS.metric) as RecommendMetric;
  if (!RANKING_METRICS.includes(metric)) {
    throw new WorkbenchError("invalid parameter experiment.recommend.metric", {
      found: String(metric),
      expected: `one of ${RANKING_METRICS.join(", ")}`
    });
  }
  return {
    metric,
    higherIsBetter: METRICS[metric].direction === "higher",
    kRange: options.kRange ?? RECOMMEND_DEFAULTS.kRange,
    minSegmentShare: options.minSegmentShare ?? RECOMMEND_DEFAULTS.minSegmentShare,
    minSegmentSize: RECOMMEND_DEFAULTS.minSegmentSize,
    minStability: options.minStability ?? RECOMMEND_DEFAULTS.minStability,
    stabilityCandidates: RECOMMEND_DEFAULTS.stabilityCandidates,
    maxNoiseShare: RECOMMEND_DEFAULTS.maxNoiseShare
  };
}

/** Three significant digits, as the verdicts quote scores. */
function fmt(x: number): string {
  return String(Number(x.toPrecision(3)));
}
