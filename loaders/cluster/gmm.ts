/**
 * Gaussian mixture model fitted by expectation–maximisation, following
 * sklearn.mixture.GaussianMixture (1.2) step for step so its numbers can be checked against it:
 * - init: responsibilities from a hard k-means labelling (greedy k-means++ seeds as sklearn, then
 *   Lloyd iterations), turned into weights, means and covariances by one M step;
 * - M step: nk = Σ resp + 10·ε, covariances + regCovar on the diagonal, weights normalised;
 * - E step: log densities through the Cholesky factor of each covariance, log-sum-exp over components;
 * - convergence: |change in the mean per-row log-likelihood lower bound| < tol;
 * - of nInit seeded restarts, the one with the best final log-likelihood is kept.
 * Cost: O(n·k·d²) per iteration for full covariances, O(n·k·d) for diagonal; memory O(n·k).
 * Above maxPoints rows (10,000; fewer above 20 features, see gmmMaxPoints) EM runs on a seeded
 * sample and all rows are assigned by one E step.
 * Results carry the per-row maximum membership only; predictProba recomputes the full n×k table.
 */
import { WorkbenchError, checkParam } from "../errors.ts";
import { selectRows, type FeatureMatrix } from "../matrix.ts";
import type { Rng } from "../rng.ts";
import { fmt, renumberByFirstAppearance } from "./sampleAndAssign.ts";
import { kmeansPlusPlus, lloyd } from "./kmeans.ts";
import { clearlyLower, withDefaults } from "./params.ts";
import type { ClusterResult, Clusterer } from "./types.ts";

export type CovarianceType = "full" | "diag";
export const COVARIANCE_TYPES: readonly CovarianceType[] = ["full", "diag"];

export interface GmmParams {
  /** Number of components, 1..n. */
  k: number;
  covariance: CovarianceType;
  /** Seeded restarts; the best final log-likelihood wins. */
  nInit: number;
  maxIter: number;
  /** Stop when the mean per-row log-likelihood lower bound changes by less than this (sklearn's tol). */
  tol: number;
  /** Added to covariance diagonals, keeping them positive definite (e.g. for a constant column). */
  regCovar: number;
  /**
   * Above this many rows, EM runs on a seeded random sample of this size and every row is then
   * given its most probable component under the fitted mixture (the model's own rule, so
   * predicting the data gives the fit's labels). Log-likelihood, BIC and AIC are of all rows.
   */
  maxPoints: number;
}

/** Mixture parameters as plain arrays. covariances: full → k d×d arrays; diag → k arrays of d variances. */
export interface GmmComponents {
  weights: number[];
  means: number[][];
  covariances: number[][][] | number[][];
}

export interface GmmModel extends GmmComponents {
  covariance: CovarianceType;
  /** Total log-likelihood of the rows under the final parameters (sklearn: score(X) · n). */
  logLikelihood: number;
  /** Mean per-row log-likelihood (sklearn's score(X)). */
  meanLogLikelihood: number;
  /** sklearn's lower_bound_: mean log-likelihood at the last E step, before the last M step. */
  lowerBound: number;
  /** -2·logLikelihood + nParameters·ln n, as sklearn's bic(X). */
  bic: number;
  /** -2·logLikelihood + 2·nParameters, as sklearn's aic(X). */
  aic: number;
  /** Free parameters, as sklearn's _n_parameters. */
  nParameters: number;
  converged: boolean;
  /** EM iterations run (sklearn's n_iter_). */
  iterations: number;
}

export interface EmOptions {
  covariance: CovarianceType;
  maxIter: number;
  tol: number;
  regCovar: number;
}

export interface GmmFit {
  model: GmmModel;
  /** Component with the highest responsibility per row. */
  labels: Int32Array;
  /** That highest responsibility per row ("how sure"). */
  maxProbability: Float64Array;
}

/** ClusterResult of the gmm clusterer: also the per-row maximum membership. */
export interface GmmResult extends ClusterResult {
  maxProbability: Float64Array;
}

/** Soft memberships: row i, component c at data[i * k + c]. */
export interface Probabilities {
  n: number;
  k: number;
  data: Float64Array;
}

const LOG_2PI = Math.log(2 * Math.PI);
/** numpy's float64 eps; sklearn adds 10·eps to each nk so empty components do not divide by zero. */
const EPS = 2.220446049250313e-16;

/** EM from the given starting parameters (sklearn: weights_init, means_init, precisions_init = inverse covariances). */
export function em(matrix: FeatureMatrix, init: GmmComponents, opts: EmOptions): GmmFit {
  const state = stateFrom(init, matrix.d, opts.covariance);
  const run = runEm(matrix, state, opts);
  return finish(matrix, state, run);
}

/** Soft memberships of every row under `model` (n×k, rows sum to 1). */
export function predictProba(matrix: FeatureMatrix, model: GmmComponents & { covariance: CovarianceType }): Probabilities {
  const state = stateFrom(model, matrix.d, model.covariance);
  const resp = new Float64Array(matrix.n * state.k);
  eStep(matrix, state, resp);
  return { n: matrix.n, k: state.k, data: resp };
}

/**
 * maxPoints: 10,000 rows pin a mixture of 10 full-covariance components in 8-D (450 parameters)
 * to about 0.1 of a standard deviation, and bound EM's cost whatever the data size (it was 94 s
 * for k = 10 on 2M rows).
 */
const DEFAULTS: GmmParams = { k: 8, covariance: "full", nInit: 3, maxIter: 100, tol: 1e-3, regCovar: 1e-6, maxPoints: 10_000 };

/**
 * EM's rows × features at most: 10,000 rows × 20 features, the widest table whose default mixture
 * is full. Wider tables get diagonal mixtures fitted on fewer rows (4,255 at 47 features, where
 * 10,000 made EM half of a 7,043-row report's grid), still over 400 rows per component of 10 for
 * its 94 parameters; at least 1,000 rows.
 */
export const EM_ROW_FEATURES = 200_000;

/** maxPoints when none is given: 10,000, or EM_ROW_FEATURES / d above 20 features. */
export function gmmMaxPoints(d: number): number {
  return Math.max(1_000, Math.min(DEFAULTS.maxPoints, Math.floor(EM_ROW_FEATURES / Math.max(1, d))));
}

/** The gmm clusterer; its fit also returns the per-row maximum membership. */
export interface GmmClusterer extends Clusterer<GmmParams> {
  fit(matrix: FeatureMatrix, params: Partial<GmmParams>, rng: Rng): GmmResult;
}

export const gmm: GmmClusterer = {
  name: "gmm",
  defaults: DEFAULTS,
  fit(matrix: FeatureMatrix, params: Partial<GmmParams>, rng: Rng): GmmResult {
    const p = withDefaults({ ...DEFAULTS, maxPoints: gmmMaxPoints(matrix.d) }, params);
    checkParam(Number.isInteger(p.k) && p.k >= 1 && p.k <= matrix.n, "k", p.k, `an integer from 1 to the number of rows (${matrix.n})`);
    checkParam(typeof p.covariance === "string" && COVARIANCE_TYPES.includes(p.covariance), "covariance", p.covariance, `one of ${COVARIANCE_TYPES.join(", ")}`);
    checkParam(Number.isInteger(p.nInit) && p.nInit >= 1, "nInit", p.nInit, "an integer ≥ 1");
    checkParam(Number.isInteger(p.maxIter) && p.maxIter >= 1, "maxIter", p.maxIter, "an integer ≥ 1");
    checkParam(typeof p.tol === "number" && Number.isFinite(p.tol) && p.tol >= 0, "tol", p.tol, "a number ≥ 0");
    checkParam(typeof p.regCovar === "number" && Number.isFinite(p.regCovar) && p.regCovar >= 0, "regCovar", p.regCovar, "a number ≥ 0");
    checkParam(Number.isInteger(p.maxPoints) && p.maxPoints >= p.k, "maxPoints", p.maxPoints, `an integer ≥ k (${p.k})`);

    const opts: EmOptions = { covariance: p.covariance, maxIter: p.maxIter, tol: p.tol, regCovar: p.regCovar };
    const sampled = matrix.n > p.maxPoints;
    const fitted = sampled ? selectRows(matrix, rng.sampleIndices(matrix.n, p.maxPoints)) : matrix;
    let best: { state: State; run: EmRun } | undefined;
    for (let r = 0; r < p.nInit; r++) {
      const initRng = rng.fork();
      const state = stateFromLabels(fitted, kmeansLabels(fitted, p.k, initRng), p.k, opts);
      const run = runEm(fitted, state, opts);
      if (!best || clearlyLower(-run.meanLogLikelihood, -best.run.meanLogLikelihood)) best = { state, run };
    }
    // A sampled fit: every row's memberships under the fitted mixture (one more E step, on all rows).
    if (sampled) {
      const resp = new Float64Array(matrix.n * p.k);
      best = { state: best!.state, run: { ...best!.run, resp, meanLogLikelihood: eStep(matrix, best!.state, resp) } };
    }
    const { model, labels, maxProbability } = finish(matrix, best!.state, best!.run);

    // Number components in order of first appearance, so the output does not depend on init order.
    const order = renumberByFirstAppearance(labels, p.k);
    const permuted: GmmModel = {
      ...model,
      weights: order.map((c) => model.weights[c]),
      means: order.map((c) => model.means[c]),
      covariances: order.map((c) => model.covariances[c]) as GmmModel["covariances"]
    };
    const notes: string[] = [];
    if (sampled) {
      const why = params.maxPoints === undefined && p.maxPoints < DEFAULTS.maxPoints ? `: at most ${fmt(EM_ROW_FEATURES)} rows × features` : "";
      notes.push(`Gaussian mixture fitted on a seeded random sample of ${fmt(p.maxPoints)} of ${fmt(matrix.n)} rows (maxPoints${why}); every row then given its most probable component`);
    }
    if (!model.converged) {
      notes.push(`Gaussian mixture did not converge within maxIter = ${p.maxIter} EM iterations (tol = ${p.tol}); raise maxIter or tol`);
    }
    const used = new Set(labels).size;
    if (used < p.k) notes.push(`Gaussian mixture: ${p.k - used} of ${p.k} components are the most likely component of no row`);
    const { weights, means, covariances } = permuted;
    return { labels, k: p.k, notes, model: { ...permuted, nInit: p.nInit }, maxProbability, segmentModel: { kind: "gaussian", covariance: p.covariance, weights, means, covariances } };
  }
};


/** Mixture parameters in flat arrays, plus each covariance's Cholesky factor. */
interface State {
  k: number;
  d: number;
  full: boolean;
  weights: Float64Array;
  /** k×d */
  means: Float64Array;
  /** full: k×d×d; diag: k×d variances. */
  cov: Float64Array;
  /** full: lower Cholesky factors L (cov = L Lᵀ), k×d×d; diag: standard deviations, k×d. */
  chol: Float64Array;
  /** Σ log diag(L) = ½ log det cov, per component. */
  halfLogDet: Float64Array;
}

interface EmRun {
  /** Responsibilities under the final parameters (n×k). */
  resp: Float64Array;
  lowerBound: number;
  meanLogLikelihood: number;
  converged: boolean;
  iterations: number;
}

function emptyState(k: number, d: number, full: boolean): State {
  const covSize = full ? k * d * d : k * d;
  return {
    k,
    d,
    full,
    weights: new Float64Array(k),
    means: new Float64Array(k * d),
    cov: new Float64Array(covSize),
    chol: new Float64Array(covSize),
    halfLogDet: new Float64Array(k)
  };
}

function stateFrom(init: GmmComponents, d: number, covariance: CovarianceType): State {
  const k = init.weights.length;
  const full = covariance === "full";
  checkParam(init.means.length === k && init.means.every((m) => m.length === d), "means", `${init.means.length} means`, `${k} arrays of ${d} values`);
  checkParam(init.covariances.length === k, "covariances", `${init.covariances.length} covariances`, `${k}`);
  const s = emptyState(k, d, full);
  for (let c = 0; c < k; c++) {
    s.weights[c] = init.weights[c];
    for (let j = 0; j < d; j++) s.means[c * d + j] = init.means[c][j];
    const cov = init.covariances[c];
    if (full) {
      const rows = cov as number[][];
      checkParam(rows.length === d && rows.every((r) => Array.isArray(r) && r.length === d), "covariances", "wrong shape", `${k} arrays of ${d}×${d}`);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) s.cov[c * d * d + i * d + j] = rows[i][j];
    } else {
      const vars = cov as number[];
      checkParam(vars.length === d && vars.every((v) => typeof v === "number"), "covariances", "wrong shape", `${k} arrays of ${d} variances`);
      for (let j = 0; j < d; j++) s.cov[c * d + j] = vars[j];
    }
  }
  factorize(s, NaN);
  return s;
}

/** Cholesky factors and log-determinants of s.cov; a non-positive-definite covariance is a user-facing error. */
function factorize(s: State, regCovar: number): void {
  const { k, d, cov, chol } = s;
  for (let c = 0; c < k; c++) {
    let halfLogDet = 0;
    if (!s.full) {
      for (let j = 0; j < d; j++) {
        const v = cov[c * d + j];
        if (!(v > 0)) throw notPositiveDefinite(regCovar);
        chol[c * d + j] = Math.sqrt(v);
        halfLogDet += 0.5 * Math.log(v);
      }
    } else {
      const o = c * d * d;
      for (let j = 0; j < d; j++) {
        let sum = cov[o + j * d + j];
        for (let t = 0; t < j; t++) sum -= chol[o + j * d + t] * chol[o + j * d + t];
        if (!(sum > 0)) throw notPositiveDefinite(regCovar);
        const ljj = Math.sqrt(sum);
        chol[o + j * d + j] = ljj;
        halfLogDet += Math.log(ljj);
        for (let i = j + 1; i < d; i++) {
          let v = cov[o + i * d + j];
          for (let t = 0; t < j; t++) v -= chol[o + i * d + t] * chol[o + j * d + t];
          chol[o + i * d + j] = v / ljj;
        }
        for (let i = 0; i < j; i++) chol[o + i * d + j] = 0;
      }
    }
    s.halfLogDet[c] = halfLogDet;
  }
}

function notPositiveDefinite(regCovar: number): WorkbenchError {
  return new WorkbenchError("Gaussian mixture fit failed: a component covariance is not positive definite (too few distinct rows in it)", {
    column: "regCovar",
    found: Number.isNaN(regCovar) ? "the given covariances" : String(regCovar),
    expected: "a larger regCovar",
    hint: 'Raise regCovar, lower k, or use covariance "diag"'
  });
}

/** E step: fills resp (n×k) and returns the mean per-row log-likelihood. */
function eStep(matrix: FeatureMatrix, s: State, resp: Float64Array): number {
  const { n, data } = matrix;
  const { k, d, full, means, chol, halfLogDet } = s;
  const base = new Float64Array(k);
  for (let c = 0; c < k; c++) base[c] = Math.log(s.weights[c]) - 0.5 * d * LOG_2PI - halfLogDet[c];
  const z = new Float64Array(d);
  const lp = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const xo = i * d;
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      const mo = c * d;
      let q = 0;
      if (full) {
        // Solve L z = x - mean; q = |z|² is the Mahalanobis distance squared.
        const o = c * d * d;
        for (let j = 0; j < d; j++) {
          let v = data[xo + j] - means[mo + j];
          const row = o + j * d;
          for (let t = 0; t < j; t++) v -= chol[row + t] * z[t];
          v /= chol[row + j];
          z[j] = v;
          q += v * v;
        }
      } else {
        // Unrolled by 4 (about 1.3× faster in V8); the terms are still added in feature order.
        let j = 0;
        for (; j + 3 < d; j += 4) {
          const v0 = (data[xo + j] - means[mo + j]) / chol[mo + j];
          const v1 = (data[xo + j + 1] - means[mo + j + 1]) / chol[mo + j + 1];
          const v2 = (data[xo + j + 2] - means[mo + j + 2]) / chol[mo + j + 2];
          const v3 = (data[xo + j + 3] - means[mo + j + 3]) / chol[mo + j + 3];
          q += v0 * v0;
          q += v1 * v1;
          q += v2 * v2;
          q += v3 * v3;
        }
        for (; j < d; j++) {
          const v = (data[xo + j] - means[mo + j]) / chol[mo + j];
          q += v * v;
        }
      }
      const l = base[c] - 0.5 * q;
      lp[c] = l;
      if (l > max) max = l;
    }
    // log-sum-exp: shift by the maximum so the largest term is exp(0) = 1.
    const ro = i * k;
    let sum = 0;
    for (let c = 0; c < k; c++) sum += resp[ro + c] = Math.exp(lp[c] - max);
    total += max + Math.log(sum);
    for (let c = 0; c < k; c++) resp[ro + c] /= sum;
  }
  return total / n;
}

/** M step (sklearn's _estimate_gaussian_parameters): weights, means, covariances from resp. */
function mStep(matrix: FeatureMatrix, s: State, resp: Float64Array, regCovar: number, weightsOverN: boolean): void {
  const { n, data } = matrix;
  const { k, d, full, weights, means, cov } = s;
  // Rows in the outer loop, so the data is read once for all components; each sum still adds the
  // rows in order, so the results are those of a loop per component.
  const nks = new Float64Array(k);
  means.fill(0);
  for (let i = 0; i < n; i++) {
    const xo = i * d;
    for (let c = 0; c < k; c++) {
      const r = resp[i * k + c];
      if (r === 0) continue;
      nks[c] += r;
      const mo = c * d;
      let j = 0;
      for (; j + 3 < d; j += 4) {
        means[mo + j] += r * data[xo + j];
        means[mo + j + 1] += r * data[xo + j + 1];
        means[mo + j + 2] += r * data[xo + j + 2];
        means[mo + j + 3] += r * data[xo + j + 3];
      }
      for (; j < d; j++) means[mo + j] += r * data[xo + j];
    }
  }
  let weightSum = 0;
  for (let c = 0; c < k; c++) {
    const nk = nks[c] + 10 * EPS;
    const mo = c * d;
    for (let j = 0; j < d; j++) means[mo + j] /= nk;
    nks[c] = nk;
    weights[c] = nk;
    weightSum += nk;
  }

  if (full) {
    const diff = new Float64Array(d);
    for (let c = 0; c < k; c++) {
      const mo = c * d;
      const o = c * d * d;
      for (let t = 0; t < d * d; t++) cov[o + t] = 0;
      for (let i = 0; i < n; i++) {
        const r = resp[i * k + c];
        if (r === 0) continue;
        const xo = i * d;
        for (let j = 0; j < d; j++) diff[j] = data[xo + j] - means[mo + j];
        for (let a = 0; a < d; a++) {
          const ra = r * diff[a];
          const row = o + a * d;
          for (let b = a; b < d; b++) cov[row + b] += ra * diff[b];
        }
      }
      for (let a = 0; a < d; a++) {
        for (let b = a; b < d; b++) {
          const v = cov[o + a * d + b] / nks[c];
          cov[o + a * d + b] = v;
          cov[o + b * d + a] = v;
        }
        cov[o + a * d + a] += regCovar;
      }
    }
  } else {
    cov.fill(0);
    for (let i = 0; i < n; i++) {
      const xo = i * d;
      for (let c = 0; c < k; c++) {
        const r = resp[i * k + c];
        if (r === 0) continue;
        const mo = c * d;
        let j = 0;
        for (; j + 3 < d; j += 4) {
          const d0 = data[xo + j] - means[mo + j];
          const d1 = data[xo + j + 1] - means[mo + j + 1];
          const d2 = data[xo + j + 2] - means[mo + j + 2];
          const d3 = data[xo + j + 3] - means[mo + j + 3];
          cov[mo + j] += r * d0 * d0;
          cov[mo + j + 1] += r * d1 * d1;
          cov[mo + j + 2] += r * d2 * d2;
          cov[mo + j + 3] += r * d3 * d3;
        }
        for (; j < d; j++) {
          const diff = data[xo + j] - means[mo + j];
          cov[mo + j] += r * diff * diff;
        }
      }
    }
    for (let c = 0; c < k; c++) for (let j = c * d; j < c * d + d; j++) cov[j] = cov[j] / nks[c] + regCovar;
  }
  // sklearn divides by n at initialisation and by the weights' sum in later M steps.
  const divisor = weightsOverN ? n : weightSum;
  for (let c = 0; c < k; c++) weights[c] /= divisor;
  factorize(s, regCovar);
}

/** EM iterations in place on `s`, as sklearn's fit loop; then the log-likelihood under the final parameters. */
function runEm(matrix: FeatureMatrix, s: State, opts: EmOptions): EmRun {
  const resp = new Float64Array(matrix.n * s.k);
  let lowerBound = -Infinity;
  let converged = false;
  let iterations = 0;
  for (let iter = 1; iter <= opts.maxIter; iter++) {
    iterations = iter;
    const previous = lowerBound;
    lowerBound = eStep(matrix, s, resp);
    mStep(matrix, s, resp, opts.regCovar, false);
    if (Math.abs(lowerBound - previous) < opts.tol) {
      converged = true;
      break;
    }
  }
  const meanLogLikelihood = eStep(matrix, s, resp);
  return { resp, lowerBound, meanLogLikelihood, converged, iterations };
}

/** Labels, maximum memberships and the JSON-able model of a fitted state. */
function finish(matrix: FeatureMatrix, s: State, run: EmRun): GmmFit {
  const { n } = matrix;
  const { k, d, full } = s;
  const { resp } = run;
  const labels = new Int32Array(n);
  const maxProbability = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (resp[i * k + c] > resp[i * k + best]) best = c;
    labels[i] = best;
    maxProbability[i] = resp[i * k + best];
  }
  const covParams = full ? (k * d * (d + 1)) / 2 : k * d;
  const nParameters = covParams + k * d + k - 1;
  const logLikelihood = run.meanLogLikelihood * n;
  const means: number[][] = [];
  const covariances: number[][][] | number[][] = [];
  for (let c = 0; c < k; c++) {
    means.push(Array.from(s.means.subarray(c * d, c * d + d)));
    if (full) {
      const rows: number[][] = [];
      for (let a = 0; a < d; a++) rows.push(Array.from(s.cov.subarray(c * d * d + a * d, c * d * d + a * d + d)));
      (covariances as number[][][]).push(rows);
    } else {
      (covariances as number[][]).push(Array.from(s.cov.subarray(c * d, c * d + d)));
    }
  }
  return {
    labels,
    maxProbability,
    model: {
      covariance: full ? "full" : "diag",
      weights: Array.from(s.weights),
      means,
      covariances,
      logLikelihood,
      meanLogLikelihood: run.meanLogLikelihood,
      lowerBound: run.lowerBound,
      bic: -2 * logLikelihood + nParameters * Math.log(n),
      aic: -2 * logLikelihood + 2 * nParameters,
      nParameters,
      converged: run.converged,
      iterations: run.iterations
    }
  };
}

/** Starting parameters from a hard labelling, as sklearn's _initialize (one-hot responsibilities). */
function stateFromLabels(matrix: FeatureMatrix, labels: Int32Array, k: number, opts: EmOptions): State {
  const resp = new Float64Array(matrix.n * k);
  for (let i = 0; i < matrix.n; i++) resp[i * k + labels[i]] = 1;
  const s = emptyState(k, matrix.d, opts.covariance === "full");
  mStep(matrix, s, resp, opts.regCovar, true);
  return s;
}

/**
 * Hard k-means labels as EM's starting point, as sklearn's GaussianMixture(init_params="kmeans"):
 * greedy k-means++ seeds, then Lloyd to sklearn's tolerance (the project's k-means kernel).
 */
function kmeansLabels(matrix: FeatureMatrix, k: number, rng: Rng, maxIter = 100): Int32Array {
  return lloyd(matrix, kmeansPlusPlus(matrix, k, rng), { maxIter, tol: 1e-4 }).labels;
}

