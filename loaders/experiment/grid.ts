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
 * suggestion). k values above the number of customers are left out.
 */
export function planRuns(matrix: FeatureMatrix, options: ExperimentOptions): { runs: PlannedRun[]; epsSuggestion: { eps: number; kDistances: number[]; minPoints: number } | null } {
  const grid: AlgorithmGrid = options.grid ?? {};
  const algorithms = options.algorithms ?? ALGORITHMS;
  for (const a of algorithms) checkParam(ALGORITHMS.includes(a), "experiment.algorithms", a, `some of ${ALGORITHMS.join(", ")}`);
  const ks = (given: number[] | undefined, name: string) => {
    const list = given ?? DEFAULT_KS;
    if (!Array.isArray(list) || list.length === 0) throw new WorkbenchError(`invalid parameter ${name}`, { expected: "a non-empty list of whole numbers" });
    const usable = list.filter((k) => k <= matrix.n);
    return usable.length ? usable : [Math.min(matrix.n, 2)];
  };
  const runs: PlannedRun[] = [];
  let epsSuggestion = null;
  for (const algorithm of ALGORITHMS.filter((a) => algorithms.includes(a))) {
    if (algorithm === "kmeans") {
      const { k, ...rest } = grid.kmeans ?? {};
      for (const kk of ks(k, "grid.kmeans.k")) runs.push({ id: `kmeans k=${kk}`, algorithm, params: { k: kk, ...rest } });
    } else if (algorithm === "gmm") {
      const { k, covariance = ["full"], ...rest } = grid.gmm ?? {};
      for (const cov of covariance) {
        for (const kk of ks(k, "grid.gmm.k")) {
          runs.push({ id: `gmm ${cov} k=${kk}`, algorithm, params: { k: kk, covariance: cov, ...rest } });
        }
      }
    } else if (algorithm === "hierarchical") {
      const { k, linkage = ["ward"] } = grid.hierarchical ?? {};
      for (const l of linkage) {
        for (const kk of ks(k, "grid.hierarchical.k")) runs.push({ id: `hierarchical ${l} k=${kk}`, algorithm, params: { k: kk, linkage: l } });
      }
    } else {
      const minPoints = grid.dbscan?.minPoints ?? defaultMinPoints(matrix.d);
      let eps = grid.dbscan?.eps;
      if (!eps) {
        const s = suggestEps(matrix, minPoints, new Rng(options.seed));
        epsSuggestion = { ...s, minPoints };
        eps = EPS_FACTORS.map((f) => round(s.eps * f));
      }
      for (const e of eps) runs.push({ id: `dbscan eps=${e}`, algorithm, params: { eps: e, minPoints } });
    }
  }
  return { runs, epsSuggestion };
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
