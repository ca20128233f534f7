/**
 * Thin adapter over ml-cart's DecisionTreeClassifier. ml-cart wants integer labels 0..m-1
 * (strings silently go wrong) and keeps class instances and ml-matrix objects in its tree, so we
 * re-encode labels, train, and copy the tree out as plain JSON with class counts per node.
 * Prediction walks that JSON with ml-cart's own rule (x < threshold goes left).
 *
 * ml-cart scores each candidate split by re-partitioning all rows, O(n²) per feature and node
 * (6 s for one tree on 5,000 rows). While our code trains, `withFastSplits` swaps in an
 * O(n log n) sweep over the same candidates (midpoints between neighbours with different labels,
 * in ml-cart's order, first best wins) and the same Gini gain, so trees are ml-cart's trees up to
 * floating-point ties. The swap is undone right after, so nobody else sees it.
 */
import { createRequire } from "node:module";
import { checkParam, WorkbenchError } from "../errors.ts";
import type { FeatureMatrix } from "../matrix.ts";
import { encodeLabels } from "./labels.ts";

// ---------------------------------------------------------------------------------------------
// ml-cart (CommonJS, no type declarations): load it with require, so ml-random-forest's
// require("ml-cart") sees the very same classes, and describe the parts we touch.

/** The ml-matrix calls ml-cart's tree makes on its inputs and leaves. */
export interface MlMatrix {
  rows: number;
  columns: number;
  getRow(i: number): number[];
  maxRowIndex(row: number): [number, number];
}

/** An ml-cart TreeNode as trained: a split when both children exist, else a leaf. */
export interface MlCartNode {
  kind?: string;
  gainFunction?: string;
  splitFunction?: string;
  splitColumn?: number;
  splitValue?: number;
  left?: MlCartNode;
  right?: MlCartNode;
  distribution?: MlMatrix;
}

interface MlCartClassifier {
  root: MlCartNode;
  train(X: number[][], y: number[]): void;
  predict(X: number[][]): number[];
}

interface MlCartModule {
  DecisionTreeClassifier: {
    new (options: object): MlCartClassifier;
    load(model: object): MlCartClassifier;
  };
}

interface SplitChoice {
  maxGain: number;
  maxColumn: number | undefined;
  maxValue: number | undefined;
  numberSamples: number | undefined;
}

type BestSplit = (this: MlCartNode, XTranspose: MlMatrix, y: number[]) => SplitChoice;

const require = createRequire(import.meta.url);
const mlCart = require("ml-cart") as MlCartModule;

/** ml-cart's TreeNode.prototype, reached through a one-leaf model (the class is not exported). */
const treeNodeProto = Object.getPrototypeOf(
  mlCart.DecisionTreeClassifier.load({
    name: "DTClassifier",
    options: { kind: "classifier", gainFunction: "gini", splitFunction: "mean", minNumSamples: 3, maxDepth: 1 },
    root: { distribution: [[1]] }
  }).root
) as { bestSplit: BestSplit };
const libraryBestSplit = treeNodeProto.bestSplit;

/** Runs `train` (which trains ml-cart trees synchronously) with the fast split search. */
export function withFastSplits<T>(train: () => T): T {
  treeNodeProto.bestSplit = fastBestSplit;
  try {
    return train();
  } finally {
    treeNodeProto.bestSplit = libraryBestSplit;
  }
}

/**
 * ml-cart's classifier bestSplit, same result: rows sorted by value (stable, so ties keep row
 * order), a candidate threshold at the midpoint of every neighbour pair with different labels,
 * tried in ascending order, gain = Gini(parent) − Σ side share × Gini(side), the first strictly
 * best gain wins. The stable order comes from a native sort of the values plus a counting sort
 * of the rows by value (no comparator), and one sweep moves rows to the lesser side instead of
 * re-partitioning all rows for every candidate.
 */
function fastBestSplit(this: MlCartNode, XT: MlMatrix, y: number[]): SplitChoice {
  if (this.kind !== "classifier" || this.gainFunction !== "gini" || this.splitFunction !== "mean") {
    return libraryBestSplit.call(this, XT, y);
  }
  const n = y.length;
  let m = 0;
  for (let i = 0; i < n; i++) if (y[i] + 1 > m) m = y[i] + 1;
  const total = new Float64Array(m);
  for (let i = 0; i < n; i++) total[y[i]]++;
  const best: SplitChoice = { maxGain: -Infinity, maxColumn: undefined, maxValue: undefined, numberSamples: undefined };
  let kinds = 0;
  for (let c = 0; c < m; c++) if (total[c] > 0) kinds++;
  if (kinds < 2) return best; // a pure node has no neighbours with different labels
  const parentGini = gini(total, n);
  const lesser = new Float64Array(m);
  const greater = new Float64Array(m);
  const sorted = new Float64Array(n);
  const group = new Int32Array(n);
  const start = new Int32Array(n + 1);
  const order = new Int32Array(n);
  let bestGain = -Infinity;
  let bestColumn = -1;
  let bestValue = NaN;

  for (let f = 0; f < XT.rows; f++) {
    const x = XT.getRow(f);
    for (let i = 0; i < n; i++) sorted[i] = x[i];
    sorted.sort();
    let r = 0;
    for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[r - 1]) sorted[r++] = sorted[i];
    // Each row's rank among the distinct values, then rows bucketed by rank in row order.
    start.fill(0, 0, r + 1);
    for (let i = 0; i < n; i++) {
      const xi = x[i];
      let lo = 0;
      let hi = r - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid] < xi) lo = mid + 1;
        else hi = mid;
      }
      group[i] = lo;
      start[lo + 1]++;
    }
    for (let g = 0; g < r; g++) start[g + 1] += start[g];
    for (let i = 0; i < n; i++) order[start[group[i]]++] = i;

    lesser.fill(0);
    let nLesser = 0;
    let q = 0; // rows order[0..q) have value < the current candidate
    let previous = NaN;
    for (let p = 1; p < n; p++) {
      const a = order[p - 1];
      const b = order[p];
      if (y[a] === y[b]) continue;
      const v = (x[a] + x[b]) / 2;
      if (v === previous) continue; // same partition as the last candidate, cannot win on ">"
      previous = v;
      while (q < n && x[order[q]] < v) {
        lesser[y[order[q]]]++;
        nLesser++;
        q++;
      }
      for (let c = 0; c < m; c++) greater[c] = total[c] - lesser[c];
      const nGreater = n - nLesser;
      const gain = parentGini - ((gini(greater, nGreater) * nGreater) / n + (gini(lesser, nLesser) * nLesser) / n);
      if (gain > bestGain) {
        bestGain = gain;
        bestColumn = f;
        bestValue = v;
      }
    }
  }
  if (bestColumn >= 0) {
    best.maxGain = bestGain;
    best.maxColumn = bestColumn;
    best.maxValue = bestValue;
    best.numberSamples = n;
  }
  return best;
}

function gini(counts: ArrayLike<number>, n: number): number {
  if (n === 0) return 0;
  let s = 0;
  for (let c = 0; c < counts.length; c++) s += (counts[c] / n) * (counts[c] / n);
  return 1 - s;
}

// ---------------------------------------------------------------------------------------------
// Inputs

/** Features as our matrix or as plain rows. */
export type Features = FeatureMatrix | readonly (readonly number[])[];

/** Rows of `X` as plain arrays (what ml-cart takes) plus feature names. */
export function featureRows(X: Features): { rows: number[][]; names: string[] } {
  if (!Array.isArray(X)) {
    const m = X as FeatureMatrix;
    const rows = new Array<number[]>(m.n);
    for (let i = 0; i < m.n; i++) rows[i] = Array.from(m.data.subarray(i * m.d, (i + 1) * m.d));
    return { rows, names: m.names };
  }
  const rows = (X as readonly (readonly number[])[]).map((r) => [...r]);
  const d = rows.length ? rows[0].length : 0;
  rows.forEach((r, i) => {
    if (r.length !== d) {
      throw new WorkbenchError(`feature row ${i} has ${r.length} values`, { expected: `${d} like row 0` });
    }
  });
  return { rows, names: Array.from({ length: d }, (_, j) => `feature ${j + 1}`) };
}

export interface EncodedClasses {
  /** codes[i] = class of row i, 0..m-1. */
  codes: Int32Array;
  /** Class names; classes[c] is code c. */
  classes: string[];
}

/**
 * Labels → dense codes 0..m-1 in ascending label order. String labels are their own names;
 * integer labels v are named labelNames[v] when given, else String(v).
 */
export function encodeClasses(labels: readonly string[] | Int32Array, labelNames?: readonly string[]): EncodedClasses {
  const enc = encodeLabels<string | number>(labels as ArrayLike<string | number>, { sorted: true, what: "labels" });
  const classes = enc.names.map((v) =>
    typeof v === "number" && labelNames && labelNames[v] !== undefined ? labelNames[v] : String(v)
  );
  if (new Set(classes).size !== classes.length) {
    throw new WorkbenchError("two labels have the same name", {
      found: classes.join(", "),
      expected: "distinct names, one per label",
      hint: "give each segment its own name"
    });
  }
  return { codes: enc.codes, classes };
}

// ---------------------------------------------------------------------------------------------
// The tree as JSON

export interface CartLeaf {
  kind: "leaf";
  /** Predicted class code (ml-cart: the first class with the largest share). */
  predicted: number;
  /** Training rows reaching this node, and how many of each class. */
  n: number;
  counts: number[];
}

export interface CartSplit {
  kind: "split";
  /** Feature index; rows with value < threshold go left, the rest right (ml-cart's rule). */
  feature: number;
  threshold: number;
  n: number;
  counts: number[];
  left: CartNode;
  right: CartNode;
}

export type CartNode = CartLeaf | CartSplit;

export interface CartOptions {
  /** Largest number of splits from root to leaf; default unlimited. */
  maxDepth?: number;
  /** Nodes with this many training rows or fewer become leaves; ml-cart's default 3. */
  minNumSamples?: number;
  /** Splits must improve Gini by more than this; ml-cart's default 0.01. */
  gainThreshold?: number;
  /** Names for integer labels: label v is called labelNames[v]. */
  labelNames?: readonly string[];
}

export interface CartModel {
  classes: string[];
  featureNames: string[];
  options: { maxDepth: number | null; minNumSamples: number; gainThreshold: number };
  /** Training rows. */
  n: number;
  root: CartNode;
  /**
   * Impurity-decrease importance per feature (sklearn's feature_importances_): Σ over splits
   * on the feature of the row-weighted Gini decrease, normalised to sum 1 (all 0 for a stump).
   */
  importance: number[];
}

export function cartParams(options: CartOptions): CartModel["options"] {
  const maxDepth = options.maxDepth ?? Infinity;
  const minNumSamples = options.minNumSamples ?? 3;
  const gainThreshold = options.gainThreshold ?? 0.01;
  checkParam(maxDepth === Infinity || (Number.isInteger(maxDepth) && maxDepth >= 1), "maxDepth", maxDepth, "an integer ≥ 1");
  checkParam(Number.isInteger(minNumSamples) && minNumSamples >= 1, "minNumSamples", minNumSamples, "an integer ≥ 1");
  checkParam(gainThreshold >= 0 && Number.isFinite(gainThreshold), "gainThreshold", gainThreshold, "a number ≥ 0");
  return { maxDepth: maxDepth === Infinity ? null : maxDepth, minNumSamples, gainThreshold };
}

/** ml-cart tree options for our validated params. */
export function mlCartOptions(p: CartModel["options"]): object {
  return { gainFunction: "gini", splitFunction: "mean", maxDepth: p.maxDepth ?? Infinity, minNumSamples: p.minNumSamples, gainThreshold: p.gainThreshold };
}

export function fitCart(X: Features, labels: readonly string[] | Int32Array, options: CartOptions = {}): CartModel {
  const { rows, names } = featureRows(X);
  if (rows.length !== labels.length) {
    throw new WorkbenchError("features and labels have different numbers of rows", {
      found: `${rows.length} and ${labels.length}`,
      expected: "one label per feature row"
    });
  }
  if (rows.length === 0) throw new WorkbenchError("cannot train a decision tree on zero rows");
  const params = cartParams(options);
  const { codes, classes } = encodeClasses(labels, options.labelNames);
  const tree = new mlCart.DecisionTreeClassifier(mlCartOptions(params));
  withFastSplits(() => tree.train(rows, Array.from(codes)));
  const all = Int32Array.from({ length: rows.length }, (_, i) => i);
  const root = copyNode(tree.root, rows, codes, all, classes.length);
  return { classes, featureNames: names, options: params, n: rows.length, root, importance: impurityImportance(root, names.length) };
}

/** Copies an ml-cart node to JSON, counting the training rows `at` that reach it. */
function copyNode(node: MlCartNode, rows: number[][], codes: Int32Array, at: Int32Array, m: number): CartNode {
  const counts = new Array<number>(m).fill(0);
  for (const i of at) counts[codes[i]]++;
  if (node.left && node.right) {
    const feature = node.splitColumn as number;
    const threshold = node.splitValue as number;
    const goesLeft = at.filter((i) => rows[i][feature] < threshold);
    const goesRight = at.filter((i) => !(rows[i][feature] < threshold));
    return {
      kind: "split",
      feature,
      threshold,
      n: at.length,
      counts,
      left: copyNode(node.left, rows, codes, goesLeft, m),
      right: copyNode(node.right, rows, codes, goesRight, m)
    };
  }
  return { kind: "leaf", predicted: (node.distribution as MlMatrix).maxRowIndex(0)[1], n: at.length, counts };
}

function impurityImportance(root: CartNode, d: number): number[] {
  const imp = new Array<number>(d).fill(0);
  const visit = (node: CartNode) => {
    if (node.kind === "leaf") return;
    imp[node.feature] +=
      node.n * gini(node.counts, node.n) -
      node.left.n * gini(node.left.counts, node.left.n) -
      node.right.n * gini(node.right.counts, node.right.n);
    visit(node.left);
    visit(node.right);
  };
  visit(root);
  const total = imp.reduce((a, b) => a + b, 0);
  return imp.map((v) => (total > 0 ? Math.max(0, v) / total : 0));
}

/** The leaf a row (value of feature j = get(j)) falls into. */
export function leafOf(root: CartNode, get: (feature: number) => number): CartLeaf {
  let node = root;
  while (node.kind === "split") node = get(node.feature) < node.threshold ? node.left : node.right;
  return node;
}

/** Predicted class codes for the rows of X. */
export function predictCart(model: CartModel, X: Features): Int32Array {
  if (!Array.isArray(X)) {
    const m = X as FeatureMatrix;
    checkColumns(model.featureNames.length, m.d);
    const pred = new Int32Array(m.n);
    for (let i = 0; i < m.n; i++) pred[i] = leafOf(model.root, (j) => m.data[i * m.d + j]).predicted;
    return pred;
  }
  const rows = X as readonly (readonly number[])[];
  const pred = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    checkColumns(model.featureNames.length, r.length);
    pred[i] = leafOf(model.root, (j) => r[j]).predicted;
  });
  return pred;
}

function checkColumns(expected: number, found: number): void {
  if (expected !== found) {
    throw new WorkbenchError("rows to predict have a different number of features than the training rows", {
      found: String(found),
      expected: String(expected)
    });
  }
}
