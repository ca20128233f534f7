/**
 * Decision tree classifier: Gini CART grown by ./cartGrowth.ts with ml-cart's rules, kept as
 * plain JSON with class counts per node. Labels are re-encoded to codes 0..m-1 and prediction
 * walks the JSON with ml-cart's rule (x < threshold goes left).
 */
import { checkParam, WorkbenchError } from "../errors.ts";
import type { FeatureMatrix } from "../matrix.ts";
import { gini, growCart, rankColumn, type RankedColumn } from "./cartGrowth.ts";
import { encodeLabels } from "./labels.ts";

// ---------------------------------------------------------------------------------------------
// Inputs

/** Features as our matrix or as plain rows. */
export type Features = FeatureMatrix | readonly (readonly number[])[];

/**
 * The training features as ranked columns (what tree growth sorts by) plus names; `model` names
 * what is being trained in errors.
 */
export function trainingColumns(X: Features, nLabels: number, model: string): { columns: RankedColumn[]; names: string[] } {
  let n: number;
  let names: string[];
  let value: (i: number, j: number) => number;
  if (!Array.isArray(X)) {
    const m = X as FeatureMatrix;
    ({ n, names } = m);
    value = (i, j) => m.data[i * m.d + j];
  } else {
    const rows = X as readonly (readonly number[])[];
    n = rows.length;
    const d = n ? rows[0].length : 0;
    rows.forEach((r, i) => {
      if (r.length !== d) {
        throw new WorkbenchError(`feature row ${i} has ${r.length} values`, { expected: `${d} like row 0` });
      }
    });
    names = Array.from({ length: d }, (_, j) => `feature ${j + 1}`);
    value = (i, j) => rows[i][j];
  }
  if (n !== nLabels) {
    throw new WorkbenchError("features and labels have different numbers of rows", {
      found: `${n} and ${nLabels}`,
      expected: "one label per feature row"
    });
  }
  if (n === 0) throw new WorkbenchError(`cannot train a ${model} on zero rows`);
  const columns = names.map((name, j) => {
    const values = Float64Array.from({ length: n }, (_, i) => value(i, j));
    const missing = values.findIndex(Number.isNaN);
    if (missing >= 0) {
      // Candidate thresholds come from sorting, and NaN has no place in the order.
      throw new WorkbenchError(`feature ${name} is missing at row ${missing}`, { expected: "a number in every row" });
    }
    return rankColumn(values);
  });
  return { columns, names };
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

export function fitCart(X: Features, labels: readonly string[] | Int32Array, options: CartOptions = {}): CartModel {
  const { columns, names } = trainingColumns(X, labels.length, "decision tree");
  const params = cartParams(options);
  const { codes, classes } = encodeClasses(labels, options.labelNames);
  const root = growCart(columns, codes, classes.length, params);
  return { classes, featureNames: names, options: params, n: codes.length, root, importance: impurityImportance(root, names.length) };
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
