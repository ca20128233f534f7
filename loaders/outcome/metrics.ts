/**
 * Metrics for a predicted probability of a binary outcome, defined as scikit-learn defines them
 * so that users can cross-check: roc_auc_score, roc_curve, average_precision_score,
 * brier_score_loss and calibration_curve(strategy="uniform"), plus cumulative gains and lift
 * by decile. `y[i]` is 1 for a positive outcome and 0 otherwise; `score[i]` is the predicted
 * probability (any score for the ranking metrics). Higher is better for ROC AUC and average
 * precision, lower for the Brier score.
 */
import { WorkbenchError } from "../errors.ts";

export type Outcome = ArrayLike<number>;
export type Scores = ArrayLike<number>;

/**
 * The ROC/PR curve's corners as sklearn's `_binary_clf_curve` computes them: rows sorted by
 * score, descending, one point per distinct score; tps[t] and fps[t] count the positives and
 * negatives scoring ≥ thresholds[t]. Counts are integers, so sums below are exact.
 */
interface ThresholdCounts {
  thresholds: number[];
  tps: number[];
  fps: number[];
}

function thresholdCounts(y: Outcome, score: Scores): ThresholdCounts {
  checkInputs(y, score);
  const order = descendingOrder(score);
  const thresholds: number[] = [];
  const tps: number[] = [];
  const fps: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let r = 0; r < order.length; r++) {
    const i = order[r];
    if (y[i] === 1) tp++;
    else fp++;
    // A tie group ends where the next score differs: only then is a threshold reached.
    if (r === order.length - 1 || score[order[r + 1]] !== score[i]) {
      thresholds.push(score[i]);
      tps.push(tp);
      fps.push(fp);
    }
  }
  return { thresholds, tps, fps };
}

/** Row indices by score, descending; equal scores keep row order (stable). */
export function descendingOrder(score: Scores): Int32Array {
  const order = Int32Array.from({ length: score.length }, (_, i) => i);
  return order.sort((a, b) => score[b] - score[a] || a - b);
}

function checkInputs(y: Outcome, score: Scores): void {
  if (y.length !== score.length) {
    throw new WorkbenchError("outcomes and predicted scores have different lengths", {
      found: `${y.length} and ${score.length}`,
      expected: "one score per outcome"
    });
  }
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0 && y[i] !== 1) {
      throw new WorkbenchError(`outcome of row ${i + 1} is not 0 or 1`, { found: String(y[i]), expected: "0 or 1" });
    }
    if (!Number.isFinite(score[i])) {
      throw new WorkbenchError(`predicted score of row ${i + 1} is not a finite number`, { found: String(score[i]) });
    }
  }
}

function classCounts(y: Outcome): { positives: number; negatives: number } {
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i];
  return { positives, negatives: y.length - positives };
}

/**
 * Area under the ROC curve (sklearn roc_auc_score): the trapezoids between the curve's
 * corners, so tied scores count one half, as in the Mann–Whitney U statistic. Undefined with
 * only one class, where sklearn raises: so do we.
 */
export function rocAuc(y: Outcome, score: Scores): number {
  const { tps, fps } = thresholdCounts(y, score);
  const P = tps[tps.length - 1] ?? 0;
  const N = fps[fps.length - 1] ?? 0;
  if (P === 0 || N === 0) {
    throw new WorkbenchError("ROC AUC is undefined when the outcome has only one value", {
      found: `${P} positive and ${N} negative rows`,
      expected: "both outcomes present"
    });
  }
  // Twice the area in units of 1/(P·N): integer arithmetic, one rounding at the end.
  let twice = 0;
  let tpPrev = 0;
  let fpPrev = 0;
  for (let t = 0; t < tps.length; t++) {
    twice += (fps[t] - fpPrev) * (tps[t] + tpPrev);
    tpPrev = tps[t];
    fpPrev = fps[t];
  }
  return twice / (2 * P * N);
}

export interface RocCurve {
  /** False positive rate of each point, from 0 to 1. */
  fpr: number[];
  /** True positive rate of each point, from 0 to 1. */
  tpr: number[];
  /**
   * Score threshold of each point (rows scoring ≥ it are predicted positive). The first point,
   * (0, 0), has Infinity (null in JSON): no row is predicted positive, as in sklearn ≥ 1.3.
   */
  thresholds: number[];
}

/**
 * ROC curve points as sklearn's roc_curve(drop_intermediate=True) (collinear corners dropped),
 * then thinned for plotting to about `maxPoints`: a point is kept when it is at least
 * 2/maxPoints (fpr + tpr distance) from the last kept one, and the ends are always kept. The
 * curve climbs monotonically from (0, 0) to (1, 1), a path of length ≤ 2, so at most
 * maxPoints + 2 points remain.
 */
export function rocCurve(y: Outcome, score: Scores, maxPoints = 200): RocCurve {
  const { thresholds, tps, fps } = thresholdCounts(y, score);
  const P = tps[tps.length - 1] ?? 0;
  const N = fps[fps.length - 1] ?? 0;
  if (P === 0 || N === 0) {
    throw new WorkbenchError("the ROC curve is undefined when the outcome has only one value", {
      found: `${P} positive and ${N} negative rows`,
      expected: "both outcomes present"
    });
  }
  // Corners with the (0, 0) start, then sklearn's drop_intermediate on them.
  const t = [Infinity, ...thresholds];
  const tp = [0, ...tps];
  const fp = [0, ...fps];
  const keep: number[] = [];
  const last = t.length - 1;
  for (let i = 0; i <= last; i++) {
    // sklearn keeps the first and last corner and every corner where the curve bends (a
    // non-zero second difference of the counts); the (0, 0) start is added after that.
    if (i <= 1 || i === last || fp[i + 1] - 2 * fp[i] + fp[i - 1] !== 0 || tp[i + 1] - 2 * tp[i] + tp[i - 1] !== 0) keep.push(i);
  }
  const curve: RocCurve = { fpr: [], tpr: [], thresholds: [] };
  const minStep = 2 / Math.max(1, maxPoints);
  let lastF = -Infinity;
  let lastT = -Infinity;
  keep.forEach((i, r) => {
    const f = fp[i] / N;
    const s = tp[i] / P;
    const end = r === 0 || r === keep.length - 1;
    if (!end && f - lastF + (s - lastT) < minStep) return;
    curve.fpr.push(f);
    curve.tpr.push(s);
    curve.thresholds.push(t[i]);
    lastF = f;
    lastT = s;
  });
  return curve;
}

/**
 * Average precision (sklearn average_precision_score): Σ (R_t − R_{t−1}) · P_t over the
 * distinct score thresholds in descending order, the step-wise area under the
 * precision–recall curve with no interpolation. 0 without positive rows (sklearn returns 0
 * there with a warning).
 */
export function averagePrecision(y: Outcome, score: Scores): number {
  const { tps, fps } = thresholdCounts(y, score);
  const P = tps[tps.length - 1] ?? 0;
  if (P === 0) return 0;
  let ap = 0;
  let tpPrev = 0;
  for (let t = 0; t < tps.length; t++) {
    if (tps[t] > tpPrev) ap += ((tps[t] - tpPrev) / P) * (tps[t] / (tps[t] + fps[t]));
    tpPrev = tps[t];
    if (tps[t] === P) break; // sklearn stops at full recall
  }
  return ap;
}

/** Mean squared difference between probability and outcome (sklearn brier_score_loss); lower is better. */
export function brierScore(y: Outcome, probability: Scores): number {
  checkProbabilities(y, probability);
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (probability[i] - y[i]) ** 2;
  return y.length ? s / y.length : 0;
}

function checkProbabilities(y: Outcome, probability: Scores): void {
  checkInputs(y, probability);
  for (let i = 0; i < probability.length; i++) {
    if (probability[i] < 0 || probability[i] > 1) {
      throw new WorkbenchError(`predicted probability of row ${i + 1} is outside [0, 1]`, { found: String(probability[i]) });
    }
  }
}

export interface CalibrationCurve {
  /** Share of positive outcomes in each non-empty bin (sklearn's prob_true). */
  observed: number[];
  /** Mean predicted probability in each non-empty bin (sklearn's prob_pred). */
  predicted: number[];
  /** Rows in each non-empty bin. */
  count: number[];
  /** Bin edges [low, high] of each non-empty bin (a bin holds low < p ≤ high; the first also p = 0). */
  low: number[];
  high: number[];
}

/**
 * sklearn calibration_curve(y, p, n_bins, strategy="uniform"), with the row count per bin:
 * nBins equal-width bins on [0, 1] with edges as np.linspace computes them, p going to the bin
 * whose upper edge is the first ≥ p (np.searchsorted), empty bins left out.
 */
export function calibrationCurve(y: Outcome, probability: Scores, nBins = 10): CalibrationCurve {
  checkProbabilities(y, probability);
  if (!Number.isInteger(nBins) || nBins < 1) {
    throw new WorkbenchError("invalid parameter nBins", { found: String(nBins), expected: "an integer ≥ 1" });
  }
  const step = 1 / nBins;
  const edges = Float64Array.from({ length: nBins + 1 }, (_, i) => (i === nBins ? 1 : i * step));
  const positives = new Float64Array(nBins);
  const sumP = new Float64Array(nBins);
  const count = new Float64Array(nBins);
  for (let i = 0; i < y.length; i++) {
    const p = probability[i];
    // First inner edge ≥ p (binary search over edges[1..nBins-1]).
    let lo = 1;
    let hi = nBins;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (edges[mid] < p) lo = mid + 1;
      else hi = mid;
    }
    const b = lo - 1;
    positives[b] += y[i];
    sumP[b] += p;
    count[b]++;
  }
  const curve: CalibrationCurve = { observed: [], predicted: [], count: [], low: [], high: [] };
  for (let b = 0; b < nBins; b++) {
    if (count[b] === 0) continue;
    curve.observed.push(positives[b] / count[b]);
    curve.predicted.push(sumP[b] / count[b]);
    curve.count.push(count[b]);
    curve.low.push(edges[b]);
    curve.high.push(edges[b + 1]);
  }
  return curve;
}

export interface GainsRow {
  /** 1..10: the top decile·10 % of customers by predicted probability. */
  decile: number;
  /** Customers in that top share: round(n · decile / 10). */
  customers: number;
  /** customers / n (the exact population share, not decile / 10). */
  populationShare: number;
  /** Positive outcomes among them. */
  positives: number;
  /** Share of all positive outcomes they hold (cumulative gain); 0 without positives. */
  captured: number;
  /** captured / populationShare: how many times better than contacting at random (0 without positives). */
  lift: number;
}

/**
 * Cumulative gains and lift by decile: customers sorted by predicted probability, descending,
 * ties in row order (so the table does not depend on the sort algorithm), and for each decile
 * d the top round(n·d/10) customers.
 */
export function gainsByDecile(y: Outcome, score: Scores): GainsRow[] {
  checkInputs(y, score);
  const n = y.length;
  const { positives: P } = classCounts(y);
  const order = descendingOrder(score);
  const rows: GainsRow[] = [];
  let taken = 0;
  let hits = 0;
  for (let d = 1; d <= 10; d++) {
    const customers = Math.round((n * d) / 10);
    for (; taken < customers; taken++) hits += y[order[taken]];
    const populationShare = n ? customers / n : 0;
    const captured = P ? hits / P : 0;
    rows.push({ decile: d, customers, populationShare, positives: hits, captured, lift: populationShare > 0 ? captured / populationShare : 0 });
  }
  return rows;
}
