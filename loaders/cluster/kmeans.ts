/**
 * k-means with scikit-learn's semantics: greedy k-means++ initialisation, Lloyd iterations,
 * scikit-learn's tolerance and stopping rules, farthest-point relocation of empty clusters, the
 * best of nInit runs by inertia.
 *
 * The Lloyd steps use Hamerly's algorithm: per row one upper bound (distance to its own centre)
 * and one lower bound (distance to the second-closest), which lets most rows skip the distance
 * computations once centres settle; rows that fail the test are compared with every centre. Every
 * row still gets the centre plain Lloyd would give it (exact ties go to the lower index), so
 * labels, centres, inertia and iteration counts match plain Lloyd from the same start.
 * k-means++ computes every row's distance to every seed (each round's in the next round's pass),
 * so the first Lloyd step after it needs no distances. Large data is also shared with worker
 * threads (kmeansSession.ts); the API stays synchronous and results are identical with or
 * without them. The per-block kernels are generated source (kmeansKernels.gen.ts).
 *
 * nInit defaults to 4, not scikit-learn's current 1 (n_init="auto" with k-means++): restarts
 * are cheap here and guard against a poor local optimum; pass nInit 1 to match scikit-learn.
 */
import { checkParam } from "../errors.ts";
import type { FeatureMatrix } from "../matrix.ts";
import type { Rng } from "../rng.ts";
import type { ClusterResult, Clusterer } from "./types.ts";
import { CTRL, GROUP, OP, maxTrials, pendingSlot } from "./kmeansKernel.ts";
import { KmeansSession, withSession, type Threads } from "./kmeansSession.ts";
import { clearlyLower, withDefaults } from "./params.ts";
import { centroidsModel } from "./segmentModel.ts";

export { releaseKmeansBuffers, setKmeansThreads, startKmeansWorkers, warmKmeansWorkers, type Threads } from "./kmeansSession.ts";

export interface KMeansParams {
  /** Number of segments. */
  k: number;
  /** Independent k-means++ starts; the run with the lowest inertia is kept. */
  nInit: number;
  /** Largest number of Lloyd iterations per run. */
  maxIter: number;
  /**
   * Convergence tolerance, as in scikit-learn: a run stops when the summed squared movement of
   * the centres is at most tol × (mean per-feature variance of the data).
   */
  tol: number;
}

export interface LloydOptions {
  maxIter?: number;
  tol?: number;
  /** Threads (main included); default "auto". Results do not depend on it. */
  threads?: Threads;
}

export interface LloydResult {
  labels: Int32Array;
  /** Final centres, k × d row-major. */
  centroids: Float64Array;
  inertia: number;
  /** Assignment steps run (scikit-learn's n_iter_). */
  iterations: number;
  /** Stopped because labels no longer changed or the centres moved less than tol. */
  converged: boolean;
}

export const kmeans: Clusterer<KMeansParams> = {
  name: "kmeans",
  defaults: { k: 8, nInit: 4, maxIter: 300, tol: 1e-4 },
  fit(matrix: FeatureMatrix, params: Partial<KMeansParams>, rng: Rng): ClusterResult {
    const p = withDefaults(kmeans.defaults, params);
    validate(matrix, p);
    const { d } = matrix;
    const best = withSession(matrix, p.k, undefined, (session) => {
      const tolAbs = absoluteTolerance(session, p.tol);
      let kept: LloydResult | undefined;
      for (let run = 0; run < p.nInit; run++) {
        const init = plusPlusInSession(session, p.k, rng.fork());
        const result = lloydInSession(session, init, p.maxIter, tolAbs, true);
        if (kept === undefined || clearlyLower(result.inertia, kept.inertia)) kept = result;
      }
      return kept!;
    });

    const notes: string[] = [];
    const { labels, k, centroids } = compact(best, p.k, d);
    if (k < p.k) notes.push(`only ${k} distinct segments found for k = ${p.k}: the data has fewer distinct points than segments`);
    if (p.nInit > 1) notes.push(`best of ${p.nInit} k-means++ starts by inertia`);
    if (!best.converged) notes.push(`did not converge within maxIter = ${p.maxIter} iterations`);
    const sizes = new Array<number>(k).fill(0);
    for (let i = 0; i < labels.length; i++) sizes[labels[i]]++;
    const segmentModel = centroidsModel(centroids, k, d);
    return {
      labels,
      k,
      notes,
      model: {
        centroids: segmentModel.centroids,
        inertia: best.inertia,
        iterations: best.iterations,
        converged: best.converged,
        sizes
      },
      segmentModel
    };
  }
};

function validate(matrix: FeatureMatrix, p: KMeansParams): void {
  const { n } = matrix;
  checkParam(Number.isInteger(p.k) && p.k >= 1 && p.k <= n, "k", p.k, `an integer from 1 to ${n} (the number of customers)`);
  checkParam(Number.isInteger(p.nInit) && p.nInit >= 1, "nInit", p.nInit, "an integer ≥ 1");
  checkParam(Number.isInteger(p.maxIter) && p.maxIter >= 1, "maxIter", p.maxIter, "an integer ≥ 1");
  checkParam(typeof p.tol === "number" && p.tol >= 0 && Number.isFinite(p.tol), "tol", p.tol, "a number ≥ 0");
}

/** Drops empty clusters (only possible with fewer distinct rows than k) and renumbers labels. */
function compact(r: LloydResult, k: number, d: number): { labels: Int32Array; k: number; centroids: Float64Array } {
  const used = new Uint8Array(k);
  for (let i = 0; i < r.labels.length; i++) used[r.labels[i]] = 1;
  const kept = used.reduce((a, b) => a + b, 0);
  if (kept === k) return { labels: r.labels, k, centroids: r.centroids };
  const map = new Int32Array(k).fill(-1);
  const centroids = new Float64Array(kept * d);
  for (let c = 0, m = 0; c < k; c++)
    if (used[c]) {
      centroids.set(r.centroids.subarray(c * d, (c + 1) * d), m * d);
      map[c] = m++;
    }
  return { labels: r.labels.map((c) => map[c]), k: kept, centroids };
}

// ---------------------------------------------------------------------------------------------
// Lower-level entry points (used by the benchmark and by tests against scikit-learn / ml-kmeans)

/**
 * Lloyd's algorithm from the given centres (k × d row-major), with scikit-learn's stopping rule
 * (labels unchanged, or centre shift ≤ tol × mean variance), its empty-cluster relocation and its
 * final assignment to the last centres. Throws a plain Error on malformed input (a bug).
 */
export function lloyd(matrix: FeatureMatrix, initialCentroids: Float64Array, options: LloydOptions = {}): LloydResult {
  const { n, d } = matrix;
  const k = initialCentroids.length / d;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`lloyd: ${initialCentroids.length} centre values do not make 1..n centres of ${d} features`);
  const maxIter = options.maxIter ?? 300;
  const tol = options.tol ?? 1e-4;
  return withSession(matrix, k, options.threads, (session) =>
    lloydInSession(session, initialCentroids, maxIter, absoluteTolerance(session, tol))
  );
}

/** scikit-learn's greedy k-means++ (2 + ⌊ln k⌋ candidates per centre): k centres, k × d row-major. */
export function kmeansPlusPlus(matrix: FeatureMatrix, k: number, rng: Rng, options: { threads?: Threads } = {}): Float64Array {
  if (!Number.isInteger(k) || k < 1 || k > matrix.n) throw new Error(`kmeansPlusPlus: k = ${k} is not in 1..${matrix.n}`);
  return withSession(matrix, k, options.threads, (session) => plusPlusInSession(session, k, rng));
}

// ---------------------------------------------------------------------------------------------

/** tol × mean per-feature variance (population variance, as numpy's var). */
function absoluteTolerance(session: KmeansSession, tol: number): number {
  if (tol === 0) return 0;
  const s = session.state;
  const { d, nBlocks, blockRows, statWidth, n } = s;
  session.run(OP.moments);
  // Chan et al.'s pairwise combination of per-block means and squared deviations, in block order.
  const mean = new Float64Array(d);
  const m2 = new Float64Array(d);
  let count = 0;
  for (let b = 0; b < nBlocks; b++) {
    const nb = Math.min(n, (b + 1) * blockRows) - b * blockRows;
    const o = b * statWidth;
    const total = count + nb;
    for (let j = 0; j < d; j++) {
      const delta = s.stat[o + j] - mean[j];
      mean[j] += (delta * nb) / total;
      m2[j] += s.stat[o + d + j] + ((delta * delta * count) / total) * nb;
    }
    count = total;
  }
  let sum = 0;
  for (let j = 0; j < d; j++) sum += m2[j] / n;
  return (sum / d) * tol;
}

function plusPlusInSession(session: KmeansSession, k: number, rng: Rng): Float64Array {
  const s = session.state;
  const { n, d, nBlocks, blockRows, statWidth, x, closest, cands } = s;
  const trials = maxTrials(k);
  const p = pendingSlot(k);
  const centres = new Float64Array(k * d);
  const blockPot = new Float64Array(nBlocks);
  const setRow = (target: Float64Array, slot: number, row: number) => target.set(x.subarray(row * d, (row + 1) * d), slot * d);
  // Each round's chosen centre is left pending: the next pass over the rows applies it before
  // scoring that round's candidates, saving a pass per round. Until then closest[i] is stale,
  // and `nearest` gives its value with the pending centre in: the same arithmetic as the kernel.
  let pending = -1;
  const nearest = (i: number): number => {
    const c = closest[i];
    if (pending < 0) return c;
    let e = 0;
    for (let j = 0; j < d; j++) {
      const u = x[i * d + j] - cands[p * d + j];
      e += u * u;
    }
    return Math.min(e, c);
  };
  // First index whose running sum of closest reaches r (numpy's searchsorted on the cumsum).
  const search = (r: number): number => {
    let acc = 0;
    for (let b = 0; b < nBlocks; b++) {
      if (acc + blockPot[b] < r) {
        acc += blockPot[b];
        continue;
      }
      const end = Math.min(n, (b + 1) * blockRows);
      for (let i = b * blockRows; i < end; i++) {
        acc += nearest(i);
        if (acc >= r) return i;
      }
    }
    return n - 1;
  };

  const first = rng.int(n);
  setRow(centres, 0, first);
  setRow(cands, 0, first);
  session.run(OP.ppFirst);
  let pot = 0;
  for (let b = 0; b < nBlocks; b++) {
    blockPot[b] = s.stat[b * statWidth];
    pot += blockPot[b];
  }
  const ids = new Int32Array(trials);
  const trialPot = new Float64Array(trials);
  for (let c = 1; c < k; c++) {
    for (let t = 0; t < trials; t++) {
      ids[t] = search(rng.random() * pot);
      setRow(cands, t, ids[t]);
    }
    // Chunks of candidates, one pass each; the first pass also applies the pending centre.
    for (let from = 0; from < trials; from += GROUP) {
      s.ctrl[CTRL.first] = from;
      s.ctrl[CTRL.count] = Math.min(GROUP, trials - from);
      s.ctrl[CTRL.arg] = from === 0 ? pending : -1;
      session.run(OP.ppTrials);
    }
    trialPot.fill(0);
    for (let b = 0; b < nBlocks; b++) for (let t = 0; t < trials; t++) trialPot[t] += s.stat[b * statWidth + t];
    let best = 0;
    for (let t = 1; t < trials; t++) if (trialPot[t] < trialPot[best]) best = t;
    // The potential with the winner in, per block and in total, is what the pass just summed.
    pot = 0;
    for (let b = 0; b < nBlocks; b++) {
      blockPot[b] = s.stat[b * statWidth + best];
      pot += blockPot[b];
    }
    setRow(centres, c, ids[best]);
    setRow(cands, p, ids[best]);
    pending = c;
  }
  // Whoever runs next (seedSums) applies the last centre.
  s.ctrl[CTRL.arg] = pending;
  return centres;
}

/**
 * `seeded`: `init` is what plusPlusInSession just returned, so labels, closest and lower hold
 * each row's nearest seed and its two smallest squared distances (the last seed still pending).
 */
function lloydInSession(session: KmeansSession, init: Float64Array, maxIter: number, tolAbs: number, seeded = false): LloydResult {
  const s = session.state;
  const { k, d, nBlocks, statWidth } = s;
  const totals = new Float64Array(k * d);
  const counts = new Float64Array(k);
  const next = new Float64Array(k * d);
  s.centers.set(init);
  s.drift.fill(0);
  centreGeometry(session);
  session.run(seeded ? OP.seedSums : OP.assignAll);
  let iterations = 1;
  let strict = false;
  let converged = false;
  for (;;) {
    totals.fill(0);
    counts.fill(0);
    let changed = 0;
    for (let b = 0; b < nBlocks; b++) {
      changed += s.stat[b * statWidth];
      for (let c = 0; c < k; c++) counts[c] += s.counts[b * k + c];
      const o = b * k * d;
      for (let t = 0; t < k * d; t++) totals[t] += s.sums[o + t];
    }
    const relocated = counts.includes(0) && relocateEmpty(session, totals, counts);
    // New centres: sums × (1 / count), as scikit-learn; a cluster still empty keeps its centre.
    let shiftTotal = 0;
    for (let c = 0; c < k; c++) {
      const alpha = 1 / counts[c];
      let shift = 0;
      for (let j = 0, o = c * d; j < d; j++, o++) {
        next[o] = counts[c] > 0 ? totals[o] * alpha : s.centers[o];
        const t = next[o] - s.centers[o];
        shift += t * t;
      }
      s.move[c] = Math.sqrt(shift);
      shiftTotal += shift;
    }
    s.centers.set(next);
    if (changed === 0) {
      strict = true;
      converged = true;
      break;
    }
    if (shiftTotal <= tolAbs) {
      converged = true;
      break;
    }
    if (iterations >= maxIter) break;
    prepareBounds(session);
    s.ctrl[CTRL.flags] = relocated ? 1 : 0;
    session.run(OP.assign);
    iterations++;
  }
  if (!strict) {
    // As scikit-learn: assign once more so that the labels belong to the final centres.
    prepareBounds(session);
    s.ctrl[CTRL.flags] = 0;
    session.run(OP.assign);
  }
  session.run(OP.inertia);
  let inertia = 0;
  for (let b = 0; b < nBlocks; b++) inertia += s.stat[b * statWidth];
  return { labels: s.labels.slice(), centroids: s.centers.slice(), inertia, iterations, converged };
}

/** Hamerly's per-step bound updates, summed into the drift (see KernelState.drift), plus centreGeometry. */
function prepareBounds(session: KmeansSession): void {
  const s = session.state;
  const { k, move, drift } = s;
  let maxMover = 0;
  for (let c = 1; c < k; c++) if (move[c] > move[maxMover]) maxMover = c;
  let second = 0;
  for (let c = 0; c < k; c++) if (c !== maxMover && move[c] > second) second = move[c];
  for (let c = 0; c < k; c++) {
    drift[c] += move[c];
    drift[k + c] += c === maxMover ? second : move[maxMover];
  }
  centreGeometry(session);
}

/** Half the distance from each centre to its nearest other (Hamerly's s). */
function centreGeometry(session: KmeansSession): void {
  const s = session.state;
  const { k, d, centers, half } = s;
  half.fill(Infinity);
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      let dist = 0;
      for (let j = 0; j < d; j++) {
        const t = centers[a * d + j] - centers[b * d + j];
        dist += t * t;
      }
      const r = Math.sqrt(dist);
      if (r / 2 < half[a]) half[a] = r / 2;
      if (r / 2 < half[b]) half[b] = r / 2;
    }
  }
}

/**
 * scikit-learn's empty-cluster rule: each empty cluster takes the row farthest from its own
 * (previous) centre, that row's coordinates leaving its cluster's sum. Unlike scikit-learn, a
 * row that is the only member of its cluster is passed over (moving it would just empty another
 * cluster). Labels are not changed here; the next step assigns the row to its new centre, and
 * block sums are recomputed then. Returns whether anything moved.
 */
function relocateEmpty(session: KmeansSession, totals: Float64Array, counts: Float64Array): boolean {
  const s = session.state;
  const { k, d, n, nBlocks, statWidth, x, labels } = s;
  const m = Math.min(k, n);
  s.ctrl[CTRL.count] = m;
  session.run(OP.farthest);
  const candidates: Array<[number, number]> = [];
  for (let b = 0; b < nBlocks; b++)
    for (let r = 0; r < m; r++) {
      const idx = s.stat[b * statWidth + 2 * r + 1];
      if (idx >= 0) candidates.push([s.stat[b * statWidth + 2 * r], idx]);
    }
  candidates.sort((p, q) => q[0] - p[0] || p[1] - q[1]);
  let moved = false;
  let next = 0;
  for (let c = 0; c < k; c++) {
    if (counts[c] !== 0) continue;
    while (next < candidates.length && counts[labels[candidates[next][1]]] <= 1) next++;
    if (next >= candidates.length) break;
    const i = candidates[next++][1];
    const old = labels[i];
    for (let j = 0; j < d; j++) {
      totals[old * d + j] -= x[i * d + j];
      totals[c * d + j] = x[i * d + j];
    }
    counts[old] -= 1;
    counts[c] = 1;
    moved = true;
  }
  return moved;
}
