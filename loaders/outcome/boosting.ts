/**
 * Histogram-based gradient-boosted trees for the log-loss of a binary outcome, following
 * scikit-learn's HistGradientBoostingClassifier step by step so that its published behaviour
 * (and our reference tests) carry over: features binned into ≤ 255 bins on the training rows
 * (bins.ts), trees grown best-first on gradient/hessian histograms (the smaller child's built,
 * the larger's by subtraction), at most 31 leaves of at least 20 rows, no L2 penalty, leaf
 * values −G/H shrunk by the learning rate 0.1, 100 iterations, float32 gradients, and early
 * stopping on a held-out 10 % only for training sets above 10,000 rows ("auto").
 *
 * Why boosting and not a random forest: on the same stratified 5 folds (bench/outcome.ts, one
 * thread each), scikit-learn's HistGradientBoostingClassifier beat RandomForestClassifier
 * (200 trees, per-split feature sampling) in pooled ROC AUC on both tables at hand — synthetic
 * 7,000-row churn 0.860 vs 0.853, marketing Response 0.907 vs 0.892 — and in PR AUC (0.735 vs
 * 0.721; 0.643 vs 0.603), with Brier scores 0.131 vs 0.136 and 0.086 vs 0.085. The forest cost
 * 16.9 s against 2.3 s on the 7,000 rows. This implementation reproduces sklearn's pooled
 * out-of-fold predictions on the marketing folds to 1e-16.
 */
import { checkParam, WorkbenchError } from "../errors.ts";
import { selectRows, type FeatureMatrix } from "../matrix.ts";
import type { Rng } from "../rng.ts";
import { stratifiedHoldout } from "../evaluate/folds.ts";
import { applyBins, binEdges, type BinEdges } from "./bins.ts";

export interface BoostingParams {
  /** Shrinkage of every leaf value; default 0.1. */
  learningRate?: number;
  /** Boosting iterations (trees) at most; default 100. */
  maxIter?: number;
  /** Leaves per tree at most; default 31. */
  maxLeafNodes?: number;
  /** Tree depth limit (root at depth 0); default null, none. */
  maxDepth?: number | null;
  /** Rows per leaf at least; default 20. */
  minSamplesLeaf?: number;
  /** L2 penalty on leaf values; default 0. */
  l2Regularization?: number;
  /** Bins per feature at most; default 255. */
  maxBins?: number;
  /**
   * Stop when the held-out log-loss has not improved by more than `tol` for `nIterNoChange`
   * iterations. "auto" (default) turns it on above 10,000 training rows, as sklearn does. Off
   * when an outcome has fewer than 2 rows (it could not be on both sides of the hold-out).
   */
  earlyStopping?: "auto" | boolean;
  /** Share of the training rows held out for early stopping (stratified); default 0.1. */
  validationFraction?: number;
  nIterNoChange?: number;
  tol?: number;
}

export const BOOSTING_DEFAULTS: Required<BoostingParams> = {
  learningRate: 0.1,
  maxIter: 100,
  maxLeafNodes: 31,
  maxDepth: null,
  minSamplesLeaf: 20,
  l2Regularization: 0,
  maxBins: 255,
  earlyStopping: "auto",
  validationFraction: 0.1,
  nIterNoChange: 10,
  tol: 1e-7
};

/** sklearn's min_hessian_to_split: a child with less total hessian is not made. */
const MIN_HESSIAN_TO_SPLIT = 1e-3;

/**
 * One tree as parallel arrays over its nodes (node 0 is the root). A split node sends x with
 * x[feature] ≤ threshold to `left`, else to `right`; a leaf has feature −1 and adds `value` to
 * the raw prediction (log-odds).
 */
export interface BoostedTree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

export interface BoostingModel {
  featureNames: string[];
  params: Required<BoostingParams>;
  /** Log-odds of the training base rate: every prediction starts here. */
  baseline: number;
  trees: BoostedTree[];
  /** Iterations run (= trees; fewer than maxIter when early stopping stopped). */
  iterations: number;
  earlyStopped: boolean;
}

export function fitBoosting(X: FeatureMatrix, y: ArrayLike<number>, rng: Rng, params: BoostingParams = {}): BoostingModel {
  const p = { ...BOOSTING_DEFAULTS, ...params };
  checkParams(p);
  if (y.length !== X.n) {
    throw new WorkbenchError("features and outcomes have different numbers of rows", { found: `${X.n} and ${y.length}`, expected: "one outcome per row" });
  }
  if (X.n === 0) throw new WorkbenchError("cannot fit gradient boosting on zero rows");
  let positivesAll = 0;
  for (let i = 0; i < y.length; i++) positivesAll += y[i];
  // Early stopping holds out a stratified share: each outcome needs a row on both sides.
  const stop = (p.earlyStopping === "auto" ? X.n > 10_000 : p.earlyStopping) && Math.min(positivesAll, X.n - positivesAll) >= 2;
  let train = X;
  let yTrain: ArrayLike<number> = y;
  let valid: FeatureMatrix | null = null;
  let yValid: Uint8Array | null = null;
  if (stop) {
    const split = stratifiedHoldout(Array.from(y), p.validationFraction, rng);
    train = selectRows(X, split.train);
    yTrain = Uint8Array.from(split.train, (i) => y[i]);
    valid = selectRows(X, split.test);
    yValid = Uint8Array.from(split.test, (i) => y[i]);
  }
  const n = train.n;
  const d = train.d;
  const edges = binEdges(train, p.maxBins);
  const bins = applyBins(train, edges);
  const grower = new Grower(bins, n, d, edges, p);

  let positives = 0;
  for (let i = 0; i < n; i++) positives += yTrain[i];
  const eps = 10 * Number.EPSILON;
  const mean = Math.min(Math.max(positives / n, eps), 1 - eps);
  const baseline = Math.log(mean / (1 - mean));

  const raw = new Float64Array(n).fill(baseline);
  const gradients = new Float32Array(n);
  const hessians = new Float32Array(n);
  const rawValid = valid ? new Float64Array(valid.n).fill(baseline) : null;
  const scores: number[] = [];
  if (valid) scores.push(-meanLogLoss(yValid!, rawValid!));

  const trees: BoostedTree[] = [];
  let earlyStopped = false;
  for (let it = 0; it < p.maxIter; it++) {
    gradientsHessians(yTrain, raw, gradients, hessians);
    const tree = grower.grow(gradients, hessians, raw);
    trees.push(tree);
    if (valid) {
      addTree(tree, valid, rawValid!);
      scores.push(-meanLogLoss(yValid!, rawValid!));
      if (shouldStop(scores, p.nIterNoChange, p.tol)) {
        earlyStopped = true;
        break;
      }
    }
  }
  return { featureNames: X.names.slice(), params: p, baseline, trees, iterations: trees.length, earlyStopped };
}

/** P(outcome = 1) for each row of X. */
export function predictBoosting(model: BoostingModel, X: FeatureMatrix): Float64Array {
  if (X.d !== model.featureNames.length) {
    throw new WorkbenchError("rows to score have a different number of features than the training rows", {
      found: String(X.d),
      expected: String(model.featureNames.length)
    });
  }
  const raw = new Float64Array(X.n).fill(model.baseline);
  for (const tree of model.trees) addTree(tree, X, raw);
  for (let i = 0; i < X.n; i++) raw[i] = expit(raw[i]);
  return raw;
}

function checkParams(p: Required<BoostingParams>): void {
  checkParam(p.learningRate > 0, "learningRate", p.learningRate, "a positive number");
  checkParam(Number.isInteger(p.maxIter) && p.maxIter >= 1, "maxIter", p.maxIter, "an integer ≥ 1");
  checkParam(Number.isInteger(p.maxLeafNodes) && p.maxLeafNodes >= 2, "maxLeafNodes", p.maxLeafNodes, "an integer ≥ 2");
  checkParam(p.maxDepth === null || (Number.isInteger(p.maxDepth) && p.maxDepth >= 1), "maxDepth", p.maxDepth, "null or an integer ≥ 1");
  checkParam(Number.isInteger(p.minSamplesLeaf) && p.minSamplesLeaf >= 1, "minSamplesLeaf", p.minSamplesLeaf, "an integer ≥ 1");
  checkParam(p.l2Regularization >= 0, "l2Regularization", p.l2Regularization, "a number ≥ 0");
  checkParam(p.validationFraction > 0 && p.validationFraction < 1, "validationFraction", p.validationFraction, "a number strictly between 0 and 1");
  checkParam(Number.isInteger(p.nIterNoChange) && p.nIterNoChange >= 1, "nIterNoChange", p.nIterNoChange, "an integer ≥ 1");
  checkParam(p.tol >= 0, "tol", p.tol, "a number ≥ 0");
}

/**
 * Gradient and hessian of the half binomial loss in the raw predictions, as sklearn's _loss
 * computes them, stored as float32 as sklearn stores them.
 */
function gradientsHessians(y: ArrayLike<number>, raw: Float64Array, gradients: Float32Array, hessians: Float32Array): void {
  for (let i = 0; i < raw.length; i++) {
    const z = raw[i];
    if (z > -37) {
      const e = Math.exp(-z);
      gradients[i] = (1 - y[i] - y[i] * e) / (1 + e);
      hessians[i] = e / ((1 + e) * (1 + e));
    } else {
      const e = Math.exp(z);
      gradients[i] = e - y[i];
      hessians[i] = e;
    }
  }
}

function expit(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Mean log-loss of raw predictions (log-odds). */
function meanLogLoss(y: ArrayLike<number>, raw: Float64Array): number {
  let s = 0;
  for (let i = 0; i < raw.length; i++) {
    const z = raw[i];
    s += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - y[i] * z;
  }
  return s / raw.length;
}

/** sklearn's _should_stop: no score in the last n beats the one n + 1 back by more than tol. */
function shouldStop(scores: number[], nIterNoChange: number, tol: number): boolean {
  const ref = nIterNoChange + 1;
  if (scores.length < ref) return false;
  const reference = scores[scores.length - ref] + tol;
  for (let s = scores.length - ref + 1; s < scores.length; s++) if (scores[s] > reference) return false;
  return true;
}

function addTree(tree: BoostedTree, X: FeatureMatrix, raw: Float64Array): void {
  const { n, d, data } = X;
  const { feature, threshold, left, right, value } = tree;
  for (let i = 0; i < n; i++) {
    let node = 0;
    while (feature[node] >= 0) node = data[i * d + feature[node]] <= threshold[node] ? left[node] : right[node];
    raw[i] += value[node];
  }
}

interface Split {
  gain: number;
  feature: number;
  bin: number;
  gLeft: number;
  hLeft: number;
  nLeft: number;
  gRight: number;
  hRight: number;
  nRight: number;
}

interface GrowNode {
  id: number;
  depth: number;
  start: number;
  stop: number;
  sumG: number;
  sumH: number;
  value: number;
  hist: Histogram | null;
  split: Split | null;
}

/**
 * Gradient sum, hessian sum and row count of each (feature, bin), interleaved (one cache line
 * per update) and the features laid end to end: feature j's bin b at offset3[j] + 3b.
 */
type Histogram = Float64Array;

/**
 * Grows one tree on binned rows (row-major: bins[i·d + j]). Holds the buffers reused across
 * iterations: the row partition and a pool of histograms.
 */
class Grower {
  private readonly nBins: Int32Array;
  /** Where feature j's bins start in a histogram: 3 × the bins of the features before it. */
  private readonly offset3: Int32Array;
  private readonly partition: Int32Array;
  private readonly scratch: Int32Array;
  private readonly histogramLength: number;
  private readonly pool: Histogram[] = [];
  /** Marks of visited bins during a subtraction (all 0 between calls). */
  private readonly touched: Uint8Array;

  constructor(
    private readonly bins: Uint8Array,
    private readonly n: number,
    private readonly d: number,
    private readonly edges: BinEdges[],
    private readonly p: Required<BoostingParams>
  ) {
    this.nBins = Int32Array.from(edges, (e) => e.length + 1);
    this.offset3 = new Int32Array(d);
    let total = 0;
    for (let j = 0; j < d; j++) {
      this.offset3[j] = 3 * total;
      total += this.nBins[j];
    }
    this.histogramLength = 3 * total;
    this.touched = new Uint8Array(3 * total);
    this.partition = new Int32Array(n);
    this.scratch = new Int32Array(n);
  }

  /** A tree fitted to the gradients; adds its (shrunk) leaf values to `raw` for the training rows. */
  grow(gradients: Float32Array, hessians: Float32Array, raw: Float64Array): BoostedTree {
    const { n, p } = this;
    for (let i = 0; i < n; i++) this.partition[i] = i;
    let sumG = 0;
    let sumH = 0;
    for (let i = 0; i < n; i++) {
      sumG += gradients[i];
      sumH += hessians[i];
    }
    const tree: BoostedTree = { feature: [], threshold: [], left: [], right: [], value: [] };
    const newNode = (depth: number, start: number, stop: number, g: number, h: number, value: number): GrowNode => {
      const id = tree.feature.length;
      tree.feature.push(-1);
      tree.threshold.push(0);
      tree.left.push(-1);
      tree.right.push(-1);
      tree.value.push(0);
      return { id, depth, start, stop, sumG: g, sumH: h, value, hist: null, split: null };
    };
    const leaves: GrowNode[] = [];
    const splittable: GrowNode[] = [];
    const finalize = (node: GrowNode) => {
      leaves.push(node);
      if (node.hist) this.release(node.hist);
      node.hist = null;
    };
    const pushIfSplittable = (node: GrowNode) => {
      node.split = this.bestSplit(node);
      if (node.split === null) finalize(node);
      else splittable.push(node);
    };

    // sklearn gives the root value 0, which only shifts the root's gains by a constant.
    const root = newNode(0, 0, n, sumG, sumH, 0);
    if (n < 2 * p.minSamplesLeaf || sumH < MIN_HESSIAN_TO_SPLIT) finalize(root);
    else {
      root.hist = this.buildHistogram(root, gradients, hessians);
      pushIfSplittable(root);
    }

    while (splittable.length > 0) {
      // Highest gain first; the earliest pushed wins a tie.
      let best = 0;
      for (let s = 1; s < splittable.length; s++) if (splittable[s].split!.gain > splittable[best].split!.gain) best = s;
      const node = splittable.splice(best, 1)[0];
      const split = node.split!;
      const mid = this.partitionRows(node, split);
      const depth = node.depth + 1;
      const l2 = p.l2Regularization;
      const left = newNode(depth, node.start, mid, split.gLeft, split.hLeft, nodeValue(split.gLeft, split.hLeft, l2));
      const right = newNode(depth, mid, node.stop, split.gRight, split.hRight, nodeValue(split.gRight, split.hRight, l2));
      tree.feature[node.id] = split.feature;
      tree.threshold[node.id] = this.edges[split.feature][split.bin];
      tree.left[node.id] = left.id;
      tree.right[node.id] = right.id;

      const nLeaves = leaves.length + splittable.length + 2;
      let leftLeaf = false;
      let rightLeaf = false;
      if (nLeaves === p.maxLeafNodes) {
        finalize(left);
        finalize(right);
        for (const s of splittable.splice(0)) finalize(s);
        this.release(node.hist!);
        break;
      }
      if (p.maxDepth !== null && depth === p.maxDepth) {
        leftLeaf = rightLeaf = true;
      } else {
        leftLeaf = mid - node.start < 2 * p.minSamplesLeaf;
        rightLeaf = node.stop - mid < 2 * p.minSamplesLeaf;
      }
      if (!leftLeaf || !rightLeaf) {
        // Build the smaller child's histogram (the right one on a tie, as sklearn), subtract for the other.
        const leftSmaller = mid - node.start < node.stop - mid;
        const small = leftSmaller ? left : right;
        const large = leftSmaller ? right : left;
        small.hist = this.buildHistogram(small, gradients, hessians);
        // The larger child's histogram only matters if it may be split; it takes over the parent's.
        if (!(leftSmaller ? rightLeaf : leftLeaf)) {
          this.subtractInPlace(node.hist!, small);
          large.hist = node.hist;
          node.hist = null;
        }
      }
      if (node.hist) this.release(node.hist);
      node.hist = null;
      if (leftLeaf) finalize(left);
      else pushIfSplittable(left);
      if (rightLeaf) finalize(right);
      else pushIfSplittable(right);
    }

    for (const leaf of leaves) {
      const v = leaf.value * p.learningRate;
      tree.value[leaf.id] = v;
      for (let r = leaf.start; r < leaf.stop; r++) raw[this.partition[r]] += v;
    }
    return tree;
  }

  private acquire(): Histogram {
    return this.pool.pop() ?? new Float64Array(this.histogramLength);
  }

  private release(h: Histogram): void {
    this.pool.push(h);
  }

  /**
   * Sums of the node's rows per (feature, bin). Bins are row-major, so each row's updates go to
   * d different features' bins: no update waits for the one before (column by column, runs of
   * rows in the same bin would), while each bin still sums its rows in partition order.
   */
  private buildHistogram(node: GrowNode, gradients: Float32Array, hessians: Float32Array): Histogram {
    const hist = this.acquire();
    hist.fill(0);
    const { d, bins, partition, offset3 } = this;
    for (let r = node.start; r < node.stop; r++) {
      const i = partition[r];
      const g = gradients[i];
      const h = hessians[i];
      const row = i * d;
      for (let j = 0; j < d; j++) {
        const b = offset3[j] + 3 * bins[row + j];
        hist[b] += g;
        hist[b + 1] += h;
        hist[b + 2]++;
      }
    }
    return hist;
  }

  /**
   * parent − child, bin by bin, into `parent` (sklearn's histogram subtraction). A bin the child
   * has no rows in stays as it is (x − 0 = x exactly), so for a small child only the bins its
   * rows fall in are visited, each once.
   */
  private subtractInPlace(parent: Histogram, child: GrowNode): void {
    const hist = child.hist!;
    const { d, bins, partition, offset3, touched } = this;
    const m = child.stop - child.start;
    if (2 * m * d >= parent.length) {
      for (let b = 0; b < parent.length; b++) parent[b] -= hist[b];
      return;
    }
    for (let r = child.start; r < child.stop; r++) {
      const row = partition[r] * d;
      for (let j = 0; j < d; j++) {
        const b = offset3[j] + 3 * bins[row + j];
        if (touched[b]) continue;
        touched[b] = 1;
        parent[b] -= hist[b];
        parent[b + 1] -= hist[b + 1];
        parent[b + 2] -= hist[b + 2];
      }
    }
    for (let r = child.start; r < child.stop; r++) {
      const row = partition[r] * d;
      for (let j = 0; j < d; j++) touched[offset3[j] + 3 * bins[row + j]] = 0;
    }
  }

  /**
   * The best split of a node as sklearn's splitter finds it: for each feature, bins scanned
   * left to right, rows in bins ≤ b going left; both sides need minSamplesLeaf rows and a
   * hessian of 1e-3; gain = loss(node) − loss(left) − loss(right) with loss = G·value and
   * value = −G/(H + λ); the first strictly best (feature, bin) wins; null if no gain > 0.
   */
  private bestSplit(node: GrowNode): Split | null {
    const { d, nBins, offset3, p } = this;
    const hist = node.hist!;
    const msl = p.minSamplesLeaf;
    const l2 = p.l2Regularization;
    const nNode = node.stop - node.start;
    const G = node.sumG;
    const H = node.sumH;
    const lossNode = G * node.value;
    let best: Split | null = null;
    let bestGain = 0;
    for (let j = 0; j < d; j++) {
      const off = offset3[j];
      let gl = 0;
      let hl = 0;
      let nl = 0;
      let featureBest = -Infinity;
      let featureBin = -1;
      let fgl = 0;
      let fhl = 0;
      let fnl = 0;
      for (let b = 0; b < nBins[j] - 1; b++) {
        const at = off + 3 * b;
        // An empty bin moves nothing: same sums, same gain, never strictly better.
        if (hist[at + 2] === 0) continue;
        gl += hist[at];
        hl += hist[at + 1];
        nl += hist[at + 2];
        const nr = nNode - nl;
        const hr = H - hl;
        const gr = G - gl;
        if (nl < msl) continue;
        if (nr < msl) break;
        if (hl < MIN_HESSIAN_TO_SPLIT) continue;
        if (hr < MIN_HESSIAN_TO_SPLIT) break;
        // loss(node) − G_L·value_L − G_R·value_R, with value = −G/(H + λ + 1e-15) written out.
        const gain = lossNode + gl * (gl / (hl + l2 + 1e-15)) + gr * (gr / (hr + l2 + 1e-15));
        if (gain > featureBest && gain > 0) {
          featureBest = gain;
          featureBin = b;
          fgl = gl;
          fhl = hl;
          fnl = nl;
        }
      }
      if (featureBin >= 0 && featureBest > bestGain) {
        bestGain = featureBest;
        best = { gain: featureBest, feature: j, bin: featureBin, gLeft: fgl, hLeft: fhl, nLeft: fnl, gRight: G - fgl, hRight: H - fhl, nRight: nNode - fnl };
      }
    }
    return best;
  }

  /** Stable partition of the node's rows: bin ≤ split bin first. Returns the boundary. */
  private partitionRows(node: GrowNode, split: Split): number {
    const { partition, scratch, bins, d } = this;
    const f = split.feature;
    let l = node.start;
    let r = 0;
    for (let k = node.start; k < node.stop; k++) {
      const i = partition[k];
      if (bins[i * d + f] <= split.bin) partition[l++] = i;
      else scratch[r++] = i;
    }
    partition.set(scratch.subarray(0, r), l);
    return l;
  }
}

/** Leaf value −G/(H + λ) (sklearn adds 1e-15 to keep an empty hessian finite). */
function nodeValue(g: number, h: number, l2: number): number {
  return -g / (h + l2 + 1e-15);
}
