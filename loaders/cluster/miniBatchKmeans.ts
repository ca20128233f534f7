/**
 * Mini-batch k-means (Sculley 2010, "Web-scale k-means clustering") with scikit-learn's
 * MiniBatchKMeans semantics (≥ 1.2): the best of nInit k-means++ starts, each seeded on an
 * initSize-row sample and scored on one shared initSize-row validation sample; then batches drawn
 * with replacement, each centre moving to the running mean of every row ever assigned to it
 * (learning rate 1/count); low-count centres re-seeded on random batch rows; early stopping when
 * the exponentially weighted average of the batch inertia stops improving. Labels and inertia
 * come from a final assignment of every row to the last centres (exact ties to the lower index).
 *
 * Cost per epoch is O(n·k·d), like one Lloyd step, but the centres are usable after far fewer
 * rows than a full pass, which is what makes this worth having for very large data.
 *
 * Deviation from scikit-learn: nInit defaults to 3, not 1 (n_init="auto" with k-means++); the
 * starts are cheap because they only see initSize rows.
 */
import { checkParam } from "../errors.ts";
import { selectRows, type FeatureMatrix } from "../matrix.ts";
import type { Rng } from "../rng.ts";
import { kmeansPlusPlus } from "./kmeans.ts";
import { clearlyLower, withDefaults } from "./params.ts";
import { fmt } from "./sampleAndAssign.ts";
import { centroidsModel } from "./segmentModel.ts";
import type { ClusterResult, Clusterer } from "./types.ts";

export interface MiniBatchKMeansParams {
  /** Number of segments. */
  k: number;
  /** Rows per batch (capped at n). */
  batchSize: number;
  /** Largest number of epochs (passes' worth of rows) over the data, as scikit-learn's max_iter. */
  maxIter: number;
  /** k-means++ starts; the one with the lowest inertia on the validation sample is kept. */
  nInit: number;
  /**
   * Rows sampled (with replacement) for each k-means++ start and for the validation sample.
   * Omitted: 3 × batchSize, or 3 × k when that is smaller than k; always capped at n.
   */
  initSize?: number;
  /**
   * Stop when the summed squared movement of the centres in one step is at most tol × (mean
   * per-feature variance). scikit-learn's default 0 turns this off: batch noise keeps the centres moving.
   */
  tol: number;
  /** Stop after this many consecutive steps without a new minimum of the smoothed batch inertia. */
  maxNoImprovement: number;
  /**
   * A centre whose accumulated count falls below this share of the largest count is moved to a
   * random row of the batch (scikit-learn's reassignment_ratio); 0 turns this off. At most 1, so
   * the largest centre is never moved.
   */
  reassignmentRatio: number;
}

const DEFAULTS: MiniBatchKMeansParams = {
  k: 8,
  batchSize: 1024,
  maxIter: 100,
  nInit: 3,
  tol: 0,
  maxNoImprovement: 10,
  reassignmentRatio: 0.01
};

type StopReason = "noImprovement" | "tol" | "maxIter";

export const miniBatchKmeans: Clusterer<MiniBatchKMeansParams> = {
  name: "minibatch",
  defaults: DEFAULTS,
  fit(matrix: FeatureMatrix, params: Partial<MiniBatchKMeansParams>, rng: Rng): ClusterResult {
    const p = withDefaults(DEFAULTS, params);
    validate(matrix, p);
    const { n, d, data } = matrix;
    const k = p.k;
    const batch = Math.min(p.batchSize, n);
    let initSize = p.initSize ?? 3 * batch;
    if (initSize < k) initSize = 3 * k;
    initSize = Math.min(initSize, n);
    const sampler = rng.fork();

    // --- Initialisation: nInit k-means++ starts on samples, scored on one validation sample.
    const validation = randomRows(sampler, n, initSize);
    const scratch = new Float64Array(1);
    let centers: Float64Array = new Float64Array(0);
    let bestInit = Infinity;
    for (let run = 0; run < p.nInit; run++) {
      const source = initSize < n ? selectRows(matrix, randomRows(sampler, n, initSize)) : matrix;
      const init = kmeansPlusPlus(source, k, rng.fork());
      let inertia = 0;
      for (let r = 0; r < initSize; r++) {
        nearest(data, validation[r] * d, init, k, d, scratch);
        inertia += scratch[0];
      }
      if (clearlyLower(inertia, bestInit)) {
        bestInit = inertia;
        centers = init;
      }
    }

    // --- Mini-batch steps.
    const tolAbs = p.tol > 0 ? p.tol * meanVariance(matrix) : 0;
    const nSteps = Math.floor((p.maxIter * n) / batch);
    // Smoothing weight of one batch: about the share of the data it holds (scikit-learn).
    const alpha = Math.min(1, (batch * 2) / (n + 1));
    const weights = new Float64Array(k);
    const batchCounts = new Float64Array(k);
    const rows = new Int32Array(batch);
    const labels = new Int32Array(batch);
    let next: Float64Array = new Float64Array(k * d);
    let sinceReassign = 0;
    let reassigned = 0;
    let ewa = NaN;
    let ewaMin = Infinity;
    let noImprovement = 0;
    let steps = 0;
    let stop: StopReason = "maxIter";
    for (let step = 1; step <= nSteps; step++) {
      steps = step;
      for (let b = 0; b < batch; b++) rows[b] = sampler.int(n);
      // scikit-learn decides before the update, on the counts so far: always while a centre
      // has no weight, otherwise once 10·k rows have been seen since the last reassignment.
      sinceReassign += batch;
      let reassign = false;
      if (weights.includes(0) || sinceReassign >= 10 * k) {
        sinceReassign = 0;
        reassign = true;
      }

      // Assign the batch to the current centres; the batch inertia is measured before moving them.
      let batchInertia = 0;
      batchCounts.fill(0);
      for (let b = 0; b < batch; b++) {
        const c = nearest(data, rows[b] * d, centers, k, d, scratch);
        labels[b] = c;
        batchCounts[c]++;
        batchInertia += scratch[0];
      }
      // Running mean, in scikit-learn's order: undo the old scaling, add the rows, rescale.
      for (let t = 0; t < k * d; t++) next[t] = centers[t] * weights[(t / d) | 0];
      for (let b = 0; b < batch; b++) {
        const o = labels[b] * d;
        const x = rows[b] * d;
        for (let j = 0; j < d; j++) next[o + j] += data[x + j];
      }
      for (let c = 0; c < k; c++) {
        const o = c * d;
        if (batchCounts[c] > 0) {
          weights[c] += batchCounts[c];
          const scale = 1 / weights[c];
          for (let j = 0; j < d; j++) next[o + j] *= scale;
        } else for (let j = 0; j < d; j++) next[o + j] = centers[o + j];
      }
      if (reassign && p.reassignmentRatio > 0) reassigned += reassignLowCounts(sampler, p.reassignmentRatio, weights, next, data, rows, k, d);

      let shift = 0;
      if (tolAbs > 0)
        for (let t = 0; t < k * d; t++) {
          const u = next[t] - centers[t];
          shift += u * u;
        }
      const previous = centers;
      centers = next;
      next = previous;

      // scikit-learn's _mini_batch_convergence. Step 1's inertia reflects the start only, so it is skipped.
      if (step === 1) continue;
      const mean = batchInertia / batch;
      ewa = step === 2 ? mean : ewa * (1 - alpha) + mean * alpha;
      if (tolAbs > 0 && shift <= tolAbs) {
        stop = "tol";
        break;
      }
      if (ewa < ewaMin) {
        ewaMin = ewa;
        noImprovement = 0;
      } else noImprovement++;
      if (noImprovement >= p.maxNoImprovement) {
        stop = "noImprovement";
        break;
      }
    }

    // --- Final assignment of every row.
    const all = new Int32Array(n);
    let inertia = 0;
    for (let i = 0; i < n; i++) {
      all[i] = nearest(data, i * d, centers, k, d, scratch);
      inertia += scratch[0];
    }
    const kept = compact(all, centers, k, d);
    const epochs = Math.ceil((steps * batch) / n);

    const notes: string[] = [];
    const plural = (x: number, word: string) => `${fmt(x)} ${word}${x === 1 ? "" : "s"}`;
    notes.push(`mini-batch k-means: ${plural(steps, "step")} of batches of ${plural(batch, "row")} (${plural(epochs, "epoch")})`);
    if (stop === "noImprovement") notes.push(`stopped early after no improvement of the smoothed batch inertia for ${p.maxNoImprovement} steps`);
    else if (stop === "tol") notes.push(`stopped early: the centres moved less than tol = ${p.tol} in one step`);
    else notes.push(`ran all ${plural(nSteps, "step")} (maxIter = ${p.maxIter} epochs) without stopping early`);
    if (p.nInit > 1) {
      const on = initSize < n ? `${fmt(initSize)}-row samples` : "all rows";
      notes.push(`best of ${p.nInit} k-means++ starts on ${on}, by inertia on a validation sample`);
    }
    if (reassigned > 0)
      notes.push(`low-count centres were moved to random rows ${reassigned === 1 ? "once" : `${reassigned} times`} during fitting (reassignmentRatio = ${p.reassignmentRatio})`);
    if (kept.k < k) {
      const lost = k - kept.k;
      notes.push(`only ${kept.k} distinct segments found for k = ${k}: ${lost} centre${lost === 1 ? " ends" : "s end"} nearest to no row (fewer distinct points than segments, or centres that met)`);
    }

    const sizes = new Array<number>(kept.k).fill(0);
    for (let i = 0; i < n; i++) sizes[kept.labels[i]]++;
    const segmentModel = centroidsModel(kept.centroids, kept.k, d);
    return {
      labels: kept.labels,
      k: kept.k,
      notes,
      model: {
        centroids: segmentModel.centroids,
        inertia,
        // Epochs, as scikit-learn's n_iter_; steps as its n_steps_.
        iterations: epochs,
        steps,
        converged: stop !== "maxIter",
        sizes
      },
      segmentModel
    };
  }
};

function validate(matrix: FeatureMatrix, p: MiniBatchKMeansParams): void {
  const { n } = matrix;
  const isInt = (v: unknown, min: number) => typeof v === "number" && Number.isInteger(v) && v >= min;
  checkParam(isInt(p.k, 1) && p.k <= n, "k", p.k, `an integer from 1 to ${n} (the number of customers)`);
  checkParam(isInt(p.batchSize, 1), "batchSize", p.batchSize, "an integer ≥ 1");
  checkParam(isInt(p.maxIter, 1), "maxIter", p.maxIter, "an integer ≥ 1");
  checkParam(isInt(p.nInit, 1), "nInit", p.nInit, "an integer ≥ 1");
  if (p.initSize !== undefined) checkParam(isInt(p.initSize, p.k), "initSize", p.initSize, `an integer ≥ k (${p.k})`);
  checkParam(typeof p.tol === "number" && Number.isFinite(p.tol) && p.tol >= 0, "tol", p.tol, "a number ≥ 0");
  checkParam(isInt(p.maxNoImprovement, 1), "maxNoImprovement", p.maxNoImprovement, "an integer ≥ 1");
  checkParam(
    typeof p.reassignmentRatio === "number" && p.reassignmentRatio >= 0 && p.reassignmentRatio <= 1,
    "reassignmentRatio",
    p.reassignmentRatio,
    "a number from 0 to 1"
  );
}

/** m row indices drawn uniformly with replacement, as numpy's randint(0, n, m). */
function randomRows(rng: Rng, n: number, m: number): Int32Array {
  const out = new Int32Array(m);
  for (let r = 0; r < m; r++) out[r] = rng.int(n);
  return out;
}

/**
 * Index of the centre nearest to the row at data[off..off+d) (exact ties to the lower index);
 * its squared distance goes to out[0]. A partial sum already ≥ the best cannot win, so the scan
 * of that centre stops early without changing the result.
 */
function nearest(data: Float64Array, off: number, centers: Float64Array, k: number, d: number, out: Float64Array): number {
  let best = 0;
  let bestDist = Infinity;
  for (let c = 0, o = 0; c < k; c++, o += d) {
    let e = 0;
    for (let j = 0; j < d && e < bestDist; j++) {
      const u = data[off + j] - centers[o + j];
      e += u * u;
    }
    if (e < bestDist) {
      bestDist = e;
      best = c;
    }
  }
  out[0] = bestDist;
  return best;
}

/**
 * scikit-learn's low-count reassignment (end of _mini_batch_step): centres whose weight is below
 * ratio × the largest weight (at most ⌊batch/2⌋ of them, the lightest first) move to distinct
 * random rows of the batch, and their weight becomes the smallest weight among the others, so
 * they are not reassigned again at once and keep a moderate learning rate. Returns how many moved.
 */
function reassignLowCounts(
  rng: Rng,
  ratio: number,
  weights: Float64Array,
  centers: Float64Array,
  data: Float64Array,
  rows: Int32Array,
  k: number,
  d: number
): number {
  let max = 0;
  for (let c = 0; c < k; c++) if (weights[c] > max) max = weights[c];
  const threshold = ratio * max;
  let low: number[] = [];
  for (let c = 0; c < k; c++) if (weights[c] < threshold) low.push(c);
  if (low.length === 0) return 0;
  const cap = Math.floor(0.5 * rows.length);
  if (low.length > cap) {
    // Stable order (weight, then index), where numpy's argsort would break ties arbitrarily.
    low = low.sort((a, b) => weights[a] - weights[b] || a - b).slice(0, cap).sort((a, b) => a - b);
    if (low.length === 0) return 0;
  }
  const isLow = new Uint8Array(k);
  for (const c of low) isLow[c] = 1;
  let floor = Infinity;
  for (let c = 0; c < k; c++) if (!isLow[c] && weights[c] < floor) floor = weights[c];
  // sampleIndices is sorted; shuffle so which centre gets which row does not follow row order.
  const picks = rng.shuffle(rng.sampleIndices(rows.length, low.length));
  low.forEach((c, t) => {
    const x = rows[picks[t]] * d;
    centers.set(data.subarray(x, x + d), c * d);
    weights[c] = floor;
  });
  return low.length;
}

/** Mean of the per-feature population variances (numpy's X.var(axis=0).mean()). */
function meanVariance(m: FeatureMatrix): number {
  const { n, d, data } = m;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  let sum = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      const u = data[i * d + j] - mean[j];
      sum += u * u;
    }
  return sum / n / d;
}

/** Drops centres nearest to no row and renumbers labels, as kmeans.ts does. */
function compact(labels: Int32Array, centers: Float64Array, k: number, d: number): { labels: Int32Array; k: number; centroids: Float64Array } {
  const used = new Uint8Array(k);
  for (let i = 0; i < labels.length; i++) used[labels[i]] = 1;
  const kept = used.reduce((a, b) => a + b, 0);
  if (kept === k) return { labels, k, centroids: centers };
  const map = new Int32Array(k).fill(-1);
  const centroids = new Float64Array(kept * d);
  for (let c = 0, m = 0; c < k; c++)
    if (used[c]) {
      centroids.set(centers.subarray(c * d, (c + 1) * d), m * d);
      map[c] = m++;
    }
  return { labels: labels.map((c) => map[c]), k: kept, centroids };
}
