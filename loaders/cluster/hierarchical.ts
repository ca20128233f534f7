/**
 * Agglomerative (hierarchical) clustering on Euclidean distances, with the same merges as
 * scipy.cluster.hierarchy.linkage:
 * - ward / average / complete: nearest-neighbour chain over a condensed distance matrix updated by
 *   the Lance–Williams formulas (O(n²) time for these reducible linkages). Ward works on squared
 *   distances internally; its merge heights are reported on the Euclidean scale (their square
 *   root), as scipy and sklearn report them.
 * - single: minimum spanning tree by Prim's algorithm, O(n²) time, distances computed on the fly.
 * Merges are then sorted by height (stable) and renumbered as in scipy's linkage matrix.
 *
 * n² LIMIT: the condensed matrix holds n(n-1)/2 doubles, i.e. about maxPoints²/2 × 8 bytes:
 * 5,000 rows → 100 MB (20,000 would be 1.6 GB); fewer above 20 features (hierarchicalMaxPoints).
 * Above `maxPoints` rows the fit runs on a seeded random sample of maxPoints rows and every other
 * row goes to the nearest segment centroid (sampleAndAssign.ts); a note in the result says so.
 */
import { checkParam } from "../errors.ts";
import type { FeatureMatrix } from "../matrix.ts";
import { selectRows, sqDist } from "../matrix.ts";
import type { Rng } from "../rng.ts";
import { extendToAllRows, nearestCentroid, renumberByFirstAppearance, segmentCentroids } from "./sampleAndAssign.ts";
import { withDefaults } from "./params.ts";
import type { ClusterResult, Clusterer, FittedLabels } from "./types.ts";
import { centroidsModel } from "./segmentModel.ts";

export type Linkage = "ward" | "average" | "complete" | "single";
export const LINKAGES: readonly Linkage[] = ["ward", "average", "complete", "single"];

export interface HierarchicalParams {
  /** Number of segments to cut the tree into, 1..n. */
  k: number;
  linkage: Linkage;
  /** Row limit for the O(n²) fit; above it, fit a sample (see module comment). */
  maxPoints: number;
}

/**
 * One merge, as a row of scipy's linkage matrix Z: clusters `a` < `b` merge at `height` into a
 * cluster of `size` rows. Ids below n are rows; id n + i is the cluster made by merge i.
 */
export interface Merge {
  a: number;
  b: number;
  height: number;
  size: number;
}

/** Merges for all rows of `matrix` (n ≥ 1; n - 1 merges). Memory O(n²) except for single linkage. */
export function linkageMerges(matrix: FeatureMatrix, linkage: Linkage = "ward"): Merge[] {
  const { n } = matrix;
  if (n < 2) return [];
  const raw = linkage === "single" ? primSingle(matrix) : nnChain(condensed(matrix, linkage === "ward"), n, linkage);
  if (linkage === "ward") for (let i = 0; i < raw.h.length; i++) raw.h[i] = Math.sqrt(Math.max(0, raw.h[i]));
  return relabel(raw, n);
}

/**
 * Cuts the tree into k clusters by applying the first n - k merges (merges are sorted by height).
 * Labels 0..k-1 are numbered in order of first appearance by row.
 */
export function cutTree(merges: Merge[], n: number, k: number): Int32Array {
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  // rep[id] is a row inside cluster id.
  const rep = new Int32Array(2 * n);
  for (let i = 0; i < n; i++) rep[i] = i;
  for (let m = 0; m < n - k; m++) {
    const { a, b } = merges[m];
    const ra = find(rep[a]);
    const rb = find(rep[b]);
    parent[rb] = ra;
    rep[n + m] = ra;
  }
  const labels = new Int32Array(n);
  const labelOfRoot = new Int32Array(n).fill(-1);
  let next = 0;
  for (let i = 0; i < n; i++) {
    const r = find(i);
    if (labelOfRoot[r] < 0) labelOfRoot[r] = next++;
    labels[i] = labelOfRoot[r];
  }
  return labels;
}

const DEFAULTS: HierarchicalParams = { k: 8, linkage: "ward", maxPoints: 5000 };

/**
 * maxPoints when none is given: 5,000, or fewer above 20 features so that the distances, which
 * cost rows² × features, cost what 5,000 rows × 20 features cost (3,261 rows at 47 features,
 * where 5,000 took 2 s of a 7,043-row report); at least 1,000 rows.
 */
export function hierarchicalMaxPoints(d: number): number {
  return Math.max(1_000, Math.min(DEFAULTS.maxPoints, Math.floor(DEFAULTS.maxPoints * Math.sqrt(20 / Math.max(1, d)))));
}

export const hierarchical: Clusterer<HierarchicalParams> = {
  name: "hierarchical",
  defaults: DEFAULTS,
  fit(matrix: FeatureMatrix, params: Partial<HierarchicalParams>, rng: Rng): ClusterResult {
    const p = checked(matrix, params, [params.k ?? DEFAULTS.k]);
    return cutAt(matrix, grow(matrix, p, rng), p, p.k);
  },
  /** One tree (on one sample), cut at every k: the default grid's k = 2..10 cost one fit. */
  fitPath(matrix: FeatureMatrix, params: Partial<HierarchicalParams>, ks: number[], rng: Rng): ClusterResult[] {
    const p = checked(matrix, params, ks);
    const tree = grow(matrix, p, rng);
    return ks.map((k) => cutAt(matrix, tree, p, k));
  }
};

function checked(matrix: FeatureMatrix, params: Partial<HierarchicalParams>, ks: number[]): HierarchicalParams {
  const p = withDefaults({ ...DEFAULTS, maxPoints: hierarchicalMaxPoints(matrix.d) }, params);
  checkParam(typeof p.linkage === "string" && LINKAGES.includes(p.linkage), "linkage", p.linkage, `one of ${LINKAGES.join(", ")}`);
  checkParam(Number.isInteger(p.maxPoints) && p.maxPoints >= 2, "maxPoints", p.maxPoints, "an integer ≥ 2");
  for (const k of ks) {
    checkParam(Number.isInteger(k) && k >= 1 && k <= matrix.n, "k", k, `an integer from 1 to the number of rows (${matrix.n})`);
    checkParam(k <= p.maxPoints, "k", k, `at most maxPoints (${p.maxPoints}), the number of rows fitted`);
  }
  return p;
}

interface Tree {
  merges: Merge[];
  /** Rows fitted (the sample above maxPoints, else null = all rows). */
  sample: Int32Array | null;
  fitted: FeatureMatrix;
}

function grow(matrix: FeatureMatrix, p: HierarchicalParams, rng: Rng): Tree {
  const sample = matrix.n > p.maxPoints ? rng.sampleIndices(matrix.n, p.maxPoints) : null;
  const fitted = sample ? selectRows(matrix, sample) : matrix;
  return { merges: linkageMerges(fitted, p.linkage), sample, fitted };
}

function cutAt(matrix: FeatureMatrix, tree: Tree, p: HierarchicalParams, k: number): ClusterResult {
  const { merges, fitted, sample } = tree;
  const last = fitted.n - k - 1;
  const onFitted: FittedLabels = {
    labels: cutTree(merges, fitted.n, k),
    k,
    notes: [],
    model: {
      linkage: p.linkage,
      merges,
      // The cut lies between these merge heights (above: null when k = 1, nothing left to merge).
      cut: { below: last >= 0 ? merges[last].height : 0, above: last + 1 < merges.length ? merges[last + 1].height : null },
      fittedRows: fitted.n
    }
  };
  if (!sample) {
    return { ...onFitted, model: { ...onFitted.model, sampleIndices: null }, segmentModel: centroidsModel(segmentCentroids(fitted, onFitted.labels, k), k, fitted.d) };
  }
  const limit = p.maxPoints === hierarchicalMaxPoints(matrix.d) && p.maxPoints < DEFAULTS.maxPoints ? `the n² limit at ${matrix.d} features` : undefined;
  const result = extendToAllRows(matrix, sample, fitted, onFitted, nearestCentroid, "assigned to the nearest segment centroid", `Hierarchical clustering (${p.linkage} linkage)`, p.maxPoints, limit);
  renumberByFirstAppearance(result.labels, result.k);
  result.model.sampleIndices = Array.from(sample);
  // The sample's centres, renumbered: the rule that labelled every row outside the sample.
  const sampleLabels = Int32Array.from(sample, (r) => result.labels[r]);
  return { ...result, segmentModel: centroidsModel(segmentCentroids(fitted, sampleLabels, k), k, fitted.d) };
}


/** Raw merges before sorting: slots x < y merged at height h (x dies, y holds the union). */
interface RawMerges {
  x: Int32Array;
  y: Int32Array;
  h: Float64Array;
}

/** Condensed index of pair i < j, as scipy's condensed_index. */
function cidx(n: number, i: number, j: number): number {
  return n * i - (i * (i + 1)) / 2 + j - i - 1;
}

/** Condensed pairwise distances (squared when `squared`), scipy's pdist order. */
function condensed(matrix: FeatureMatrix, squared: boolean): Float64Array {
  const { n, d, data } = matrix;
  const D = new Float64Array((n * (n - 1)) / 2);
  let t = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = sqDist(data, i, data, j, d);
      D[t++] = squared ? s : Math.sqrt(s);
    }
  }
  return D;
}

/**
 * Nearest-neighbour chain, a transcription of scipy's _hierarchy.nn_chain (same tie-breaking:
 * prefer the previous chain element, then the lowest index). D is overwritten.
 */
function nnChain(D: Float64Array, n: number, linkage: Exclude<Linkage, "single">): RawMerges {
  const size = new Int32Array(n).fill(1);
  const chain = new Int32Array(n);
  const out: RawMerges = { x: new Int32Array(n - 1), y: new Int32Array(n - 1), h: new Float64Array(n - 1) };
  let len = 0;
  for (let k = 0; k < n - 1; k++) {
    if (len === 0) {
      let i = 0;
      while (size[i] === 0) i++;
      chain[0] = i;
      len = 1;
    }
    let x = 0;
    let y = -1;
    let current = Infinity;
    for (;;) {
      x = chain[len - 1];
      if (len > 1) {
        y = chain[len - 2];
        current = D[x < y ? cidx(n, x, y) : cidx(n, y, x)];
      } else {
        current = Infinity;
      }
      // Row x of the condensed matrix: entries (i, x) for i < x step by n - i - 2; (x, i) for i > x are contiguous.
      let t = x - 1;
      for (let i = 0; i < x; i++) {
        if (size[i] !== 0 && D[t] < current) {
          current = D[t];
          y = i;
        }
        t += n - i - 2;
      }
      const base = cidx(n, x, x + 1) - (x + 1);
      for (let i = x + 1; i < n; i++) {
        if (size[i] !== 0 && D[base + i] < current) {
          current = D[base + i];
          y = i;
        }
      }
      if (len > 1 && y === chain[len - 2]) break;
      chain[len++] = y;
    }
    len -= 2;
    if (x > y) {
      const s = x;
      x = y;
      y = s;
    }
    const nx = size[x];
    const ny = size[y];
    out.x[k] = x;
    out.y[k] = y;
    out.h[k] = current;
    size[x] = 0;
    size[y] = nx + ny;
    for (let i = 0; i < n; i++) {
      const ni = size[i];
      if (ni === 0 || i === y) continue;
      const ix = i < x ? cidx(n, i, x) : cidx(n, x, i);
      const iy = i < y ? cidx(n, i, y) : cidx(n, y, i);
      if (linkage === "ward") {
        // Lance–Williams for Ward on squared distances.
        D[iy] = ((ni + nx) * D[ix] + (ni + ny) * D[iy] - ni * current) / (nx + ny + ni);
      } else if (linkage === "average") {
        D[iy] = (nx * D[ix] + ny * D[iy]) / (nx + ny);
      } else {
        D[iy] = Math.max(D[ix], D[iy]);
      }
    }
  }
  return out;
}

/** Prim's minimum spanning tree, as scipy's _hierarchy.mst_single_linkage, without a stored matrix. */
function primSingle(matrix: FeatureMatrix): RawMerges {
  const { n, d, data } = matrix;
  const merged = new Uint8Array(n);
  const best = new Float64Array(n).fill(Infinity);
  const out: RawMerges = { x: new Int32Array(n - 1), y: new Int32Array(n - 1), h: new Float64Array(n - 1) };
  let x = 0;
  for (let k = 0; k < n - 1; k++) {
    merged[x] = 1;
    let current = Infinity;
    let y = -1;
    for (let i = 0; i < n; i++) {
      if (merged[i]) continue;
      const dist = Math.sqrt(sqDist(data, x, data, i, d));
      if (best[i] > dist) best[i] = dist;
      if (best[i] < current) {
        current = best[i];
        y = i;
      }
    }
    out.x[k] = x;
    out.y[k] = y;
    out.h[k] = current;
    x = y;
  }
  return out;
}

/**
 * Stable sort by height, then renumber clusters as scipy's `label`: merge i creates id n + i, and
 * each row holds the two current cluster ids, smaller first.
 */
function relabel(raw: RawMerges, n: number): Merge[] {
  const order = Array.from({ length: n - 1 }, (_, i) => i).sort((p, q) => raw.h[p] - raw.h[q] || p - q);
  const parent = Int32Array.from({ length: 2 * n - 1 }, (_, i) => i);
  const size = new Int32Array(2 * n - 1).fill(1);
  const find = (x: number): number => {
    let root = x;
    while (parent[root] !== root) root = parent[root];
    while (parent[x] !== root) {
      const next = parent[x];
      parent[x] = root;
      x = next;
    }
    return root;
  };
  const merges: Merge[] = [];
  for (let m = 0; m < n - 1; m++) {
    const i = order[m];
    const rx = find(raw.x[i]);
    const ry = find(raw.y[i]);
    const id = n + m;
    parent[rx] = id;
    parent[ry] = id;
    size[id] = size[rx] + size[ry];
    merges.push({ a: Math.min(rx, ry), b: Math.max(rx, ry), height: raw.h[i], size: size[id] });
  }
  return merges;
}
