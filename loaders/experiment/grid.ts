import { suggestEps } from "../cluster/dbscan.ts";
import type { AlgorithmName } from "../cluster/types.ts";
import { checkParam, WorkbenchError } from "../errors.ts";
import type { AlgorithmGrid, ExperimentOptions } from "../manifest/types.ts";
import type { FeatureMatrix } from "../matrix.ts";
import { Rng } from "../rng.ts";

/** One planned run: an algorithm and its parameters. */
export interface PlannedRun {
  /** Stable, readable id, e.g. "kmeans k=4", "dbscan eps=0.8". */
  id: string;
  algorithm: AlgorithmName;
  params: Record<string, unknown>;
}

export const ALGORITHMS: readonly AlgorithmName[] = ["kmeans", "gmm", "hierarchical", "dbscan"];
/** Default k range for the algorithms that take k. */
export const DEFAULT_KS = [2, 3, 4, 5, 6, 7, 8, 9, 10];
/** DBSCAN eps grid, as multiples of the k-distance suggestion. */
export const EPS_FACTORS = [0.5, 0.75, 1, 1.5, 2];

/** DBSCAN's minPoints rule of thumb: twice the dimension, at least 4 (Sander et al. 1998). */
export function defaultMinPoints(d: number): number {
  return Math.max(4, 2 * d);
}

/**
 * The runs of an experiment: the manifest's grid where given, the default grid elsewhere
 * (k = 2..10 for k-means, Ward and the Gaussian mixture; a DBSCAN eps grid around the k-distance
 * suggestion). Default k values above the number of customers are left out; a listed k above it
 * is an error.
 */
export function planRuns(matrix: FeatureMatrix, options: ExperimentOptions): { runs: PlannedRun[]; epsSuggestion: { eps: number; kDistances: number[]; minPoints: number } | null } {
  const grid: AlgorithmGrid = options.grid ?? {};
  const algorithms = options.algorithms ?? ALGORITHMS;
  for (const a of algorithms) checkParam(ALGORITHMS.includes(a), "experiment.algorithms", a, `some of ${ALGORITHMS.join(", ")}`);
  // The default k list is cut to the data silently (a tiny dataset); a k the user asked for that
  // the data cannot have is an error, not a quietly different run.
  const ks = (given: number[] | undefined, algorithm: string) => {
    if (given === undefined) {
      const usable = DEFAULT_KS.filter((k) => k <= matrix.n);
      return usable.length ? usable : [Math.min(matrix.n, 2)];
    }
    const name = `experiment.grid.${algorithm}.k`;
    if (!Array.isArray(given) || given.length === 0) throw new WorkbenchError(`invalid parameter ${name}`, { expected: "a non-empty list of whole numbers" });
    for (const k of given) checkParam(!(k > matrix.n), name, k, `at most ${matrix.n}, the number of customers`);
    return given;
  };
  const runs: PlannedRun[] = [];
  const push = (algorithm: AlgorithmName, params: Record<string, unknown>) => runs.push({ id: runId(algorithm, params), algorithm, params });
  let epsSuggestion = null;
  for (const algorithm of ALGORITHMS.filter((a) => algorithms.includes(a))) {
    if (algorithm === "kmeans") {
      const { k, ...rest } = grid.kmeans ?? {};
      for (const kk of ks(k, algorithm)) push(algorithm, { k: kk, ...rest });
    } else if (algorithm === "gmm") {
      const { k, covariance = ["full"], ...rest } = grid.gmm ?? {};
      for (const cov of covariance) {
        for (const kk of ks(k, algorithm)) {
          push(algorithm, { k: kk, covariance: cov, ...rest });
        }
      }
    } else if (algorithm === "hierarchical") {
      const { k, linkage = ["ward"] } = grid.hierarchical ?? {};
      for (const l of linkage) {
        for (const kk of ks(k, algorithm)) push(algorithm, { k: kk, linkage: l });
      }
    } else {
      const minPoints = grid.dbscan?.minPoints ?? defaultMinPoints(matrix.d);
      let eps = grid.dbscan?.eps;
      if (!eps) {
        const s = suggestEps(matrix, minPoints, new Rng(options.seed));
        epsSuggestion = { ...s, minPoints };
        eps = EPS_FACTORS.map((f) => round(s.eps * f));
      }
      for (const e of eps) push(algorithm, { eps: e, minPoints });
    }
  }
  return { runs, epsSuggestion };
}

/**
 * A run's id from its algorithm and parameters: "kmeans k=4", "gmm full k=4", "hierarchical ward
 * k=4", "dbscan eps=0.8". The id seeds the run (runSeed), so the grid and the CLI both name runs
 * here: the same run gets the same id, hence the same seed and labels, wherever it is asked for.
 * Settings shared by a whole grid (nInit, maxIter, minPoints) are not part of the id.
 */
export function runId(algorithm: AlgorithmName, params: Record<string, unknown>): string {
  switch (algorithm) {
    case "kmeans":
      return `kmeans k=${params.k}`;
    case "gmm":
      return `gmm ${params.covariance ?? "full"} k=${params.k}`;
    case "hierarchical":
      return `hierarchical ${params.linkage ?? "ward"} k=${params.k}`;
    case "dbscan":
      return `dbscan eps=${params.eps ?? "auto"}`;
  }
}

/** Three significant digits: eps values readable in tables and stable across builds. */
function round(x: number): number {
  return Number(x.toPrecision(3));
}

/** A seed for one run from the experiment seed and the run id, so adding runs changes no other run. */
export function runSeed(seed: number, id: string): number {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return h >>> 0;
}
