/**
 * Supervised checks of a segmentation, all returning plain JSON:
 *  - goldStandardCheck: can the features predict a known label (e.g. Channel)? Cross-validated
 *    CART and random forest, and the rows whose label the models disagree with.
 *  - segmentRules: a shallow tree that re-derives the chosen segments from the original,
 *    unscaled features, read as rules per segment, with how faithfully it does so.
 *  - segmentPredictability: how well a random forest assigns held-out customers to segments.
 * Trees cost O(n log n) per level, forests 50 of them per fold, so above `maxRows` rows
 * (default 5,000) the models work on a seeded stratified subsample, and the output says so.
 */
import { checkParam, WorkbenchError } from "../errors.ts";
import { selectRows, type FeatureMatrix } from "../matrix.ts";
import { Rng } from "../rng.ts";
import { fitCart, predictCart, type CartModel } from "./cart.ts";
import { addConfusion, evaluate, classificationMetrics, type Evaluation } from "./classification.ts";
import { complementIndices, stratifiedHoldout, stratifiedKFold, stratifiedSubsample } from "./folds.ts";
import { fitForest, permutationImportance, predictForest } from "./forest.ts";
import { excludeNoise } from "./labels.ts";
import { treeRules, type RuleOptions, type SegmentRules } from "./rules.ts";

export const DEFAULT_MAX_ROWS = 5000;
export const DEFAULT_TREES = 50;

export interface FoldEvaluation extends Evaluation {
  /** 0-based fold number. */
  fold: number;
  nTest: number;
}

export interface CrossValidation {
  perFold: FoldEvaluation[];
  /** Every row predicted once, by the model that did not see it. */
  pooled: Evaluation;
}

export interface FeatureImportance {
  feature: string;
  importance: number;
}

/** Which rows the models used. */
export interface SampleInfo {
  /** Rows given (with a label / not noise). */
  n: number;
  /** Rows the models were trained and tested on. */
  nUsed: number;
  subsampled: boolean;
  notes: string[];
}

// ---------------------------------------------------------------------------------------------
// a. Gold standard

export interface GoldStandardOptions {
  rng: Rng;
  /** Cross-validation folds; default 5. */
  folds?: number;
  /** CART depth; default 5 (readable, and deeper trees rarely cross-validate better here). */
  maxDepth?: number;
  /** Forest size; default 50. */
  nEstimators?: number;
  /** Share of rows in the hold-out test part; default 0.25. */
  testShare?: number;
  /** Subsample above this many rows; default 5,000. */
  maxRows?: number;
  /** Longest relabel list returned (relabelCount has the full count); default 100. */
  maxRelabel?: number;
  /** Told the share of model fits done (each fold's, then the hold-out's). */
  progress?: (fraction: number) => void;
}

export interface RelabelCandidate {
  id: string;
  given: string;
  /** The forest's out-of-fold prediction. */
  predicted: string;
  /** Share of the forest's trees voting for `predicted`: the confidence of the disagreement. */
  voteShare: number;
  /** Whether the cross-validated CART predicted the same. */
  cartAgrees: boolean;
}

export interface GoldStandardResult extends SampleInfo {
  classes: string[];
  folds: number;
  /** Always predicting the most common class: what accuracy must beat. */
  baseline: { majorityClass: string; accuracy: number };
  cart: CrossValidation & { maxDepth: number; importance: FeatureImportance[]; importanceMethod: string };
  forest: CrossValidation & { nEstimators: number; importance: FeatureImportance[]; importanceMethod: string };
  /** Rows whose given label the forest contradicts out of fold, most confident first. */
  relabel: RelabelCandidate[];
  relabelCount: number;
  holdout: { testShare: number; nTrain: number; nTest: number; cart: Evaluation; forest: Evaluation };
}

export function goldStandardCheck(
  features: FeatureMatrix,
  labels: readonly string[],
  ids: readonly string[],
  options: GoldStandardOptions
): GoldStandardResult {
  const folds = options.folds ?? 5;
  const maxDepth = options.maxDepth ?? 5;
  const nEstimators = options.nEstimators ?? DEFAULT_TREES;
  const testShare = options.testShare ?? 0.25;
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const maxRelabel = options.maxRelabel ?? 100;
  checkParam(Number.isInteger(folds) && folds >= 2, "folds", folds, "an integer ≥ 2");
  checkParam(Number.isInteger(maxRelabel) && maxRelabel >= 0, "maxRelabel", maxRelabel, "an integer ≥ 0");
  checkLengths(features, labels.length, "labels");
  checkLengths(features, ids.length, "ids");
  // Independent streams, so changing one step (e.g. the fold count) leaves the others alone.
  const [rngSample, rngFolds, rngFit, rngHoldout] = [options.rng.fork(), options.rng.fork(), options.rng.fork(), options.rng.fork()];

  const notes: string[] = [];
  const labelled: number[] = [];
  for (let i = 0; i < labels.length; i++) if (typeof labels[i] === "string" && labels[i] !== "") labelled.push(i);
  if (labelled.length < labels.length) notes.push(`${labels.length - labelled.length} rows without a label were left out`);
  const given = labelled.map((i) => labels[i]);
  const classes = [...new Set(given)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (classes.length < 2) {
    throw new WorkbenchError("the gold-standard label needs at least two different values to be predicted", {
      found: classes.join(", ") || "no labels",
      expected: "two or more classes"
    });
  }
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const allCodes = Int32Array.from(given, (g) => classIndex.get(g) as number);
  const sample = sampleRows(allCodes, maxRows, rngSample, folds, notes);
  const rows = Int32Array.from(sample, (r) => labelled[r]);
  const X = selectRows(features, rows);
  const codes = Int32Array.from(sample, (r) => allCodes[r]);

  const fitsDone = (f: number) => options.progress?.(f / (folds + 1));
  const cv = crossValidate(X, codes, classes, folds, rngFolds, rngFit, { maxDepth, nEstimators, forestImportance: true }, fitsDone);
  const n = codes.length;
  const counts = classes.map((_, c) => codes.filter((v) => v === c).length);
  const majority = counts.indexOf(Math.max(...counts));

  const relabelAll: RelabelCandidate[] = [];
  for (let r = 0; r < n; r++) {
    const p = cv.forestPred[r];
    if (p === codes[r]) continue;
    relabelAll.push({
      id: ids[rows[r]],
      given: classes[codes[r]],
      predicted: classes[p],
      voteShare: cv.voteShare[r],
      cartAgrees: cv.cartPred[r] === p
    });
  }
  // Most confident first, CART agreeing breaks ties; the sort is stable, so row order breaks the rest.
  relabelAll.sort((a, b) => b.voteShare - a.voteShare || Number(b.cartAgrees) - Number(a.cartAgrees));

  const split = stratifiedHoldout(codes, testShare, rngHoldout, classes);
  const holdoutFit = fitBoth(X, codes, classes, split.train, split.test, rngHoldout, { maxDepth, nEstimators });

  return {
    n: labelled.length,
    nUsed: n,
    subsampled: n < labelled.length,
    notes,
    classes,
    folds,
    baseline: { majorityClass: classes[majority], accuracy: counts[majority] / n },
    cart: {
      ...cv.cart,
      maxDepth,
      importance: named(X.names, cv.cartImportance),
      importanceMethod: "Gini impurity decrease of each fold's tree (row-weighted, normalised to sum 1), averaged over folds"
    },
    forest: {
      ...cv.forest,
      nEstimators,
      importance: named(X.names, cv.forestImportance),
      importanceMethod:
        "permutation importance: drop in accuracy on each fold's held-out rows when the feature is shuffled (3 shuffles), averaged over folds"
    },
    relabel: relabelAll.slice(0, maxRelabel),
    relabelCount: relabelAll.length,
    holdout: {
      testShare,
      nTrain: split.train.length,
      nTest: split.test.length,
      cart: evaluate(holdoutFit.truth, holdoutFit.cart as Int32Array, classes),
      forest: evaluate(holdoutFit.truth, holdoutFit.forest, classes)
    }
  };
}

// ---------------------------------------------------------------------------------------------
// b. Rules

export interface SegmentRulesOptions extends RuleOptions {
  /** Tree depth, i.e. at most this many conditions per rule; default 3. */
  maxDepth?: number;
  /** Train on a stratified subsample above this many rows; default 5,000. Rules and fidelity use all rows. */
  maxRows?: number;
  /** Only used to subsample; default a fixed seed. */
  rng?: Rng;
}

export interface SegmentRulesResult extends SampleInfo {
  maxDepth: number;
  /** Per segment: the leaves predicting it as rules, with support and purity on all rows. */
  segments: SegmentRules[];
  /** The tree's predictions against the segments, on all (non-noise) rows. */
  fidelity: Evaluation;
  importance: FeatureImportance[];
  tree: CartModel;
}

export function segmentRules(
  unscaledFeatures: FeatureMatrix,
  segments: Int32Array,
  segmentNames?: readonly string[],
  options: SegmentRulesOptions = {}
): SegmentRulesResult {
  const maxDepth = options.maxDepth ?? 3;
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  checkParam(Number.isInteger(maxDepth) && maxDepth >= 1, "maxDepth", maxDepth, "an integer ≥ 1");
  checkLengths(unscaledFeatures, segments.length, "segments");
  const notes: string[] = [];
  const seg = segmentRows(segments, segmentNames, 1, notes);
  const X = selectRows(unscaledFeatures, seg.rows);
  const train = sampleRows(seg.codes, maxRows, options.rng ?? new Rng(0), 1, notes);
  const tree = fitCart(selectRows(X, train), Int32Array.from(train, (r) => seg.codes[r]), {
    maxDepth,
    labelNames: seg.names
  });
  // The tree's classes are the segments present in its training rows, in code order.
  const toCode = tree.classes.map((c) => seg.names.indexOf(c));
  const predicted = Int32Array.from(predictCart(tree, X), (p) => toCode[p]);
  const ruleTruth = remap(seg.codes, seg.names, tree.classes);
  const rules = treeRules(tree, X, ruleTruth, { units: options.units, wordsOf: options.wordsOf });
  // Segments the tree never saw still get an (empty) entry.
  const bySegment = new Map(rules.map((r) => [r.segment, r]));
  const sizes = seg.names.map((_, c) => seg.codes.filter((v) => v === c).length);
  return {
    n: seg.rows.length,
    nUsed: train.length,
    subsampled: train.length < seg.rows.length,
    notes,
    maxDepth,
    segments: seg.names.map((name, c) => bySegment.get(name) ?? { segment: name, size: sizes[c], coverage: 0, rules: [] }),
    fidelity: evaluate(seg.codes, predicted, seg.names),
    importance: named(X.names, tree.importance),
    tree
  };
}

// ---------------------------------------------------------------------------------------------
// c. Predictability

export interface PredictabilityOptions {
  rng: Rng;
  /** Cross-validation folds; default 5 (lowered, with a note, if a segment is smaller). */
  folds?: number;
  nEstimators?: number;
  maxRows?: number;
  segmentNames?: readonly string[];
  /** Told the share of folds done. */
  progress?: (fraction: number) => void;
}

export interface PredictabilityResult extends SampleInfo, CrossValidation {
  classes: string[];
  folds: number;
  nEstimators: number;
}

export function segmentPredictability(features: FeatureMatrix, segments: Int32Array, options: PredictabilityOptions): PredictabilityResult {
  let folds = options.folds ?? 5;
  const nEstimators = options.nEstimators ?? DEFAULT_TREES;
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  checkParam(Number.isInteger(folds) && folds >= 2, "folds", folds, "an integer ≥ 2");
  checkLengths(features, segments.length, "segments");
  const [rngSample, rngFolds, rngFit] = [options.rng.fork(), options.rng.fork(), options.rng.fork()];
  const notes: string[] = [];
  const seg = segmentRows(segments, options.segmentNames, 2, notes);
  if (seg.names.length < 2) {
    throw new WorkbenchError("segment predictability needs at least two segments with two or more rows each", {
      found: `${seg.names.length} such segment${seg.names.length === 1 ? "" : "s"}`
    });
  }
  const smallest = Math.min(...seg.names.map((_, c) => seg.codes.filter((v) => v === c).length));
  if (smallest < folds) {
    notes.push(`folds lowered from ${folds} to ${smallest}, the size of the smallest segment`);
    folds = smallest;
  }
  const sample = sampleRows(seg.codes, maxRows, rngSample, folds, notes);
  const X = selectRows(features, Int32Array.from(sample, (r) => seg.rows[r]));
  const codes = Int32Array.from(sample, (r) => seg.codes[r]);
  const cv = crossValidate(X, codes, seg.names, folds, rngFolds, rngFit, { nEstimators, forestImportance: false }, (f) => options.progress?.(f / folds));
  return {
    n: seg.rows.length,
    nUsed: codes.length,
    subsampled: codes.length < seg.rows.length,
    notes,
    classes: seg.names,
    folds,
    nEstimators,
    ...cv.forest
  };
}

// ---------------------------------------------------------------------------------------------
// Shared machinery

interface CvSettings {
  /** CART depth; omit to skip CART. */
  maxDepth?: number;
  nEstimators: number;
  forestImportance: boolean;
}

interface CvRun {
  cart: CrossValidation;
  forest: CrossValidation;
  cartPred: Int32Array;
  forestPred: Int32Array;
  voteShare: Float64Array;
  cartImportance: number[];
  forestImportance: number[];
}

/** Stratified k-fold CV of CART (if settings.maxDepth) and the forest, pooled out-of-fold. */
function crossValidate(
  X: FeatureMatrix,
  codes: Int32Array,
  classes: string[],
  k: number,
  rngFolds: Rng,
  rngFit: Rng,
  settings: CvSettings,
  foldsDone?: (done: number) => void
): CvRun {
  const n = codes.length;
  const folds = stratifiedKFold(codes, k, rngFolds, classes);
  const cartPred = new Int32Array(n);
  const forestPred = new Int32Array(n);
  const voteShare = new Float64Array(n);
  const cartFolds: FoldEvaluation[] = [];
  const forestFolds: FoldEvaluation[] = [];
  const cartImportance = new Array<number>(X.d).fill(0);
  const forestImportance = new Array<number>(X.d).fill(0);
  folds.forEach((test, f) => {
    const train = complementIndices(n, test);
    const fit = fitBoth(X, codes, classes, train, test, rngFit, settings);
    test.forEach((row, r) => {
      forestPred[row] = fit.forest[r];
      voteShare[row] = fit.voteShare[r];
      if (fit.cart) cartPred[row] = fit.cart[r];
    });
    forestFolds.push({ fold: f, nTest: test.length, ...evaluate(fit.truth, fit.forest, classes) });
    if (fit.cart && fit.cartModel) {
      cartFolds.push({ fold: f, nTest: test.length, ...evaluate(fit.truth, fit.cart, classes) });
      fit.cartModel.importance.forEach((v, j) => (cartImportance[j] += v / k));
    }
    if (settings.forestImportance) {
      const Xtest = selectRows(X, test);
      const imp = permutationImportance((m) => fit.predictForest(m), Xtest, fit.truth, rngFit, 3);
      imp.forEach((v, j) => (forestImportance[j] += v / k));
    }
    foldsDone?.(f + 1);
  });
  const pool = (perFold: FoldEvaluation[]): CrossValidation => {
    if (perFold.length === 0) return { perFold, pooled: evaluate([], [], classes) };
    const confusion = perFold.map((f) => f.confusion).reduce(addConfusion);
    return { perFold, pooled: { confusion, metrics: classificationMetrics(confusion) } };
  };
  return { cart: pool(cartFolds), forest: pool(forestFolds), cartPred, forestPred, voteShare, cartImportance, forestImportance };
}

interface BothFit {
  truth: Int32Array;
  forest: Int32Array;
  voteShare: Float64Array;
  predictForest: (X: FeatureMatrix) => Int32Array;
  cart?: Int32Array;
  cartModel?: CartModel;
}

/** Trains on rows `train`, predicts rows `test`; predictions are codes into `classes`. */
function fitBoth(
  X: FeatureMatrix,
  codes: Int32Array,
  classes: string[],
  train: Int32Array,
  test: Int32Array,
  rng: Rng,
  settings: { maxDepth?: number; nEstimators: number }
): BothFit {
  const Xtrain = selectRows(X, train);
  const Xtest = selectRows(X, test);
  const ytrain = Int32Array.from(train, (i) => codes[i]);
  const truth = Int32Array.from(test, (i) => codes[i]);
  // Models name their classes after the codes seen in training; map back to `classes`.
  const forest = fitForest(Xtrain, ytrain, rng.fork(), { nEstimators: settings.nEstimators, labelNames: classes });
  const forestCodes = forest.classes.map((c) => classes.indexOf(c));
  const predictForestCodes = (m: FeatureMatrix) => Int32Array.from(predictForest(forest, m).predicted, (p) => forestCodes[p]);
  const fp = predictForest(forest, Xtest);
  const out: BothFit = {
    truth,
    forest: Int32Array.from(fp.predicted, (p) => forestCodes[p]),
    voteShare: fp.voteShare,
    predictForest: predictForestCodes
  };
  if (settings.maxDepth !== undefined) {
    const cartModel = fitCart(Xtrain, ytrain, { maxDepth: settings.maxDepth, labelNames: classes });
    const cartCodes = cartModel.classes.map((c) => classes.indexOf(c));
    out.cart = Int32Array.from(predictCart(cartModel, Xtest), (p) => cartCodes[p]);
    out.cartModel = cartModel;
  }
  return out;
}

/** Non-noise rows, their segment codes and names; segments smaller than minSize are left out. */
function segmentRows(segments: Int32Array, segmentNames: readonly string[] | undefined, minSize: number, notes: string[]) {
  const base = excludeNoise(segments);
  if (base.noise > 0) notes.push(`${base.noise} noise rows (label -1) were left out`);
  const keep = base.sizes.map((s) => s >= minSize);
  const small = base.labels.filter((_, c) => !keep[c]);
  if (small.length) notes.push(`segments with fewer than ${minSize} rows were left out: ${small.join(", ")}`);
  const newCode = new Int32Array(base.k).fill(-1);
  const names: string[] = [];
  base.labels.forEach((label, c) => {
    if (keep[c]) {
      newCode[c] = names.length;
      names.push(segmentNames?.[label] ?? `Segment ${label}`);
    }
  });
  if (new Set(names).size !== names.length) {
    throw new WorkbenchError("two segments have the same name", { found: names.join(", "), expected: "one name per segment" });
  }
  const kept: number[] = [];
  const codes: number[] = [];
  base.rows.forEach((row, r) => {
    const c = newCode[base.codes[r]];
    if (c >= 0) {
      kept.push(row);
      codes.push(c);
    }
  });
  return { rows: Int32Array.from(kept), codes: Int32Array.from(codes), names };
}

/** All row positions, or a seeded stratified subsample of maxRows (noted). */
function sampleRows(codes: Int32Array, maxRows: number, rng: Rng, minPerClass: number, notes: string[]): Int32Array {
  checkParam(Number.isInteger(maxRows) && maxRows >= 1, "maxRows", maxRows, "an integer ≥ 1");
  const rows = stratifiedSubsample(codes, maxRows, rng, minPerClass);
  if (rows.length < codes.length) {
    notes.push(`models used a seeded stratified subsample of ${rows.length} of ${codes.length} rows (maxRows = ${maxRows})`);
  }
  return rows;
}

function remap(codes: Int32Array, from: readonly string[], to: readonly string[]): Int32Array {
  const map = from.map((name) => to.indexOf(name));
  return Int32Array.from(codes, (c) => map[c]);
}

function named(names: readonly string[], values: number[]): FeatureImportance[] {
  return names
    .map((feature, j) => ({ feature, importance: values[j] }))
    .sort((a, b) => b.importance - a.importance || (a.feature < b.feature ? -1 : 1));
}

function checkLengths(features: FeatureMatrix, length: number, what: string): void {
  if (length !== features.n) {
    throw new WorkbenchError(`${what} and features have different numbers of rows`, {
      found: `${length} ${what} for ${features.n} feature rows`,
      expected: "one per row"
    });
  }
}
