import { clusterers } from "../cluster/index.ts";
import type { AlgorithmName, ClusterResult } from "../cluster/types.ts";
import type { SegmentModel } from "../cluster/segmentModel.ts";
import { algorithmSpec } from "../registry/algorithms.ts";
import { WorkbenchError } from "../errors.ts";
import { externalMetrics, type ExternalMetrics } from "../evaluate/external.ts";
import { internalMetricsOfRuns, type InternalMetrics } from "../evaluate/internal.ts";
import { pickValues, type PickMap, type SilhouetteResult } from "../evaluate/silhouette.ts";
import { startGridHelper, type GridHelper } from "./gridHelper.ts";
import type { ExperimentOptions } from "../manifest/types.ts";
import type { FeatureMatrix } from "../matrix.ts";
import { Rng } from "../rng.ts";
import { planRuns, runSeed, type PlannedRun } from "./grid.ts";
import { recommend, type Recommendation } from "./recommend.ts";
import { runStability } from "./runStability.ts";
import { countdown, shareProgress } from "./progress.ts";
import { reportingScans } from "../cluster/scanNeighbours.ts";
import { neighbourSearch } from "../cluster/dbscan.ts";
import type { StabilityResult } from "../evaluate/stability.ts";

/** Metrics of one run, under the names the CLI and the site use. */
export interface RunMetrics {
  k: number;
  noise: number;
  inertia: number;
  silhouette: number | null;
  daviesBouldin: number | null;
  calinskiHarabasz: number | null;
  /** Gaussian mixture only. */
  bic?: number;
  aic?: number;
  logLikelihood?: number;
  /** With a gold-standard label only. */
  ari?: number;
  randIndex?: number;
  nmi?: number;
  homogeneity?: number;
  completeness?: number;
  vMeasure?: number;
  purity?: number;
  matchedAccuracy?: number;
}

export interface RunRecord {
  id: string;
  algorithm: AlgorithmName;
  /** Parameters as given (defaults filled by the algorithm are in `model`). */
  params: Record<string, unknown>;
  /** Segments, noise excluded. */
  k: number;
  labels: Int32Array;
  /** Rows per segment 0..k-1. */
  sizes: number[];
  seconds: number;
  metrics: RunMetrics;
  notes: string[];
  model: Record<string, unknown>;
  /** Assigns new customers to these segments (the run's own numbering). */
  segmentModel: SegmentModel;
  silhouette: SilhouetteResult;
  external: ExternalMetrics | null;
}

/**
 * Silhouettes in the grid are computed on at most this many customers: all of them up to it, a
 * seeded stratified sample above (the sample size is recorded with each run). Exact silhouettes
 * of 10,000 rows cost ~0.6 s a run, 20 s over the default grid, for no visible change.
 */
export const SILHOUETTE_ROWS = 5000;

/**
 * Rows a run's silhouette evaluates: SILHOUETTE_ROWS up to 8 features, fewer for wider data so
 * each silhouette costs what 5,000 rows × 8 features cost (rows² × d): 2,063 rows at 47 features,
 * where 5,000 took 0.6 s a run and 19 s over the grid. The standard error of a mean silhouette
 * from 2,000 rows is about 0.005.
 */
export function silhouetteRows(d: number): number {
  return d <= 8 ? SILHOUETTE_ROWS : Math.round(SILHOUETTE_ROWS * Math.sqrt(8 / d));
}

export interface ExperimentResult {
  runs: RunRecord[];
  /** Null when no run could be scored (e.g. every run has one segment). */
  recommendation: Recommendation | null;
  /** Bootstrap stability of the runs the recommendation checked, by run id. */
  stabilities: Record<string, StabilityResult>;
  epsSuggestion: ReturnType<typeof planRuns>["epsSuggestion"];
}

export interface ExperimentInput {
  matrix: FeatureMatrix;
  /** Gold-standard label per row, or null. */
  label: string[] | null;
  options: ExperimentOptions;
  /** Runs to do instead of the planned grid (the CLI's --algorithm). */
  runs?: PlannedRun[];
  /** Progress messages (the CLI writes them to stderr). */
  progress?: (message: string) => void;
}

/** Grids of at least this many runs share their fits, silhouettes and stability refits with a helper thread (gridHelper.ts). */
const MIN_SHARED_RUNS = 4;

/**
 * Runs every planned run, scores it, and picks the recommended one. Each run draws from its own
 * generator seeded by (experiment seed, run id), so results do not depend on which other runs
 * are in the grid, nor on which thread ran them, and the same seed gives the same labels.
 */
export function runExperiment({ matrix, label, options, runs, progress }: ExperimentInput): ExperimentResult {
  // DBSCAN's k-distances on wide data are a long scan, started deep in the plan or a fit.
  const scans = shareProgress("DBSCAN's k-distances", progress);
  const plan = runs ? { runs, epsSuggestion: null } : reportingScans(scans, () => planRuns(matrix, options));
  // A second thread pays for itself over a grid, not for a run or two (the CLI's --algorithm --k).
  const helper = plan.runs.length >= MIN_SHARED_RUNS ? startGridHelper(matrix) : null;
  try {
    const fitted = reportingScans(scans, () => fitAll(matrix, plan.runs, options.seed, progress, helper));
    const records = scoreAll(matrix, label, plan.runs, fitted, options.seed, shareProgress(`silhouettes of ${plan.runs.length} runs`, progress), helper);
    const stabilities: Record<string, StabilityResult> = {};
    const stabilityOf = (run: RunRecord) => {
      progress?.(`stability of ${run.id}`);
      return (stabilities[run.id] ??= runStability(matrix, run, options.seed, progress, helper));
    };
    const recommendation = recommend(records, options.recommend, stabilityOf);
    return { runs: records, recommendation, stabilities, epsSuggestion: plan.epsSuggestion };
  } finally {
    helper?.close();
  }
}

export interface Fitted {
  result: ClusterResult;
  seconds: number;
}

/** Runs fitted together: one run, or the runs of one family that differ only in k. */
export interface FitGroup {
  /** The family ("hierarchical {...}") or "#i" for a run fitted alone; seeds the group. */
  key: string;
  runs: PlannedRun[];
}

/**
 * The fits of a grid: runs that differ only in k share one fit when the algorithm has `fitPath`
 * (a hierarchy cut at each k); every other run is fitted alone.
 */
function fitGroups(runs: PlannedRun[]): { groups: FitGroup[]; members: number[][] } {
  const byKey = new Map<string, number[]>();
  runs.forEach((run, i) => {
    const { k, ...rest } = run.params;
    const key = clusterers[run.algorithm].fitPath && k !== undefined ? `${run.algorithm} ${JSON.stringify(rest)}` : `#${i}`;
    byKey.set(key, [...(byKey.get(key) ?? []), i]);
  });
  const members = [...byKey.values()];
  return { groups: [...byKey.keys()].map((key, g) => ({ key, runs: members[g].map((i) => runs[i]) })), members };
}

/** One group's fits, each reporting an equal share of the group's time (either thread runs this). */
export function fitGroup(matrix: FeatureMatrix, { key, runs }: FitGroup, seed: number): Fitted[] {
  const first = runs[0];
  const clusterer = clusterers[first.algorithm];
  const start = performance.now();
  // A family that shares one fit is seeded by the family, whether it has one k or nine, so a
  // single run (the CLI's --k) gets the same sample and labels as the same run in the grid.
  const rng = new Rng(runSeed(seed, key.startsWith("#") ? first.id : key));
  const results = withRunContext(first.id, () =>
    runs.length > 1 ? clusterer.fitPath!(matrix, first.params, runs.map((r) => r.params.k as number), rng) : [clusterer.fit(matrix, first.params, rng)]
  );
  const seconds = (performance.now() - start) / 1000 / runs.length;
  return results.map((result) => ({ result, seconds }));
}

/**
 * Fits every run, the groups shared with the grid's helper thread when there is one (DBSCAN's
 * on wide data stay here: there its k-distances are remembered per matrix, and this thread
 * computed them for the eps suggestion).
 */
function fitAll(matrix: FeatureMatrix, runs: PlannedRun[], seed: number, progress?: (m: string) => void, helper?: GridHelper | null): Fitted[] {
  const out: Fitted[] = new Array(runs.length);
  const { groups, members } = fitGroups(runs);
  const next = countdown(runs.length, progress);
  const announce = (g: number) => {
    const first = groups[g].runs[0];
    next(groups[g].runs.length > 1 ? `${first.algorithm} ${groups[g].runs.map((r) => r.params.k).join(",")}` : first.id, groups[g].runs.length);
  };
  const fits = helper
    ? helper.share("fit", { groups, seed }, groups.length, (g) => fitGroup(matrix, groups[g], seed), {
        pinned: (g) => groups[g].runs[0].algorithm === "dbscan" && neighbourSearch(matrix.d) === "scan",
        // The grid lists algorithms cheapest first and k upwards; handing out the costly fits first balances the threads.
        order: groups.map((_, g) => groups.length - 1 - g),
        started: announce
      })
    : groups.map((group, g) => (announce(g), fitGroup(matrix, group, seed)));
  members.forEach((rows, g) => rows.forEach((i, j) => (out[i] = fits[g][j])));
  return out;
}

function withRunContext<T>(id: string, body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof WorkbenchError) throw new WorkbenchError(`${id}: ${error.message}`);
    throw error;
  }
}

/** Fits and scores one run (stability refits and tests). */
export function runOne(matrix: FeatureMatrix, label: string[] | null, run: PlannedRun, seed: number): RunRecord {
  return scoreAll(matrix, label, [run], fitAll(matrix, [run], seed), seed)[0];
}

/** Scores fitted runs; their silhouettes are computed together (internalMetricsOfRuns). */
function scoreAll(
  matrix: FeatureMatrix,
  label: string[] | null,
  runs: PlannedRun[],
  fitted: Fitted[],
  seed: number,
  progress?: (fraction: number) => void,
  helper?: GridHelper | null
): RunRecord[] {
  const rows = silhouetteRows(matrix.d);
  const labellings = runs.map((run, i) => ({ labels: fitted[i].result.labels, rng: new Rng(runSeed(seed, `${run.id} metrics`)) }));
  const mapPicks: PickMap | undefined = helper
    ? (picks, m, done) => helper.share("silhouette", { picks }, picks.length, (i) => pickValues(m, picks[i]), { started: (i) => i > 0 && done() })
    : undefined;
  const internal = internalMetricsOfRuns(matrix, labellings, { maxExact: rows, sampleSize: rows }, progress, mapPicks);
  return runs.map((run, i) => score(label, run, fitted[i], internal[i]));
}

function score(label: string[] | null, run: PlannedRun, { result, seconds }: Fitted, internal: InternalMetrics): RunRecord {
  const external = label ? externalMetrics(label, result.labels) : null;
  const sizes = new Array<number>(result.k).fill(0);
  for (const l of result.labels) if (l >= 0) sizes[l]++;
  const model = result.model as Record<string, any>;
  const metrics: RunMetrics = {
    k: result.k,
    noise: internal.noise,
    inertia: internal.inertia,
    silhouette: internal.silhouette,
    daviesBouldin: internal.daviesBouldin,
    calinskiHarabasz: internal.calinskiHarabasz
  };
  for (const m of algorithmSpec(run.algorithm).modelMetrics ?? []) metrics[m] = model[m];
  if (external) {
    const { ari, randIndex, nmi, homogeneity, completeness, vMeasure, purity, matchedAccuracy } = external;
    Object.assign(metrics, { ari, randIndex, nmi, homogeneity, completeness, vMeasure, purity, matchedAccuracy });
  }
  return {
    id: run.id,
    algorithm: run.algorithm,
    params: run.params,
    k: result.k,
    labels: result.labels,
    sizes,
    seconds,
    metrics,
    notes: result.notes,
    model,
    segmentModel: result.segmentModel,
    silhouette: internal.silhouetteDetail,
    external
  };
}
