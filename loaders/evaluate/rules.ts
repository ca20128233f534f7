/**
 * A decision tree as readable rules per segment: each leaf's path becomes conditions such as
 * "Recency ≤ 32 and Frequency > 4", grouped by the segment the leaf predicts.
 *
 * Thresholds are shown in the units of the rows described (pass original, unscaled values)
 * and rounded to the roundest number that still splits those rows exactly as the tree does:
 * a split "x < 31.5" whose nearest values are 31 (left) and 32 (right) reads "x ≤ 31" /
 * "x > 31". Conditions on the same feature along a path are merged into one bound or range.
 */
import type { FeatureMatrix } from "../matrix.ts";
import type { CartModel, CartNode } from "./cart.ts";

export interface LeafRule {
  /** One condition per feature used on the path, e.g. "3 < Frequency ≤ 8". */
  conditions: string[];
  /** The conditions joined with "and" ("all customers" for a tree without splits). */
  text: string;
  /** Rows (of those described) that satisfy the rule. */
  support: number;
  /** Share of those rows that really are in the rule's segment. */
  purity: number;
}

export interface SegmentRules {
  segment: string;
  /** Rows in this segment. */
  size: number;
  /** Share of the segment's rows covered by its rules (the tree's recall for it). */
  coverage: number;
  /** Leaves predicting this segment, largest support first; empty if the tree never predicts it. */
  rules: LeafRule[];
}

export interface RuleOptions {
  /** Unit suffix per feature name, e.g. { Recency: " days" }. */
  units?: Record<string, string>;
  /**
   * A feature in words, and whether it is a 0/1 share (a one-hot category): "≤ 0.5" then reads
   * "not <words>" and "> 0.5" "<words>". Default: the feature's name as it is.
   */
  wordsOf?: (feature: string) => { words: string; share: boolean; not?: string };
}

interface Bound {
  /** The tree's exact threshold, to pick the tighter of two bounds. */
  exact: number;
  shown: string;
}

interface Condition {
  feature: number;
  lower?: Bound; // value > lower
  upper?: Bound; // value ≤ upper
}

/**
 * Rules for every class of `model`, described on rows `X` (same features as the tree, in the
 * units to show) whose true classes are `truth` (codes into model.classes).
 */
export function treeRules(model: CartModel, X: FeatureMatrix, truth: ArrayLike<number>, options: RuleOptions = {}): SegmentRules[] {
  const { d, data } = X;
  const m = model.classes.length;
  const sizes = new Array<number>(m).fill(0);
  for (let i = 0; i < truth.length; i++) if (truth[i] >= 0 && truth[i] < m) sizes[truth[i]]++;
  const rulesByClass: LeafRule[][] = model.classes.map(() => []);
  const captured = new Array<number>(m).fill(0);
  const units = options.units ?? {};
  const all = Int32Array.from({ length: X.n }, (_, i) => i);

  const wordsOf: NonNullable<RuleOptions["wordsOf"]> = options.wordsOf ?? ((f: string) => ({ words: f, share: false }));
  const describe = (conds: Condition[]): string[] =>
    conds.map(({ feature, lower, upper }) => {
      const { words: name, share, not } = wordsOf(model.featureNames[feature]);
      // A 0/1 feature split between 0 and 1 is a yes or a no, not a threshold.
      if (share && !(lower && upper)) return upper ? (not ?? `not ${name}`) : name;
      const unit = units[model.featureNames[feature]] ?? "";
      if (lower && upper) return `${lower.shown} < ${name} ≤ ${upper.shown}${unit}`;
      if (upper) return `${name} ≤ ${upper.shown}${unit}`;
      return `${name} > ${(lower as Bound).shown}${unit}`;
    });

  const walk = (node: CartNode, rows: Int32Array, path: Condition[]) => {
    if (node.kind === "leaf") {
      if (rows.length === 0) return;
      let hits = 0;
      for (const i of rows) if (truth[i] === node.predicted) hits++;
      captured[node.predicted] += hits;
      const conditions = describe(path);
      rulesByClass[node.predicted].push({
        conditions,
        text: conditions.length ? conditions.join(" and ") : "all customers",
        support: rows.length,
        purity: hits / rows.length
      });
      return;
    }
    const { feature, threshold } = node;
    const left = rows.filter((i) => data[i * d + feature] < threshold);
    const right = rows.filter((i) => !(data[i * d + feature] < threshold));
    let below = -Infinity; // largest value going left
    let above = Infinity; // smallest value going right
    for (const i of left) below = Math.max(below, data[i * d + feature]);
    for (const i of right) above = Math.min(above, data[i * d + feature]);
    const shown = formatNumber(cutPoint(below, above, threshold));
    walk(node.left, left, withBound(path, feature, "upper", { exact: threshold, shown }));
    walk(node.right, right, withBound(path, feature, "lower", { exact: threshold, shown }));
  };
  walk(mergeSameLeaves(model.root), all, []);

  return model.classes.map((segment, c) => ({
    segment,
    size: sizes[c],
    coverage: sizes[c] ? captured[c] / sizes[c] : 0,
    rules: rulesByClass[c].sort((a, b) => b.support - a.support)
  }));
}

/** The path with one more bound, merged into an existing condition on the same feature. */
function withBound(path: Condition[], feature: number, side: "lower" | "upper", bound: Bound): Condition[] {
  const at = path.findIndex((c) => c.feature === feature);
  if (at < 0) return [...path, { feature, [side]: bound }];
  const old = path[at][side];
  const tighter = !old || (side === "upper" ? bound.exact < old.exact : bound.exact > old.exact);
  const next = [...path];
  next[at] = { ...path[at], [side]: tighter ? bound : old };
  return next;
}

/** Splits whose two sides predict the same class say nothing for the rules: fold them. */
function mergeSameLeaves(node: CartNode): CartNode {
  if (node.kind === "leaf") return node;
  const left = mergeSameLeaves(node.left);
  const right = mergeSameLeaves(node.right);
  if (left.kind === "leaf" && right.kind === "leaf" && left.predicted === right.predicted) {
    return { kind: "leaf", predicted: left.predicted, n: node.n, counts: node.counts };
  }
  return { ...node, left, right };
}

/**
 * The number r to show for a split with rows ≤ `below` on the left and ≥ `above` on the
 * right: the roundest r with below ≤ r < above, so "x ≤ r" / "x > r" keep every row on its
 * side. Without rows on both sides, the threshold itself to 3 significant digits.
 */
export function cutPoint(below: number, above: number, threshold: number): number {
  if (!(Number.isFinite(below) && Number.isFinite(above) && below < above)) return Number(threshold.toPrecision(3));
  const scale = Math.max(Math.abs(below), Math.abs(above));
  const top = scale > 0 ? Math.floor(Math.log10(scale)) + 1 : 0;
  for (let e = top; e >= top - 12; e--) {
    const r = e >= 0 ? Math.ceil(below / 10 ** e) * 10 ** e : Math.ceil(below * 10 ** -e) / 10 ** -e;
    const clean = Number(r.toPrecision(15));
    if (clean >= below && clean < above) return clean;
  }
  return below;
}

/** Plain digits without float noise or locale (e.g. 0.30000000000000004 → "0.3"). */
export function formatNumber(x: number): string {
  return String(Number(x.toPrecision(12)));
}
