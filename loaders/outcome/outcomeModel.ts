/**
 * Binary outcome models (churn, campaign response) with honest validation: a logistic
 * regression and gradient-boosted trees, both scored by stratified k-fold cross-validation on
 * the same folds, and the better one by pooled out-of-fold ROC AUC chosen (ties go to the
 * logistic regression, the simpler and more explainable model).
 */
import { checkParam, WorkbenchError } from "../errors.ts";
import type { FeatureMatrix } from "../matrix.ts";
import type { Rng } from "../rng.ts";
import { fitBoosting, predictBoosting, type BoostingParams } from "./boosting.ts";
import { countOutcomes, evaluateProbabilities, outcomeFolds, outOfFold, type Learner, type ProbabilityEvaluation } from "./crossValidate.ts";
import { fitLogistic, predictLogistic, type LogisticParams } from "./logistic.ts";

export type OutcomeModelName = "logistic" | "boosting";

export interface OutcomeModelOptions {
  /** The only source of randomness: the folds are its first draw, then one fork per fold and model. */
  rng: Rng;
  /** Cross-validation folds; default 5 (fewer when the rarer outcome has fewer rows, see notes). */
  folds?: number;
  logistic?: LogisticParams;
  boosting?: BoostingParams;
  /** ROC curve points kept for plotting; default 200. */
  rocPoints?: number;
  /** The outcome column's name, for messages; default "outcome". */
  outcomeName?: string;
  /** Told the share of folds fitted (0..1) after each fold of each model. */
  progress?: (fraction: number) => void;
}

export interface ModelEvaluation extends ProbabilityEvaluation {
  /** Iterations of each fold's fit: Newton steps for the logistic model, trees for boosting. */
  foldIterations: number[];
}

export interface OutcomeModelResult {
  /** Customers, customers with the outcome, and their share (the base rate). */
  n: number;
  positives: number;
  rate: number;
  /** Folds actually used. */
  folds: number;
  models: Record<OutcomeModelName, ModelEvaluation>;
  /** The model with the higher pooled out-of-fold ROC AUC; "logistic" on a tie. */
  chosen: OutcomeModelName;
  /**
   * The chosen model's out-of-fold P(outcome) per row, in matrix row order: each from a model
   * that did not see that row. The only non-JSON value of the result.
   */
  probability: Float64Array;
  /** Plain-English remarks: reduced folds, fits that did not converge. */
  notes: string[];
}

export const logisticLearner =
  (params: LogisticParams = {}): Learner =>
  (train, yTrain, test) => {
    const model = fitLogistic(train, yTrain, params);
    return { probability: predictLogistic(model, test), iterations: model.iterations, converged: model.converged };
  };

export const boostingLearner =
  (params: BoostingParams = {}): Learner =>
  (train, yTrain, test, rng) => {
    const model = fitBoosting(train, yTrain, rng, params);
    return { probability: predictBoosting(model, test), iterations: model.iterations, converged: true };
  };

/**
 * Cross-validates both models on `matrix` (prepared features, one row per customer) against
 * `y` (1 = the outcome happened, 0 = it did not).
 */
export function outcomeModel(matrix: FeatureMatrix, y: Uint8Array, options: OutcomeModelOptions): OutcomeModelResult {
  const { rng, folds: requested = 5, rocPoints = 200, outcomeName = "outcome" } = options;
  checkParam(Number.isInteger(requested) && requested >= 2, "folds", requested, "an integer ≥ 2");
  checkParam(Number.isInteger(rocPoints) && rocPoints >= 2, "rocPoints", rocPoints, "an integer ≥ 2");
  if (y.length !== matrix.n) {
    throw new WorkbenchError("the outcome column and the feature matrix have different numbers of rows", {
      found: `${y.length} and ${matrix.n}`,
      expected: "one outcome per customer row"
    });
  }
  const { positives } = countOutcomes(y, outcomeName);
  const { folds, notes } = outcomeFolds(y, requested, rng, outcomeName);
  const learners: Record<OutcomeModelName, Learner> = {
    logistic: logisticLearner(options.logistic),
    boosting: boostingLearner(options.boosting)
  };
  const models = {} as Record<OutcomeModelName, ModelEvaluation>;
  const probabilities = {} as Record<OutcomeModelName, Float64Array>;
  let fitted = 0;
  const onFold = () => options.progress?.(++fitted / (2 * folds.length));
  for (const name of ["logistic", "boosting"] as const) {
    const oof = outOfFold(matrix, y, folds, learners[name], rng, onFold);
    probabilities[name] = oof.probability;
    models[name] = { ...evaluateProbabilities(y, oof.probability, folds, rocPoints), foldIterations: oof.iterations };
    const stuck = oof.converged.filter((c) => !c).length;
    if (stuck > 0) notes.push(`${name}: the fit did not converge in ${stuck} of ${folds.length} folds; its probabilities are from the last iteration`);
  }
  const chosen: OutcomeModelName = models.boosting.rocAuc > models.logistic.rocAuc ? "boosting" : "logistic";
  return {
    n: matrix.n,
    positives,
    rate: positives / matrix.n,
    folds: folds.length,
    models,
    chosen,
    probability: probabilities[chosen],
    notes
  };
}
