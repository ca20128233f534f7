/**
 * Honest validation for outcome models: stratified k-fold splits of the outcome, out-of-fold
 * probabilities (every row scored by a model that never saw it, every fitted statistic —
 * standardisation, bin edges — learned on the training part only), and the metrics of the
 * pooled out-of-fold predictions.
 */
import { WorkbenchError } from "../errors.ts";
import type { FeatureMatrix } from "../matrix.ts";
import { selectRows } from "../matrix.ts";
import type { Rng } from "../rng.ts";
import { complementIndices, stratifiedKFold } from "../evaluate/folds.ts";
import {
  averagePrecision,
  brierScore,
  calibrationCurve,
  gainsByDecile,
  rocAuc,
  rocCurve,
  type CalibrationCurve,
  type GainsRow,
  type RocCurve
} from "./metrics.ts";

/** Names for the outcome's two values in messages. */
const OUTCOME_NAMES = ["0 (no outcome)", "1 (outcome)"];

export interface OutcomeFolds {
  /** Test rows (ascending) of each fold. */
  folds: Int32Array[];
  notes: string[];
}

/**
 * Stratified folds for a binary outcome, drawn from `rng` (its first use). With fewer rows of
 * the rarer outcome than `folds`, the folds drop to that count (at least 2), so that every fold
 * holds both outcomes, and a note says so. Throws when an outcome has fewer than 2 rows.
 */
export function outcomeFolds(y: Uint8Array, folds: number, rng: Rng, name = "outcome"): OutcomeFolds {
  const { positives, negatives } = countOutcomes(y, name);
  const minority = Math.min(positives, negatives);
  if (minority < 2) {
    throw new WorkbenchError("the outcome needs both values, 1 and 0, each in at least 2 rows, to validate a model", {
      column: name,
      found: `${positives} row${positives === 1 ? "" : "s"} with 1 and ${negatives} with 0`,
      expected: "at least 2 of each",
      hint: "Check that this is the right column and that it is coded 1 where the outcome happened, 0 where it did not"
    });
  }
  const notes: string[] = [];
  let k = folds;
  if (minority < folds) {
    k = minority;
    const rarer = positives < negatives ? "positive" : "negative";
    notes.push(`cross-validation uses ${k} folds instead of ${folds}: only ${minority} rows have a ${rarer} outcome, and every fold needs one`);
  }
  return { folds: stratifiedKFold(y, k, rng, OUTCOME_NAMES), notes };
}

/** Counts and validates a 0/1 outcome; `name` is the column named in messages. */
export function countOutcomes(y: ArrayLike<number>, name = "outcome"): { positives: number; negatives: number } {
  let positives = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0 && y[i] !== 1) {
      throw new WorkbenchError(`outcome of row ${i + 1} is not 0 or 1`, {
        column: name,
        found: String(y[i]),
        expected: "1 for the outcome (e.g. churned, responded), 0 otherwise"
      });
    }
    positives += y[i];
  }
  return { positives, negatives: y.length - positives };
}

/** Fits on training rows and returns P(outcome = 1) for test rows, plus what to report of the fit. */
export type Learner = (train: FeatureMatrix, yTrain: Uint8Array, test: FeatureMatrix, rng: Rng) => { probability: Float64Array; iterations: number; converged: boolean };

export interface OutOfFold {
  /** probability[i]: P(outcome) for row i from the model fitted without row i's fold. */
  probability: Float64Array;
  /** Iterations of each fold's fit (Newton steps, or trees). */
  iterations: number[];
  /** Whether each fold's fit converged (always true for boosting). */
  converged: boolean[];
}

/** Out-of-fold probabilities; `rng` gives each fold's fit its own fork, taken in fold order. */
export function outOfFold(matrix: FeatureMatrix, y: Uint8Array, folds: Int32Array[], learner: Learner, rng: Rng, onFold?: () => void): OutOfFold {
  const probability = new Float64Array(matrix.n);
  const iterations: number[] = [];
  const converged: boolean[] = [];
  for (const test of folds) {
    const train = complementIndices(matrix.n, test);
    const fit = learner(selectRows(matrix, train), Uint8Array.from(train, (i) => y[i]), selectRows(matrix, test), rng.fork());
    for (let r = 0; r < test.length; r++) probability[test[r]] = fit.probability[r];
    iterations.push(fit.iterations);
    converged.push(fit.converged);
    onFold?.();
  }
  return { probability, iterations, converged };
}

export interface ProbabilityEvaluation {
  /** ROC AUC of the pooled out-of-fold probabilities (sklearn roc_auc_score); higher is better. */
  rocAuc: number;
  /** ROC AUC within each fold's test rows. */
  foldRocAuc: number[];
  /** sklearn average_precision_score (PR AUC); higher is better; the base rate is chance level. */
  averagePrecision: number;
  /** sklearn brier_score_loss; lower is better. */
  brier: number;
  roc: RocCurve;
  /** sklearn calibration_curve(strategy="uniform", n_bins=10), with counts. */
  calibration: CalibrationCurve;
  /** Cumulative gains and lift by decile. */
  gains: GainsRow[];
}

/** Every metric of pooled out-of-fold probabilities, and the ROC AUC per fold. */
export function evaluateProbabilities(y: Uint8Array, probability: Float64Array, folds: Int32Array[], rocPoints = 200): ProbabilityEvaluation {
  return {
    rocAuc: rocAuc(y, probability),
    foldRocAuc: folds.map((test) => rocAuc(Array.from(test, (i) => y[i]), Array.from(test, (i) => probability[i]))),
    averagePrecision: averagePrecision(y, probability),
    brier: brierScore(y, probability),
    roc: rocCurve(y, probability, rocPoints),
    calibration: calibrationCurve(y, probability, 10),
    gains: gainsByDecile(y, probability)
  };
}
