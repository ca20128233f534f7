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
 * as the dimension grows (the boxes stop pruning).
 * Above maxPoints rows the fit runs on a seeded sample; every other row takes the cluster of a
 * sample core point within eps, or is noise (sampleAndAssign.ts); a note says so.
 */
import { checkParam } from "../errors.ts";
import type { FeatureMatrix } from "../matrix.ts";
import { selectRows } from "../matrix.ts";
import type { Rng } from "../rng.ts";
import { fitOnSample, fmt } from "./sampleAndAssign.ts";
import { withDefaults } from "./params.ts";
import type { ClusterResult, Clusterer } from "./types.ts";

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
export function suggestEps(matrix: FeatureMatrix, minPoints: number, rng: Rng): EpsSuggestion {
  const { n, d, data } = matrix;
  if (n === 0) return { eps: 1, kDistances: [] };
  const queries = n > SUGGEST_SAMPLE ? rng.sampleIndices(n, SUGGEST_SAMPLE) : Int32Array.from({ length: n }, (_, i) => i);
  const tree = new KdTree(data, n, d);
  const k = Math.min(Math.max(1, minPoints), n);
  const curve = new Float64Array(queries.length);
  for (let q = 0; q < queries.length; q++) curve[q] = Math.sqrt(tree.kthNearestSq(data, queries[q] * d, k));
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

interface DbscanFit extends ClusterResult {
  /** core[i] = 1 when fitted row i is a core point. */
  core: Uint8Array;
}

/** DBSCAN on all rows of `matrix` (see module comment for the labelling rule). */
export function dbscanLabels(matrix: FeatureMatrix, eps: number, minPoints: number): { labels: Int32Array; k: number; core: Uint8Array } {
  const { n, d, data } = matrix;
  const tree = new KdTree(data, n, d);
  const r2 = eps * eps;
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
    const { result } = fitOnSample(
      matrix,
      p.maxPoints,
      rng,
      fitAll,
      nearestCoreWithinEps,
      "given the cluster of a sample core point within eps, or marked noise when none is that close",
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
    const { core: _core, ...plain } = result;
    return { ...plain, model: { ...result.model, noiseRows } };
  }
};

/**
 * Assigner for rows outside the sample: the cluster of a sample core point within eps (the first
 * the k-d tree finds, nearer boxes first), else noise. Any such core makes the row
 * density-reachable; where cores of two clusters are within eps the row is a border row, which
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
  return (data, row) => {
    const best = tree.anyWithin(data, row * d, r2);
    return best < 0 ? -1 : fitted.labels[coreRows[best]];
  };
}


/** Rows per k-d tree leaf. */
const LEAF_SIZE = 32;

/**
 * Static k-d tree over n points of dimension d for exact radius and k-nearest queries.
 * Query points are given as (array, offset) so rows of any matrix with the same d can be used.
 */
class KdTree {
  private readonly d: number;
  /** Points copied in tree order, so leaves are contiguous. */
  private readonly points: Float64Array;
  /** Original row of each point in tree order. */
  private readonly rows: Int32Array;
  private readonly start: number[] = [];
  private readonly end: number[] = [];
  /** Child node ids; -1 marks a leaf. */
  private readonly left: number[] = [];
  private readonly right: number[] = [];
  private readonly parent: number[] = [];
  /** Bounding boxes, d values per node. */
  private readonly lo: number[] = [];
  private readonly hi: number[] = [];
  /** Removal bookkeeping: tree position of each row, removed flag per position, points left per node. */
  private readonly positionOf: Int32Array;
  private readonly removed: Uint8Array;
  private readonly remaining: Int32Array;
  private readonly leafOf: Int32Array;

  constructor(data: Float64Array, n: number, d: number) {
    this.d = d;
    this.rows = Int32Array.from({ length: n }, (_, i) => i);
    if (n > 0) this.build(data, 0, n, -1);
    this.points = new Float64Array(n * d);
    this.positionOf = new Int32Array(n);
    for (let t = 0; t < n; t++) {
      this.points.set(data.subarray(this.rows[t] * d, this.rows[t] * d + d), t * d);
      this.positionOf[this.rows[t]] = t;
    }
    this.removed = new Uint8Array(n);
    this.remaining = new Int32Array(this.start.length);
    this.leafOf = new Int32Array(n);
    for (let node = 0; node < this.start.length; node++) {
      this.remaining[node] = this.end[node] - this.start[node];
      if (this.left[node] < 0) this.leafOf.fill(node, this.start[node], this.end[node]);
    }
  }

  /**
   * Hides a row from forEachWithin. DBSCAN removes rows once labelled, so expanding a cluster
   * skips whole subtrees already claimed instead of re-measuring them.
   */
  remove(row: number): void {
    const t = this.positionOf[row];
    if (this.removed[t]) return;
    this.removed[t] = 1;
    for (let node = this.leafOf[t]; node >= 0; node = this.parent[node]) this.remaining[node]--;
  }

  private build(data: Float64Array, s: number, e: number, parent: number): number {
    const { d, rows } = this;
    const node = this.start.length;
    this.start.push(s);
    this.end.push(e);
    this.left.push(-1);
    this.right.push(-1);
    this.parent.push(parent);
    let widest = 0;
    let widestSpan = -1;
    for (let j = 0; j < d; j++) {
      let min = Infinity;
      let max = -Infinity;
      for (let t = s; t < e; t++) {
        const v = data[rows[t] * d + j];
        if (v < min) min = v;
        if (v > max) max = v;
      }
      this.lo.push(min);
      this.hi.push(max);
      if (max - min > widestSpan) {
        widestSpan = max - min;
        widest = j;
      }
    }
    if (e - s <= LEAF_SIZE || widestSpan <= 0) return node;
    const mid = (s + e) >> 1;
    select(data, rows, d, widest, s, e - 1, mid);
    const l = this.build(data, s, mid, node);
    const r = this.build(data, mid, e, node);
    this.left[node] = l;
    this.right[node] = r;
    return node;
  }

  /** Squared distance from the query to the farthest corner of the box of the last `near` call. */
  private far = 0;

  /** Squared distance from the query to node's box (0 inside); also sets `far`. */
  private near(node: number, q: Float64Array, off: number): number {
    const { d, lo, hi } = this;
    let near = 0;
    let far = 0;
    for (let j = 0; j < d; j++) {
      const v = q[off + j];
      const a = lo[node * d + j];
      const b = hi[node * d + j];
      if (v < a) near += (a - v) * (a - v);
      else if (v > b) near += (v - b) * (v - b);
      const f = v - a > b - v ? v - a : b - v;
      far += f * f;
    }
    this.far = far;
    return near;
  }

  private sq(q: Float64Array, off: number, t: number): number {
    const { d, points } = this;
    let s = 0;
    for (let j = 0; j < d; j++) {
      const diff = q[off + j] - points[t * d + j];
      s += diff * diff;
    }
    return s;
  }

  /** Squared distance, or some value > r2 as soon as the partial sum exceeds r2. */
  private sqUpTo(q: Float64Array, off: number, t: number, r2: number): number {
    const { d, points } = this;
    let s = 0;
    for (let j = 0; j < d && s <= r2; j++) {
      const diff = q[off + j] - points[t * d + j];
      s += diff * diff;
    }
    return s;
  }

  /** Calls visit(row, squaredDistance) for every point not removed with squared distance ≤ r2. */
  forEachWithin(q: Float64Array, off: number, r2: number, visit: (row: number, dist2: number) => void): void {
    if (this.start.length === 0) return;
    const stack = [0];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (this.remaining[node] === 0 || this.near(node, q, off) > r2) continue;
      const inside = this.far <= r2;
      if (!inside && this.left[node] >= 0) {
        stack.push(this.right[node], this.left[node]);
        continue;
      }
      for (let t = this.start[node]; t < this.end[node]; t++) {
        if (this.removed[t]) continue;
        const s = inside ? this.sq(q, off, t) : this.sqUpTo(q, off, t, r2);
        if (inside || s <= r2) visit(this.rows[t], s);
      }
    }
  }

  /** Number of points (removed ones included) with squared distance ≤ r2; counting stops once it reaches `limit`. */
  countWithin(q: Float64Array, off: number, r2: number, limit: number): number {
    if (this.start.length === 0) return 0;
    let count = 0;
    const stack = [0];
    while (stack.length > 0 && count < limit) {
      const node = stack.pop()!;
      if (this.near(node, q, off) > r2) continue;
      if (this.far <= r2) {
        count += this.end[node] - this.start[node];
        continue;
      }
      if (this.left[node] >= 0) {
        stack.push(this.right[node], this.left[node]);
        continue;
      }
      for (let t = this.start[node]; t < this.end[node]; t++) if (this.sqUpTo(q, off, t, r2) <= r2) count++;
    }
    return count;
  }

  /**
   * A point with squared distance ≤ r2, or -1: the first found, searching the nearer box first.
   * Stops at the first hit, so a query inside a cluster costs about one leaf; a full nearest-
   * neighbour search in 8-D visits most of the tree (30 µs a query, 30 s for 1M rows).
   */
  anyWithin(q: Float64Array, off: number, r2: number): number {
    const visit = (node: number): number => {
      if (this.left[node] < 0) {
        for (let t = this.start[node]; t < this.end[node]; t++) if (this.sqUpTo(q, off, t, r2) <= r2) return this.rows[t];
        return -1;
      }
      const l = this.left[node];
      const r = this.right[node];
      const dl = this.near(l, q, off);
      const dr = this.near(r, q, off);
      const [first, dFirst, second, dSecond] = dl <= dr ? [l, dl, r, dr] : [r, dr, l, dl];
      const hit = dFirst <= r2 ? visit(first) : -1;
      return hit >= 0 || dSecond > r2 ? hit : visit(second);
    };
    return this.start.length > 0 ? visit(0) : -1;
  }

  /** Squared distance to the k-th nearest point (k ≥ 1; a query that is itself a point counts at distance 0). */
  kthNearestSq(q: Float64Array, off: number, k: number): number {
    const best = new Float64Array(k).fill(Infinity); // ascending
    const visit = (node: number): void => {
      if (this.left[node] < 0) {
        for (let t = this.start[node]; t < this.end[node]; t++) {
          const s = this.sq(q, off, t);
          if (s < best[k - 1]) {
            let j = k - 1;
            while (j > 0 && best[j - 1] > s) {
              best[j] = best[j - 1];
              j--;
            }
            best[j] = s;
          }
        }
        return;
      }
      const l = this.left[node];
      const r = this.right[node];
      const dl = this.near(l, q, off);
      const dr = this.near(r, q, off);
      const [first, dFirst, second, dSecond] = dl <= dr ? [l, dl, r, dr] : [r, dr, l, dl];
      if (dFirst <= best[k - 1]) visit(first);
      if (dSecond <= best[k - 1]) visit(second);
    };
    if (this.start.length > 0) visit(0);
    return best[k - 1];
  }
}

/** Quickselect: reorders rows[lo..hi] so rows[kth] has the kth smallest value in column `dim`. */
function select(data: Float64Array, rows: Int32Array, d: number, dim: number, lo: number, hi: number, kth: number): void {
  while (hi > lo) {
    const pivot = data[rows[(lo + hi) >> 1] * d + dim];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (data[rows[i] * d + dim] < pivot) i++;
      while (data[rows[j] * d + dim] > pivot) j--;
      if (i <= j) {
        const t = rows[i];
        rows[i] = rows[j];
        rows[j] = t;
        i++;
        j--;
      }
    }
    if (kth <= j) hi = j;
    else if (kth >= i) lo = i;
    else return;
  }
}
