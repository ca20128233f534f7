/**
 * The clustering algorithms, each declared once: its module, its parameters (type, range,
 * whether the grid runs one fit per value, the default values, the CLI flag) and what its
 * metric curves are drawn against. Manifest validation, the experiment grid, run ids, the
 * recommendation's order, `segment --algorithm` and its --help, and the pages read this list;
 * adding an algorithm is one entry here plus its module.
 */
import { dbscan, suggestEps } from "../cluster/dbscan.ts";
import { gmm } from "../cluster/gmm.ts";
import { hierarchical } from "../cluster/hierarchical.ts";
import { kmeans } from "../cluster/kmeans.ts";
import { miniBatchKmeans } from "../cluster/miniBatchKmeans.ts";
import type { Clusterer } from "../cluster/types.ts";
import type { FeatureMatrix } from "../matrix.ts";
import { Rng } from "../rng.ts";

export type ParamValue = number | string;

export type ParamType =
  | { kind: "integer"; min: number }
  | { kind: "number"; min: number; above: boolean }
  | { kind: "choice"; values: readonly string[] };

/** What planning a grid knows when it fills in a default. */
export interface GridContext {
  matrix: FeatureMatrix;
  seed: number;
  /** The run's settings that are not grid axes (e.g. DBSCAN's minPoints). */
  settings: Record<string, ParamValue>;
}

export interface ParamSpec {
  /** Its name in experiment.grid.<algorithm> and in a run's params. */
  name: string;
  type: ParamType;
  /**
   * A grid axis: the manifest lists values and each is a run (k, linkage, eps). Otherwise one
   * setting shared by every run of the algorithm (nInit, maxIter), left out of run ids.
   */
  axis: boolean;
  /** Axis values when the manifest gives none; for a setting, a default that depends on the data. */
  byDefault?: (c: GridContext) => { values: ParamValue[]; suggestion?: unknown };
  /** Flag of `segment --algorithm` (without the dashes), and what it says in --help. */
  flag?: string;
  help?: string;
  /** An example manifest value, for messages. */
  example: string;
}

export interface AlgorithmSpec {
  name: string;
  /** How pages and messages name it. */
  label: string;
  clusterer: Clusterer<any>;
  /** Axes first (outer loop first), then settings. */
  params: readonly ParamSpec[];
  /** Run by default; false: only when listed in experiment.algorithms or given as --algorithm. */
  inDefaultGrid: boolean;
  /** What its metric curves are drawn against. */
  xAxis: "k" | "eps";
  /** Model facts that are metrics of the run (the Gaussian mixture's likelihood criteria). */
  modelMetrics?: readonly ("bic" | "aic" | "logLikelihood")[];
  /** It runs k-means passes (k-means++ at least), which use worker threads on large data. */
  kmeansPasses?: true;
}

/** Default k range for the algorithms that take k. */
export const DEFAULT_KS = [2, 3, 4, 5, 6, 7, 8, 9, 10];
/** DBSCAN eps grid, as multiples of the k-distance suggestion. */
export const EPS_FACTORS = [0.5, 0.75, 1, 1.5, 2];

/**
 * Above this many features the default mixture is diagonal: a full covariance has d(d+1)/2
 * parameters per component (1,128 at 47 features, mostly one-hot columns for which a Gaussian
 * covariance means little), and EM's cost grows as d²: the full mixtures of a 7,000 × 47 table
 * took 100 s. A manifest grid can still ask for "full".
 */
export const FULL_COVARIANCE_MAX_FEATURES = 20;

/** DBSCAN's minPoints rule of thumb: twice the dimension, at least 4 (Sander et al. 1998). */
export function defaultMinPoints(d: number): number {
  return Math.max(4, 2 * d);
}

const whole = (min: number): ParamType => ({ kind: "integer", min });
const positive: ParamType = { kind: "number", min: 0, above: true };
const atLeastZero: ParamType = { kind: "number", min: 0, above: false };

/** k: 2..10 cut to the number of customers (a listed k above it is an error, see grid.ts). */
const K: ParamSpec = {
  name: "k",
  type: whole(1),
  axis: true,
  byDefault: ({ matrix }) => {
    const usable = DEFAULT_KS.filter((k) => k <= matrix.n);
    return { values: usable.length ? usable : [Math.min(matrix.n, 2)] };
  },
  flag: "k",
  help: "N segments; without it, k = 2..10 (or the manifest's list)",
  example: "[3, 4, 5]"
};
const N_INIT: ParamSpec = { name: "nInit", type: whole(1), axis: false, flag: "n-init", help: "N restarts, the best kept", example: "4" };
const MAX_ITER: ParamSpec = { name: "maxIter", type: whole(1), axis: false, flag: "max-iter", help: "N iterations at most", example: "300" };
const TOL: ParamSpec = { name: "tol", type: atLeastZero, axis: false, example: "0.0001" };
/** Rows fitted at most; above it a seeded sample is fitted and the rest assigned (the run's notes say so). */
const MAX_POINTS: ParamSpec = { name: "maxPoints", type: whole(2), axis: false, example: "20000" };

export const ALGORITHMS: readonly AlgorithmSpec[] = [
  { name: "kmeans", label: "k-means", clusterer: kmeans, params: [K, N_INIT, MAX_ITER, TOL], inDefaultGrid: true, xAxis: "k", kmeansPasses: true },
  {
    name: "gmm",
    label: "Gaussian mixture",
    clusterer: gmm,
    params: [
      {
        name: "covariance",
        type: { kind: "choice", values: ["full", "diag"] },
        axis: true,
        byDefault: ({ matrix }) => ({ values: [matrix.d <= FULL_COVARIANCE_MAX_FEATURES ? "full" : "diag"] }),
        example: '["full", "diag"]'
      },
      K,
      N_INIT,
      MAX_ITER,
      TOL,
      MAX_POINTS
    ],
    inDefaultGrid: true,
    xAxis: "k",
    modelMetrics: ["bic", "aic", "logLikelihood"],
    kmeansPasses: true
  },
  {
    name: "hierarchical",
    label: "hierarchical (Ward)",
    clusterer: hierarchical,
    params: [
      {
        name: "linkage",
        type: { kind: "choice", values: ["ward", "average", "complete", "single"] },
        axis: true,
        byDefault: () => ({ values: ["ward"] }),
        flag: "linkage",
        help: "ward|average|complete|single; default ward",
        example: '["ward", "average"]'
      },
      K,
      MAX_POINTS
    ],
    inDefaultGrid: true,
    xAxis: "k"
  },
  {
    name: "dbscan",
    label: "DBSCAN",
    clusterer: dbscan,
    params: [
      {
        name: "eps",
        type: positive,
        axis: true,
        byDefault: ({ matrix, seed, settings }) => {
          const s = suggestEps(matrix, settings.minPoints as number, new Rng(seed));
          return { values: EPS_FACTORS.map((f) => Number((s.eps * f).toPrecision(3))), suggestion: { ...s, minPoints: settings.minPoints } };
        },
        flag: "eps",
        help: "X; without it, 0.5, 0.75, 1, 1.5, 2 × the k-distance suggestion",
        example: "[0.5, 1]"
      },
      {
        name: "minPoints",
        type: whole(1),
        axis: false,
        byDefault: ({ matrix }) => ({ values: [defaultMinPoints(matrix.d)] }),
        flag: "min-points",
        help: "M; default max(4, 2 × features)",
        example: "8"
      },
      MAX_POINTS
    ],
    inDefaultGrid: true,
    xAxis: "eps"
  },
  {
    name: "minibatch",
    label: "mini-batch k-means",
    clusterer: miniBatchKmeans,
    params: [
      K,
      { name: "batchSize", type: whole(1), axis: false, flag: "batch-size", help: "N rows per batch; default 1024", example: "1024" },
      N_INIT,
      MAX_ITER
    ],
    inDefaultGrid: false,
    xAxis: "k",
    kmeansPasses: true
  }
];

export const ALGORITHM_NAMES: readonly string[] = ALGORITHMS.map((a) => a.name);

/** The algorithm declared under `name` (callers validate names first). */
export function algorithmSpec(name: string): AlgorithmSpec {
  const spec = ALGORITHMS.find((a) => a.name === name);
  if (!spec) throw new Error(`unknown algorithm ${name}`);
  return spec;
}

/**
 * A run's id from its algorithm and parameters: the name, then each axis in order, choices by
 * value and numbers as name=value: "kmeans k=4", "gmm full k=4", "hierarchical ward k=4",
 * "dbscan eps=0.8". The id seeds the run, so the grid and the CLI name runs here only.
 */
export function runId(algorithm: string, params: Record<string, unknown>): string {
  const parts = [algorithm];
  for (const p of algorithmSpec(algorithm).params) {
    if (!p.axis) continue;
    const value = params[p.name] ?? (p.type.kind === "choice" ? p.type.values[0] : "auto");
    parts.push(p.type.kind === "choice" ? String(value) : `${p.name}=${value}`);
  }
  return parts.join(" ");
}
