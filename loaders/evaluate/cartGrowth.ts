/**
 * Grows a Gini classification tree (CART: Breiman, Friedman, Olshen & Stone 1984) by the rules
 * of ml-cart 2.1.1's TreeNode.train, which our trees used to come from:
 * - a node with minNumSamples rows or fewer is a leaf;
 * - candidate thresholds, per feature in column order: rows sorted by value (ties in row order),
 *   the midpoint of every neighbouring pair with different labels, ascending; rows with
 *   value < threshold go left;
 * - gain = Gini(node) − Σ side share × Gini(side); the first strictly largest gain wins;
 * - the node splits only if depth < maxDepth, gain > gainThreshold, gain ≠ the parent's gain
 *   (an ml-cart quirk, kept so trees stay the same) and both sides have rows; else it is a leaf
 *   predicting the first class with the most rows.
 * Gini is computed from class counts (ml-cart sums 1/n per row, which can differ in the last
 * bit), so trees are ml-cart's up to floating-point ties.
 *
 * ml-cart re-partitions every row for every candidate, O(n²) per feature and node. Here each
 * feature's rows are sorted once (counting sort on value ranks, so ties keep row order) and a
 * node owns one contiguous range of every feature's sorted list: a split partitions those ranges
 * stably, so children inherit sorted order, and one sweep per feature scores all candidates.
 */
import type { CartModel, CartNode } from "./cart.ts";

/** A feature column with each row's rank among the column's distinct values. */
export interface RankedColumn {
  values: Float64Array;
  /** rank[i] = number of distinct values below values[i]. */
  rank: Int32Array;
  distinct: number;
}

/** Ranks a column (no NaN: they have no order). */
export function rankColumn(values: Float64Array): RankedColumn {
  const n = values.length;
  const unique = Float64Array.from(values).sort();
  let distinct = 0;
  for (let i = 0; i < n; i++) if (i === 0 || unique[i] !== unique[distinct - 1]) unique[distinct++] = unique[i];
  const rank = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let lo = 0;
    let hi = distinct - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (unique[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    rank[i] = lo;
  }
  return { values, rank, distinct };
}

/** Rows `rows` of a ranked column (repeats allowed, as in a bootstrap sample), ranks kept. */
export function columnRows(column: RankedColumn, rows: Int32Array): RankedColumn {
  // A plain loop: TypedArray.from with a mapping function took 2.8 s of a 3.9 s forest.
  const values = new Float64Array(rows.length);
  const rank = new Int32Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    values[r] = column.values[rows[r]];
    rank[r] = column.rank[rows[r]];
  }
  return { values, rank, distinct: column.distinct };
}

/** Gini impurity of class counts summing to n. */
export function gini(counts: ArrayLike<number>, n: number): number {
  if (n === 0) return 0;
  let s = 0;
  for (let c = 0; c < counts.length; c++) s += (counts[c] / n) * (counts[c] / n);
  return 1 - s;
}

/**
 * The tree for rows 0..n-1 of `columns` (split features are indices into `columns`) with class
 * codes 0..m-1 in `codes`.
 */
export function growCart(columns: readonly RankedColumn[], codes: Int32Array, m: number, params: CartModel["options"]): CartNode {
  const n = codes.length;
  const d = columns.length;
  const maxDepth = params.maxDepth ?? Infinity;
  // sorted[f * n + k]: rows by ascending value of feature f, ties in row order.
  const sorted = new Int32Array(d * n);
  for (let f = 0; f < d; f++) {
    const { rank, distinct } = columns[f];
    const start = new Int32Array(distinct + 1);
    for (let i = 0; i < n; i++) start[rank[i] + 1]++;
    for (let r = 0; r < distinct; r++) start[r + 1] += start[r];
    for (let i = 0; i < n; i++) sorted[f * n + start[rank[i]]++] = i;
  }
  const goesLeft = new Uint8Array(n);
  const rightRows = new Int32Array(n);
  const lesser = new Float64Array(m);
  const greater = new Float64Array(m);

  const grow = (lo: number, hi: number, counts: Float64Array, depth: number, parentGain: number): CartNode => {
    const size = hi - lo;
    if (size <= params.minNumSamples) return leaf(counts, size);
    const parentGini = gini(counts, size);
    let bestGain = -Infinity;
    let bestFeature = -1;
    let bestValue = NaN;
    let bestLeft = 0;
    const leftCounts = new Float64Array(m);
    let kinds = 0;
    for (let c = 0; c < m; c++) if (counts[c] > 0) kinds++;
    // A pure node has no neighbours with different labels, hence no candidates.
    for (let f = 0; f < d && kinds > 1; f++) {
      const x = columns[f].values;
      const base = f * n;
      lesser.fill(0);
      let nLesser = 0;
      let q = lo; // rows sorted[base + lo .. base + q) have value < the current candidate
      let previous = NaN;
      for (let p = lo + 1; p < hi; p++) {
        const a = sorted[base + p - 1];
        const b = sorted[base + p];
        if (codes[a] === codes[b]) continue;
        const v = (x[a] + x[b]) / 2;
        if (v === previous) continue; // same partition as the last candidate: cannot win on ">"
        previous = v;
        while (q < hi && x[sorted[base + q]] < v) {
          lesser[codes[sorted[base + q]]]++;
          nLesser++;
          q++;
        }
        for (let c = 0; c < m; c++) greater[c] = counts[c] - lesser[c];
        const nGreater = size - nLesser;
        const gain = parentGini - ((gini(greater, nGreater) * nGreater) / size + (gini(lesser, nLesser) * nLesser) / size);
        if (gain > bestGain) {
          bestGain = gain;
          bestFeature = f;
          bestValue = v;
          bestLeft = nLesser;
          leftCounts.set(lesser);
        }
      }
    }
    if (!(depth < maxDepth && bestGain > params.gainThreshold && bestGain !== parentGain && bestLeft > 0 && bestLeft < size)) {
      return leaf(counts, size);
    }
    const x = columns[bestFeature].values;
    for (let k = lo; k < hi; k++) {
      const i = sorted[bestFeature * n + k];
      goesLeft[i] = x[i] < bestValue ? 1 : 0;
    }
    // Stable partition of every feature's range, so both children stay sorted.
    for (let f = 0; f < d; f++) {
      const base = f * n;
      let l = base + lo;
      let r = 0;
      for (let k = base + lo; k < base + hi; k++) {
        const i = sorted[k];
        if (goesLeft[i]) sorted[l++] = i;
        else rightRows[r++] = i;
      }
      sorted.set(rightRows.subarray(0, r), l);
    }
    const rightCounts = counts.map((v, c) => v - leftCounts[c]);
    const mid = lo + bestLeft;
    return {
      kind: "split",
      feature: bestFeature,
      threshold: bestValue,
      n: size,
      counts: Array.from(counts),
      left: grow(lo, mid, leftCounts, depth + 1, bestGain),
      right: grow(mid, hi, rightCounts, depth + 1, bestGain)
    };
  };

  const rootCounts = new Float64Array(m);
  for (let i = 0; i < n; i++) rootCounts[codes[i]]++;
  // The root has no parent gain: NaN equals nothing.
  return grow(0, n, rootCounts, 0, NaN);
}

function leaf(counts: Float64Array, n: number): CartNode {
  let predicted = 0;
  for (let c = 1; c < counts.length; c++) if (counts[c] > counts[predicted]) predicted = c;
  return { kind: "leaf", predicted, n, counts: Array.from(counts) };
}
