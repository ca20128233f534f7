/**
 * Confusion matrix and the classification metrics derived from it, with scikit-learn's
 * conventions: an undefined ratio (0/0) counts as 0 where sklearn returns 0 with a warning
 * (precision, recall, F1, MCC); Cohen's kappa is null where sklearn returns NaN (both raters
 * use one and the same single class).
 */
import { WorkbenchError } from "../errors.ts";

export interface ConfusionMatrix {
  /** Class names; row/column c of `matrix` is class c. */
  classes: string[];
  /** matrix[t][p] = rows whose true class is t and predicted class is p. */
  matrix: number[][];
}

export interface ClassMetrics {
  class: string;
  precision: number;
  recall: number;
  f1: number;
  /** Rows whose true class is this one. */
  support: number;
}

export interface AveragedMetrics {
  precision: number;
  recall: number;
  f1: number;
}

export interface ClassificationMetrics {
  /** Rows counted. */
  n: number;
  accuracy: number;
  /** Mean recall over classes that occur in the truth (sklearn balanced_accuracy_score). */
  balancedAccuracy: number;
  /** Cohen's kappa; null when undefined (truth and prediction are the same single class). */
  kappa: number | null;
  /** Matthews correlation coefficient, multiclass (Gorodkin's R_K, as sklearn); 0 when undefined. */
  mcc: number;
  perClass: ClassMetrics[];
  /** Unweighted mean over all classes of the matrix (sklearn average="macro" with labels=classes). */
  macro: AveragedMetrics;
  /** Mean weighted by support (sklearn average="weighted"). */
  weighted: AveragedMetrics;
}

/** A confusion matrix with its metrics: the unit every evaluation reports. */
export interface Evaluation {
  confusion: ConfusionMatrix;
  metrics: ClassificationMetrics;
}

/**
 * Counts (truth, prediction) pairs. Labels are either integer codes indexing `classNames`
 * or the class names themselves.
 */
export function confusionMatrix(
  truth: ArrayLike<number> | readonly string[],
  pred: ArrayLike<number> | readonly string[],
  classNames: readonly string[]
): ConfusionMatrix {
  if (truth.length !== pred.length) {
    throw new WorkbenchError("truth and prediction have different lengths", {
      found: `${truth.length} and ${pred.length}`,
      expected: "one prediction per row"
    });
  }
  const m = classNames.length;
  const index = new Map<string, number>();
  classNames.forEach((c, i) => index.set(c, i));
  const code = (v: number | string, what: string): number => {
    const c = typeof v === "string" ? index.get(v) : Number.isInteger(v) && v >= 0 && v < m ? v : undefined;
    if (c === undefined) {
      throw new WorkbenchError(`${what} label is not one of the classes`, {
        found: String(v),
        expected: `one of ${classNames.join(", ")}`
      });
    }
    return c;
  };
  const matrix = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  for (let i = 0; i < truth.length; i++) matrix[code(truth[i], "true")][code(pred[i], "predicted")]++;
  return { classes: [...classNames], matrix };
}

export function classificationMetrics(cm: ConfusionMatrix): ClassificationMetrics {
  const { classes, matrix } = cm;
  const m = classes.length;
  const rowSum = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  const colSum = classes.map((_, p) => matrix.reduce((a, row) => a + row[p], 0));
  const n = rowSum.reduce((a, b) => a + b, 0);
  let correct = 0;
  for (let c = 0; c < m; c++) correct += matrix[c][c];

  const perClass: ClassMetrics[] = classes.map((name, c) => {
    const tp = matrix[c][c];
    const precision = ratio(tp, colSum[c]);
    const recall = ratio(tp, rowSum[c]);
    return { class: name, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support: rowSum[c] };
  });

  const present = perClass.filter((p) => p.support > 0);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const weightedMean = (key: keyof AveragedMetrics) =>
    ratio(perClass.reduce((a, p) => a + p[key] * p.support, 0), n);

  return {
    n,
    accuracy: ratio(correct, n),
    balancedAccuracy: mean(present.map((p) => p.recall)),
    kappa: cohenKappa(matrix, rowSum, colSum, n),
    mcc: matthews(correct, rowSum, colSum, n),
    perClass,
    macro: {
      precision: mean(perClass.map((p) => p.precision)),
      recall: mean(perClass.map((p) => p.recall)),
      f1: mean(perClass.map((p) => p.f1))
    },
    weighted: { precision: weightedMean("precision"), recall: weightedMean("recall"), f1: weightedMean("f1") }
  };
}

/** Confusion matrix plus metrics in one call. */
export function evaluate(
  truth: ArrayLike<number> | readonly string[],
  pred: ArrayLike<number> | readonly string[],
  classNames: readonly string[]
): Evaluation {
  const confusion = confusionMatrix(truth, pred, classNames);
  return { confusion, metrics: classificationMetrics(confusion) };
}

/** Sums confusion matrices over the same classes (e.g. CV folds). */
export function addConfusion(a: ConfusionMatrix, b: ConfusionMatrix): ConfusionMatrix {
  return { classes: a.classes, matrix: a.matrix.map((row, t) => row.map((v, p) => v + b.matrix[t][p])) };
}

/** x / y, or 0 when y is 0 (sklearn's zero_division default, minus the warning). */
function ratio(x: number, y: number): number {
  return y === 0 ? 0 : x / y;
}

/** Unweighted kappa (po − pe)/(1 − pe), written as sklearn does: 1 − Σ off-diagonal observed / expected. */
function cohenKappa(matrix: number[][], rowSum: number[], colSum: number[], n: number): number | null {
  if (n === 0) return null;
  let observedOff = 0;
  let expectedOff = 0;
  for (let t = 0; t < matrix.length; t++) {
    for (let p = 0; p < matrix.length; p++) {
      if (t === p) continue;
      observedOff += matrix[t][p];
      expectedOff += (rowSum[t] * colSum[p]) / n;
    }
  }
  return expectedOff === 0 ? null : 1 - observedOff / expectedOff;
}

/** sklearn.metrics.matthews_corrcoef: covariances from the marginals; 0 if either variance is 0. */
function matthews(correct: number, rowSum: number[], colSum: number[], n: number): number {
  let tp = 0;
  let pp = 0;
  let tt = 0;
  for (let c = 0; c < rowSum.length; c++) {
    tp += rowSum[c] * colSum[c];
    pp += colSum[c] * colSum[c];
    tt += rowSum[c] * rowSum[c];
  }
  const covTP = correct * n - tp;
  const covPP = n * n - pp;
  const covTT = n * n - tt;
  return covPP * covTT === 0 ? 0 : covTP / Math.sqrt(covTT * covPP);
}
