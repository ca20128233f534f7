/**
 * DBSCAN, with the same labels as sklearn.cluster.DBSCAN(eps, min_samples=minPoints): a row is a
 * core point when at least minPoints rows (itself included) lie within distance ≤ eps; clusters
 * are numbered in order of discovery scanning rows by index; rows reached by no core point are
 * noise, labelled -1. A border row near two clusters goes to the one discovered first, as in sklearn.
 *
 * Neighbour search is exact, through a k-d tree (median splits on the widest dimension, bounding
 * boxes for pruning): O(n) memory. Core points are found first (counting stops at minPoints), then
 * clusters grow from them; rows leave the tree once labelled, so later searches skip them. Time is
 * near O(n log n) for a small eps and tends to O(n²) as eps approaches the spread of the data, and
 * as the dimension grows (the boxes stop pruning). Above SCAN_ABOVE_FEATURES features, where the
 * tree costs more than a scan, core points come from every row's k-distance (one O(n²d) scan,
 * shared by the eps suggestion and every eps of the grid) and clusters grow by scanning the rows
 * not yet labelled (scanNeighbours.ts); the labels are the tree's.
 * Above maxPoints rows the fit runs on a seeded sample; every other row takes the cluster of the
 * nearest sample core point within eps, or is noise (sampleAndAssign.ts); a note says so.
 */
import { checkParam } from "../errors.ts";
import type { FeatureMatrix } from "../matrix.ts";
import { selectRows } from "../matrix.ts";
import type { Rng } from "../rng.ts";
import { fitOnSample, fmt } from "./sampleAndAssign.ts";
import { withDefaults } from "./params.ts";
import type { ClusterResult, Clusterer, FittedLabels } from "./types.ts";
import { densityModel } from "./segmentModel.ts";
import { KdTree } from "./kdTree.ts";
import { expandByScan, kthNearestSqAll, kthNearestSqOf, SCAN_ABOVE_FEATURES } from "./scanNeighbours.ts";

/** How DBSCAN finds neighbours: a k-d tree, or scanning rows (above SCAN_ABOVE_FEATURES features). */
export type NeighbourSearch = "tree" | "scan";

export function neighbourSearch(d: number): NeighbourSearch {
  return d > SCAN_ABOVE_FEATURES ? "scan" : "tree";
}

export interface DbscanParams {
  /** Neighbourhood radius (Euclidean). Omitted: taken from the k-distance knee (suggestEps). */
  eps?: number;
  /** sklearn's min_samples: neighbours within eps, counting the row itself, that make a core point. */
  minPoints: number;
  /** Row limit for the fit; above it, fit a sample (see module comment). */
  maxPoints: number;
}

/** Rows whose k-distance is computed by suggestEps; their neighbours are searched among all rows. */
const SUGGEST_SAMPLE = 2000;
/** Points drawn in the k-distance picture. */
const CURVE_POINTS = 200;

export interface EpsSuggestion {
  eps: number;
  /** Sorted k-distances, down-sampled to ≤ 200 evenly spaced ranks (first and last kept), for a picture. */
  kDistances: number[];
}

/**
 * Suggests eps from the k-distance curve: each row's distance to its minPoints-th nearest row,
 * counting itself (as sklearn's min_samples), sorted ascending. For n > 2,000 the curve is computed
 * for a seeded sample of 2,000 rows (neighbours still searched among all rows, so the density is
 * that of `matrix`). The knee is the point farthest below the chord joining the curve's ends, with
 * both axes scaled to [0, 1] — the maximum of Kneedle's difference curve, without its threshold rule.
 */
export function suggestEps(matrix: FeatureMatrix, minPoints: number, rng: Rng, search = neighbourSearch(matrix.d)): EpsSuggestion {
  const { n, d, data } = matrix;
  if (n === 0) return { eps: 1, kDistances: [] };
  const queries = n > SUGGEST_SAMPLE ? rng.sampleIndices(n, SUGGEST_SAMPLE) : Int32Array.from({ length: n }, (_, i) => i);
  const k = Math.min(Math.max(1, minPoints), n);
  const curve = new Float64Array(queries.length);
  if (search === "scan" && n <= DEFAULTS.maxPoints) {
    // Every row's k-distance, which the grid's DBSCAN runs (fitted on all rows) then reuse.
    const all = kthNearestSqAll(matrix, k);
    for (let q = 0; q < queries.length; q++) curve[q] = Math.sqrt(all[queries[q]]);
  } else if (search === "scan") {
    const some = kthNearestSqOf(matrix, queries, k);
    for (let q = 0; q < queries.length; q++) curve[q] = Math.sqrt(some[q]);
  } else {
    const tree = new KdTree(data, n, d);
    for (let q = 0; q < queries.length; q++) curve[q] = Math.sqrt(tree.kthNearestSq(data, queries[q] * d, k));
  }
  curve.sort();

  const m = curve.length;
  const lo = curve[0];
  const span = curve[m - 1] - lo;
  let knee = m - 1;
  if (span > 0) {
    let bestGap = -Infinity;
    for (let i = 0; i < m; i++) {
      const gap = (m > 1 ? i / (m - 1) : 0) - (curve[i] - lo) / span;
      if (gap > bestGap) {
        bestGap = gap;
        knee = i;
      }
    }
  }
  let eps = curve[knee];
  // A zero knee (many duplicate rows) is no radius: take the smallest positive k-distance instead.
  if (!(eps > 0)) eps = curve.find((v) => v > 0) ?? 1e-12;

  const kDistances: number[] = [];
  if (m <= CURVE_POINTS) kDistances.push(...curve);
  else for (let j = 0; j < CURVE_POINTS; j++) kDistances.push(curve[Math.round((j * (m - 1)) / (CURVE_POINTS - 1))]);
  return { eps, kDistances };
}

interface DbscanFit extends FittedLabels {
  /** core[i] = 1 when fitted row i is a core point. */
  core: Uint8Array;
}

/** DBSCAN on all rows of `matrix` (see module comment for the labelling rule). */
export function dbscanLabels(
  matrix: FeatureMatrix,
  eps: number,
  minPoints: number,
  search = neighbourSearch(matrix.d)
): { labels: Int32Array; k: number; core: Uint8Array } {
  const { n, d, data } = matrix;
  const r2 = eps * eps;
  if (search === "scan") {
    const kth = kthNearestSqAll(matrix, minPoints);
    const core = Uint8Array.from(kth, (s) => (s <= r2 ? 1 : 0));
    return { ...expandByScan(matrix, r2, core), core };
  }
  const tree = new KdTree(data, n, d);
  const core = new Uint8Array(n);
  for (let i = 0; i < n; i++) core[i] = tree.countWithin(data, i * d, r2, minPoints) >= minPoints ? 1 : 0;

  // Rows are labelled when first reached and only core rows are expanded, so each row enters the
  // stack at most once; the clusters equal sklearn's depth-first expansion.
  const labels = new Int32Array(n).fill(-1);
  const stack = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== -1 || !core[i]) continue;
    let top = 0;
    labels[i] = k;
    tree.remove(i);
    stack[top++] = i;
    while (top > 0) {
      const p = stack[--top];
      tree.forEachWithin(data, p * d, r2, (v) => {
        if (labels[v] === -1) {
          labels[v] = k;
          tree.remove(v);
          if (core[v]) stack[top++] = v;
        }
      });
    }
    k++;
  }
  return { labels, k, core };
}

const DEFAULTS: DbscanParams = { minPoints: 5, maxPoints: 20000 };

export const dbscan: Clusterer<DbscanParams> = {
  name: "dbscan",
  defaults: DEFAULTS,
  fit(matrix: FeatureMatrix, params: Partial<DbscanParams>, rng: Rng): ClusterResult {
    const p = withDefaults(DEFAULTS, params);
    if (p.eps !== undefined) checkParam(typeof p.eps === "number" && Number.isFinite(p.eps) && p.eps > 0, "eps", p.eps, "a number > 0");
    checkParam(Number.isInteger(p.minPoints) && p.minPoints >= 1, "minPoints", p.minPoints, "an integer ≥ 1");
    checkParam(Number.isInteger(p.maxPoints) && p.maxPoints >= 2, "maxPoints", p.maxPoints, "an integer ≥ 2");

    const fitAll = (m: FeatureMatrix): DbscanFit => {
      const notes: string[] = [];
      let eps = p.eps;
      let kDistances: number[] | null = null;
      if (eps === undefined) {
        const s = suggestEps(m, p.minPoints, rng);
        eps = s.eps;
        kDistances = s.kDistances;
        notes.push(
          `DBSCAN eps = ${eps.toPrecision(4)} was taken from the knee of the k-distance curve ` +
            `(the distance from each row to the farthest of its minPoints = ${p.minPoints} nearest rows, itself included); set eps to override`
        );
      }
      const { labels, k, core } = dbscanLabels(m, eps, p.minPoints);
      let coreRows = 0;
      for (let i = 0; i < m.n; i++) coreRows += core[i];
      return {
        labels,
        k,
        notes,
        core,
        model: { eps, minPoints: p.minPoints, epsSuggested: p.eps === undefined, kDistances, coreRows, fittedRows: m.n }
      };
    };
    const { result, sample } = fitOnSample(
      matrix,
      p.maxPoints,
      rng,
      fitAll,
      nearestCoreWithinEps,
      "given the cluster of the nearest sample core point within eps, or marked noise when none is that close",
      "DBSCAN"
    );

    let noiseRows = 0;
    for (let i = 0; i < matrix.n; i++) if (result.labels[i] < 0) noiseRows++;
    const eps = result.model.eps as number;
    if (result.k === 0 && matrix.n > 0) {
      result.notes.push(`DBSCAN found no clusters: every row is noise at eps = ${eps.toPrecision(4)}; increase eps or lower minPoints`);
    } else if (noiseRows > 0) {
      result.notes.push(`DBSCAN marked ${fmt(noiseRows)} of ${fmt(matrix.n)} rows (${((100 * noiseRows) / matrix.n).toFixed(1)}%) as noise (label -1)`);
    }
    const { core, ...plain } = result;
    const coreRows: number[] = [];
    for (let i = 0; i < core.length; i++) if (core[i]) coreRows.push(sample ? sample[i] : i);
    return { ...plain, model: { ...result.model, noiseRows }, segmentModel: densityModel(matrix, coreRows, result.labels, eps) };
  }
};

/**
 * Assigner for rows outside the sample: the cluster of the nearest sample core point within eps,
 * else noise, the rule of the density segment model (segmentModel.ts). Any such core makes the
 * row density-reachable; where cores of two clusters are within eps the row is a border row, which
 * DBSCAN itself gives to whichever cluster reaches it first.
 */
function nearestCoreWithinEps(fitted: DbscanFit, sample: FeatureMatrix): (data: Float64Array, row: number) => number {
  const eps = fitted.model.eps as number;
  const coreRows: number[] = [];
  for (let i = 0; i < sample.n; i++) if (fitted.core[i]) coreRows.push(i);
  const cores = selectRows(sample, coreRows);
  const tree = new KdTree(cores.data, cores.n, cores.d);
  const r2 = eps * eps;
  const { d } = sample;
  const coreLabels = Int32Array.from(coreRows, (r) => fitted.labels[r]);
  const pure = tree.pureLabels(coreLabels);
  const settle = tree.settleRadii(coreLabels, pure, r2);
  return (data, row) => tree.nearestLabelWithin(data, row * d, r2, coreLabels, pure, settle);
}


