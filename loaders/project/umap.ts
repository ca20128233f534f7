import { UMAP } from "umap-js";
import { selectRows, type FeatureMatrix } from "../matrix.ts";
import { Rng } from "../rng.ts";
import { pca } from "./pca.ts";

export interface UmapOptions {
  /** Neighbourhood size, counting the point itself (as umap-learn and umap-js do). */
  nNeighbors?: number;
  /** Minimum distance between points in the map, in [0, 1] (spread is umap-js's 1). */
  minDist?: number;
  /** Optimisation epochs. */
  nEpochs?: number;
  /** Told the share of epochs run (0..1) after each epoch. */
  progress?: (fraction: number) => void;
}

export interface UmapMap {
  /** Row-major rows.length × 2 coordinates, in the order of `rows`. Arbitrary units. */
  coordinates: Float64Array;
  /** The values actually used (after capping), for the page to state. */
  nNeighbors: number;
  minDist: number;
  nEpochs: number;
  /** What was adjusted or fallen back on, in words for the page. */
  notes: string[];
}

/**
 * umap-learn's defaults for nNeighbors and minDist. nEpochs is 200 (umap-learn's choice for large
 * data) rather than umap-js's 400 for 2,500–5,000 points: the optimiser costs ~13 ms an epoch on
 * 3,000 points here, so 200 epochs is ~4.4 s for 3,000 × 45 against ~6.9 s. The learning rate
 * decays to 0 over the epochs either way, so clusters still separate; what more epochs buy is a
 * little finer local order (15-NN kept 9.4% vs 11.2% on a blob benchmark).
 */
export const UMAP_DEFAULTS = { nNeighbors: 15, minDist: 0.1, nEpochs: 200 } as const;

/** Up to this many rows the neighbours are exact (O(n²d), ~0.4 s at 3,000 × 45); beyond it umap-js's NN-descent. */
const EXACT_KNN_MAX = 10_000;
/** Below this many rows UMAP has no neighbourhood graph worth the name: see the fallback. */
const MIN_ROWS = 4;
/** umap-learn's init scale: the initial layout's largest coordinate is 10. */
const INIT_SCALE = 10;

/**
 * A 2-D UMAP map of `rows` of `matrix` (already prepared and scaled, no NaN), by umap-js.
 *
 * Determinism: every random draw umap-js makes (NN-descent, the random-projection forest, the
 * initial layout, negative sampling) goes through the `random` parameter, whose default is
 * Math.random; we pass a function backed by our seeded Rng, so Math.random is never touched.
 * We also take the two steps that would otherwise depend on umap-js's randomness in ways that
 * are hard to reason about: exact neighbours (ties broken by row order, self always first, as
 * umap-learn does below 4,096 points) and a PCA initial layout instead of umap-js's uniform
 * random one. PCA's signs are fixed, so the UMAP map is also oriented like the PCA map beside it.
 */
export function umap2d(matrix: FeatureMatrix, rows: ArrayLike<number>, seed: number, options: UmapOptions = {}): UmapMap {
  const notes: string[] = [];
  const n = rows.length;
  const minDist = options.minDist ?? UMAP_DEFAULTS.minDist;
  const nEpochs = options.nEpochs ?? UMAP_DEFAULTS.nEpochs;
  const requested = options.nNeighbors ?? UMAP_DEFAULTS.nNeighbors;
  if (!(minDist >= 0 && minDist <= 1)) throw new RangeError(`UMAP minDist must be in [0, 1], got ${minDist}`);
  if (!(Number.isInteger(nEpochs) && nEpochs >= 1)) throw new RangeError(`UMAP nEpochs must be a positive integer, got ${nEpochs}`);
  if (!(Number.isInteger(requested) && requested >= 2)) throw new RangeError(`UMAP nNeighbors must be an integer ≥ 2, got ${requested}`);

  const m = selectRows(matrix, rows);
  if (n < MIN_ROWS) {
    // Too few points for a neighbourhood graph (umap-js needs more points than neighbours, and
    // 1–2 neighbours make a meaningless map): show the first two features, centred, instead.
    notes.push(`Only ${n} point${n === 1 ? "" : "s"}: too few for UMAP, so the map shows the first two features, centred.`);
    return { coordinates: firstTwoCentred(m), nNeighbors: 0, minDist, nEpochs: 0, notes };
  }
  // umap-js throws unless there are more points than neighbours (self included).
  const nNeighbors = Math.min(requested, n - 1);
  if (nNeighbors < requested) notes.push(`nNeighbors lowered from ${requested} to ${nNeighbors}: there are only ${n} points.`);

  const rng = new Rng(seed);
  const X = Array.from({ length: n }, (_, i) => Array.from(m.data.subarray(i * m.d, (i + 1) * m.d)));
  const umap = new UMAP({ nNeighbors, minDist, nEpochs, nComponents: 2, random: () => rng.random() });
  if (n <= EXACT_KNN_MAX) {
    const knn = exactKnn(m, nNeighbors);
    umap.setPrecomputedKNN(knn.indices, knn.distances);
  } else {
    notes.push(`Neighbours approximated by NN-descent (more than ${EXACT_KNN_MAX.toLocaleString("en-US")} points).`);
  }
  const epochs = umap.initializeFit(X);
  // initializeFit lays points out uniformly at random; replace that, in place (the optimiser
  // holds the same arrays), with the scaled PCA layout.
  const layout = umap.getEmbedding();
  const init = pcaInit(m, rng);
  for (let i = 0; i < n; i++) {
    layout[i][0] = init[2 * i];
    layout[i][1] = init[2 * i + 1];
  }
  for (let e = 0; e < epochs; e++) {
    umap.step();
    options.progress?.((e + 1) / epochs);
  }

  const coordinates = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    coordinates[2 * i] = layout[i][0];
    coordinates[2 * i + 1] = layout[i][1];
  }
  return { coordinates, nNeighbors, minDist, nEpochs: epochs, notes };
}

/**
 * The k nearest rows of every row, self first at distance 0, then by Euclidean distance with ties
 * broken by row index (so duplicate rows have a fixed order). umap-js's own graph code expects
 * exactly this shape: it skips the first column as "self". Each pair's distance is computed once
 * and offered to both rows' shortlists; every shortlist still sees its candidates in increasing
 * row order, which is what makes the tie-break hold. Exported for the tests.
 */
export function exactKnn(m: FeatureMatrix, k: number): { indices: number[][]; distances: number[][] } {
  const { n, d, data } = m;
  const w = k - 1; // shortlist length, self excluded
  const bestI = new Int32Array(n * w);
  const bestD = new Float64Array(n * w);
  const count = new Int32Array(n);
  const offer = (i: number, j: number, s: number) => {
    const base = i * w;
    let c = count[i];
    if (c === w && s >= bestD[base + c - 1]) return;
    // Insertion into the sorted shortlist; strict > keeps the earlier row first on ties.
    let p = c < w ? (count[i] = c + 1) - 1 : c - 1;
    while (p > 0 && bestD[base + p - 1] > s) {
      bestD[base + p] = bestD[base + p - 1];
      bestI[base + p] = bestI[base + p - 1];
      p--;
    }
    bestD[base + p] = s;
    bestI[base + p] = j;
  };
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let t = 0, a = i * d, b = j * d; t < d; t++) {
        const diff = data[a + t] - data[b + t];
        s += diff * diff;
      }
      offer(i, j, s);
      offer(j, i, s);
    }
  }
  const indices: number[][] = [];
  const distances: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = bestI.subarray(i * w, (i + 1) * w);
    indices.push([i, ...row]);
    distances.push([0, ...Array.from(bestD.subarray(i * w, (i + 1) * w), Math.sqrt)]);
  }
  return { indices, distances };
}

/**
 * umap-learn's init="pca": the first two principal components scaled so the largest coordinate
 * is 10, plus noise of sd 1e-4 so duplicate rows do not start on top of each other (the optimiser
 * cannot pull apart two points at distance 0). A single feature, or no variance at all, leaves
 * the missing axis to the noise.
 */
function pcaInit(m: FeatureMatrix, rng: Rng): Float64Array {
  const p = pca(m, 2);
  const out = new Float64Array(2 * m.n);
  let big = 0;
  for (const v of p.coordinates) if (Number.isFinite(v)) big = Math.max(big, Math.abs(v));
  const scale = big > 0 ? INIT_SCALE / big : 0;
  for (let i = 0; i < m.n; i++) {
    for (let c = 0; c < 2; c++) {
      const v = c < p.components ? p.coordinates[i * p.components + c] : 0;
      out[2 * i + c] = (Number.isFinite(v) ? v * scale : 0) + 1e-4 * rng.normal();
    }
  }
  return out;
}

/** The tiny-input fallback: features 0 and 1 (0 if missing), each centred on its mean. */
function firstTwoCentred(m: FeatureMatrix): Float64Array {
  const out = new Float64Array(2 * m.n);
  for (let c = 0; c < Math.min(2, m.d); c++) {
    let mean = 0;
    for (let i = 0; i < m.n; i++) mean += m.data[i * m.d + c];
    mean /= m.n;
    for (let i = 0; i < m.n; i++) out[2 * i + c] = m.data[i * m.d + c] - mean;
  }
  return out;
}
