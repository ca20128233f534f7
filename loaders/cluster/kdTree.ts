/**
 * Exact neighbour search for DBSCAN and for assigning rows to a density model: a static k-d tree
 * (median splits on the widest dimension, bounding boxes for pruning), O(n) memory.
 */
/** Rows per k-d tree leaf. */
const LEAF_SIZE = 32;

/**
 * Static k-d tree over n points of dimension d for exact radius and k-nearest queries.
 * Query points are given as (array, offset) so rows of any matrix with the same d can be used.
 */
export class KdTree {
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
    this.rows = new Int32Array(n);
    for (let i = 0; i < n; i++) this.rows[i] = i;
    // Points move with their rows while the tree is built, so each node reads a contiguous range:
    // reading rows scattered through the data made a tree on 2M rows take 6 s instead of 1.
    this.points = data.slice(0, n * d);
    if (n > 0) this.build(0, n, -1);
    this.positionOf = new Int32Array(n);
    for (let t = 0; t < n; t++) this.positionOf[this.rows[t]] = t;
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

  private build(s: number, e: number, parent: number): number {
    const { d, points } = this;
    const node = this.start.length;
    this.start.push(s);
    this.end.push(e);
    this.left.push(-1);
    this.right.push(-1);
    this.parent.push(parent);
    const min = new Float64Array(d).fill(Infinity);
    const max = new Float64Array(d).fill(-Infinity);
    for (let t = s; t < e; t++) {
      for (let j = 0; j < d; j++) {
        const v = points[t * d + j];
        if (v < min[j]) min[j] = v;
        if (v > max[j]) max[j] = v;
      }
    }
    let widest = 0;
    let widestSpan = -1;
    for (let j = 0; j < d; j++) {
      this.lo.push(min[j]);
      this.hi.push(max[j]);
      if (max[j] - min[j] > widestSpan) {
        widestSpan = max[j] - min[j];
        widest = j;
      }
    }
    if (e - s <= LEAF_SIZE || widestSpan <= 0) return node;
    const mid = (s + e) >> 1;
    select(points, this.rows, d, widest, s, e - 1, mid);
    const l = this.build(s, mid, node);
    const r = this.build(mid, e, node);
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
   * The nearest point with squared distance ≤ r2, or -1 (ties: the first found). The radius
   * bounds the search, so it never visits a box farther than r2.
   */
  nearestWithin(q: Float64Array, off: number, r2: number): number {
    let best = -1;
    let bestSq = r2;
    this.searchLeaves(q, off, () => bestSq, (node) => {
      for (let t = this.start[node]; t < this.end[node]; t++) {
        const s = this.sqUpTo(q, off, t, bestSq);
        if (s < bestSq || (best < 0 && s <= bestSq)) {
          best = this.rows[t];
          bestSq = s;
        }
      }
    });
    return best;
  }

  /**
   * The label of the nearest point with squared distance ≤ r2, or -1 when none is that close.
   * A point within its own settling radius of the query (`settle`, from settleRadii) answers at
   * once: no point of another label is as near. Otherwise one radius search learns whether the
   * points within r2 all carry one label, skipping every box whose points all carry the label
   * already seen (`pure`, from pureLabels): inside a segment that is every box, so a query costs
   * a few leaves. Only when two labels are within r2 (a border point) does it look for the
   * nearest one (nearestWithin), whose label it returns.
   */
  nearestLabelWithin(q: Float64Array, off: number, r2: number, labels: ArrayLike<number>, pure: Int32Array, settle: Float64Array): number {
    let label = -1;
    let mixed = false;
    let settled = false;
    let nearestSq = r2;
    this.searchLeaves(
      q,
      off,
      () => r2,
      (node) => {
        for (let t = this.start[node]; t < this.end[node] && !mixed; t++) {
          const s = this.sqUpTo(q, off, t, r2);
          if (s > r2) continue;
          const l = labels[this.rows[t]];
          if (s < settle[t]) {
            label = l;
            settled = true;
            return;
          }
          if (s < nearestSq) nearestSq = s;
          if (label === -1) label = l;
          else if (l !== label) mixed = true;
        }
      },
      (node) => settled || mixed || (label !== -1 && pure[node] === label)
    );
    // The nearest point is no farther than the nearest seen so far: searching within that radius
    // prunes far more and finds the same point (boxes that could hold it are never pruned, and
    // leaves are visited in the same order, so ties go to the same point).
    return mixed ? labels[this.nearestWithin(q, off, nearestSq)] : label;
  }

  /**
   * Per point (in tree order), for nearestLabelWithin with radius² r2: the squared distance below
   * which this point alone settles a query. If the nearest point of another label is ρ away, a
   * query within δ < ρ / 2 has every point as near as δ in this point's label, so the nearest
   * point within r2 carries it; the radius is (ρ / 2)², ρ capped at 2√r2 (enough for any query
   * within r2), less a relative margin far above rounding. Cost: one bounded search per point.
   */
  settleRadii(labels: ArrayLike<number>, pure: Int32Array, r2: number): Float64Array {
    const n = this.rows.length;
    const settle = new Float64Array(n);
    const cap = 4 * r2;
    for (let t = 0; t < n; t++) {
      const own = labels[this.rows[t]];
      let bestSq = cap;
      this.searchLeaves(
        this.points,
        t * this.d,
        () => bestSq,
        (node) => {
          for (let u = this.start[node]; u < this.end[node]; u++) {
            if (labels[this.rows[u]] === own) continue;
            const s = this.sqUpTo(this.points, t * this.d, u, bestSq);
            if (s < bestSq) bestSq = s;
          }
        },
        (node) => pure[node] === own
      );
      settle[t] = (bestSq / 4) * (1 - 1e-9);
    }
    return settle;
  }

  /** Per node, the label every point below it carries, or -2 when they differ (see nearestLabelWithin). */
  pureLabels(labels: ArrayLike<number>): Int32Array {
    const pure = new Int32Array(this.start.length);
    for (let node = this.start.length - 1; node >= 0; node--) {
      // Children are created after their parent, so a reverse scan sees them first.
      if (this.left[node] >= 0) {
        const a = pure[this.left[node]];
        pure[node] = a === pure[this.right[node]] ? a : -2;
      } else {
        let label = this.end[node] > this.start[node] ? labels[this.rows[this.start[node]]] : -2;
        for (let t = this.start[node] + 1; t < this.end[node] && label !== -2; t++) if (labels[this.rows[t]] !== label) label = -2;
        pure[node] = label;
      }
    }
    return pure;
  }

  /** Squared distance to the k-th nearest point (k ≥ 1; a query that is itself a point counts at distance 0). */
  kthNearestSq(q: Float64Array, off: number, k: number): number {
    const best = new Float64Array(k).fill(Infinity); // ascending
    this.searchLeaves(q, off, () => best[k - 1], (node) => {
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
    });
    return best[k - 1];
  }

  /**
   * Branch and bound: visits leaves depth first, the nearer child first, skipping every box
   * farther than `bound()` (read again after each leaf, as the search tightens it) and every
   * node `skip` rules out.
   */
  private searchLeaves(q: Float64Array, off: number, bound: () => number, leaf: (node: number) => void, skip: (node: number) => boolean = () => false): void {
    const visit = (node: number): void => {
      if (skip(node)) return;
      if (this.left[node] < 0) return leaf(node);
      const l = this.left[node];
      const r = this.right[node];
      const dl = this.near(l, q, off);
      const dr = this.near(r, q, off);
      // Two branches rather than a swap through an array: this runs for every node visited.
      if (dl <= dr) {
        if (dl <= bound()) visit(l);
        if (dr <= bound()) visit(r);
      } else {
        if (dr <= bound()) visit(r);
        if (dl <= bound()) visit(l);
      }
    };
    if (this.start.length > 0) visit(0);
  }
}

/** Quickselect on dimension `dim` of points[lo..hi] (rows and their points swapped together). */
function select(points: Float64Array, rows: Int32Array, d: number, dim: number, lo: number, hi: number, kth: number): void {
  while (hi > lo) {
    const pivot = points[((lo + hi) >> 1) * d + dim];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (points[i * d + dim] < pivot) i++;
      while (points[j * d + dim] > pivot) j--;
      if (i <= j) {
        const t = rows[i];
        rows[i] = rows[j];
        rows[j] = t;
        for (let c = 0; c < d; c++) {
          const v = points[i * d + c];
          points[i * d + c] = points[j * d + c];
          points[j * d + c] = v;
        }
        i++;
        j--;
      }
    }
    if (kth <= j) hi = j;
    else if (kth >= i) lo = i;
    else return;
  }
}
