import { beforeAll, describe, expect, it } from "vitest";
import { WorkbenchError } from "../loaders/errors.ts";
import { prepareDataset } from "../loaders/experiment/pipeline.ts";
import { findDataset, loadManifest } from "../loaders/manifest/load.ts";
import type { FeatureMatrix } from "../loaders/matrix.ts";
import { outcomeIndicator, withColumns } from "../loaders/outcome/columns.ts";
import { outcomeFolds } from "../loaders/outcome/crossValidate.ts";
import { fitLogistic } from "../loaders/outcome/logistic.ts";
import { rocAuc } from "../loaders/outcome/metrics.ts";
import { outcomeModel, type OutcomeModelResult } from "../loaders/outcome/outcomeModel.ts";
import { churnCustomers } from "../loaders/outcome/synthetic.ts";
import { Rng } from "../loaders/rng.ts";

/** The marketing table's prepared features plus the earlier campaigns; Response as the outcome. */
function marketing(): { matrix: FeatureMatrix; y: Uint8Array } {
  const { prepared } = prepareDataset(findDataset(loadManifest(), "marketing"));
  const earlier = [1, 2, 3, 4, 5].map((c) => ({ name: `AcceptedCmp${c}`, values: prepared.profile[`AcceptedCmp${c}`] }));
  return { matrix: withColumns(prepared.matrix, earlier), y: outcomeIndicator(prepared.outcome!, { column: "Response" }).y };
}

const json = (r: OutcomeModelResult) => JSON.stringify({ ...r, probability: Array.from(r.probability) });

describe("outcomeModel on the marketing campaign table (Response)", () => {
  let matrix: FeatureMatrix;
  let y: Uint8Array;
  let result: OutcomeModelResult;
  beforeAll(() => {
    ({ matrix, y } = marketing());
    result = outcomeModel(matrix, y, { rng: new Rng(42) });
  });

  it("counts the outcome and uses 5 stratified folds", () => {
    expect([result.n, result.positives, result.folds]).toEqual([2240, 334, 5]);
    expect(result.rate).toBeCloseTo(334 / 2240, 15);
    expect(result.notes).toEqual([]);
    const { folds } = outcomeFolds(y, 5, new Rng(42));
    expect(folds.map((f) => f.length)).toEqual([448, 448, 448, 448, 448]);
    expect(folds.map((f) => Array.from(f).filter((i) => y[i] === 1).length)).toEqual([66, 67, 67, 67, 67]);
  });

  // scikit-learn 1.2.1 on the same matrix, outcome and folds (outcomeFolds(y, 5, new Rng(42))
  // written to files): per fold, fit on the other four and predict_proba the fold; metrics of
  // the pooled predictions with roc_auc_score, average_precision_score, brier_score_loss.
  it("boosting reproduces HistGradientBoostingClassifier(random_state=0) on the same folds", () => {
    const b = result.models.boosting;
    expect(b.rocAuc).toBeCloseTo(0.9073293601673883, 10);
    expect(b.averagePrecision).toBeCloseTo(0.6425778251774157, 10);
    expect(b.brier).toBeCloseTo(0.08576344338454399, 10);
    const folds = [0.8976082817705855, 0.9141301367179849, 0.9412778626552278, 0.9108003290633447, 0.873349786500568];
    b.foldRocAuc.forEach((v, k) => expect(v).toBeCloseTo(folds[k], 10));
    expect(b.foldIterations).toEqual([100, 100, 100, 100, 100]);
  });

  it("logistic regression matches make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))", () => {
    // sklearn's lbfgs stops ~1e-4 short of the optimum in the coefficients; ours solves to it.
    const l = result.models.logistic;
    expect(l.rocAuc).toBeCloseTo(0.9032561843783578, 3);
    expect(l.averagePrecision).toBeCloseTo(0.651833524488397, 3);
    expect(l.brier).toBeCloseTo(0.07977720128115826, 4);
    const folds = [0.8720252260828177, 0.9159321502722608, 0.9059819015160417, 0.9346965957613508, 0.889763779527559];
    l.foldRocAuc.forEach((v, k) => expect(v).toBeCloseTo(folds[k], 3));
  });

  it("fits sklearn's coefficients on all 2,240 rows", () => {
    const m = fitLogistic(matrix, y);
    // make_pipeline(StandardScaler(), LogisticRegression(solver="newton-cg", tol=1e-10,
    // max_iter=10000)).fit(X, y)[-1]. The default LogisticRegression() (lbfgs) stops within
    // 1.5e-4 of these: its intercept is -3.001006830603637.
    expect(m.intercept).toBeCloseTo(-3.0010624214990274, 7);
    const coef = [
      -0.136659097, -0.232555537, -0.349612873, -0.158998257, 0.105987596, 0.389455764, 0.020538625, 0.057910124, 0.235483075,
      -0.288335852, 0.332496154, -0.221475662, 0.142905408, 0.01393864, 0.252536531, 0.144314355, -0.548830954, 0.798499216,
      -0.941961583, -1.023524996, 0.133763836, 0.902852768, -0.25888179, 0.104984166, 0.204408856, 0.232480788, 0.118090842,
      0.77935779, -0.621657187, 0.509962466, 0.404734249, 0.214282297, 0.483996118, 0.316075589, 0.529458565
    ];
    expect(m.coef).toHaveLength(35);
    m.coef.forEach((c, j) => expect(Math.abs(c - coef[j])).toBeLessThan(1e-8));
    expect(Math.abs(m.intercept - -3.001006830603637)).toBeLessThan(1e-4);
  });

  it("chooses the higher pooled ROC AUC and returns that model's out-of-fold probabilities", () => {
    expect(result.chosen).toBe("boosting");
    expect(result.probability).toHaveLength(2240);
    expect(rocAuc(y, result.probability)).toBe(result.models.boosting.rocAuc);
    // Gains: the top 10 % of customers hold several times their share of responders.
    const top = result.models.boosting.gains[0];
    expect(top.customers).toBe(224);
    expect(top.lift).toBeGreaterThan(4);
    expect(result.models.boosting.gains[9].captured).toBe(1);
    expect(result.models.boosting.calibration.count.reduce((a, b) => a + b, 0)).toBe(2240);
    expect(result.models.logistic.roc.fpr.length).toBeLessThanOrEqual(202);
  });

  it("is byte-identical for the same input and seed, and plain JSON apart from the probabilities", () => {
    const again = outcomeModel(matrix, y, { rng: new Rng(42) });
    expect(json(again)).toBe(json(result));
    const { probability, ...rest } = result;
    const parsed = JSON.parse(JSON.stringify(rest));
    // Only the ROC curve's first threshold (Infinity) changes in JSON: it becomes null.
    expect(parsed.models.logistic.roc.thresholds[0]).toBeNull();
    parsed.models.logistic.roc.thresholds[0] = Infinity;
    parsed.models.boosting.roc.thresholds[0] = Infinity;
    expect(parsed).toEqual(rest);
    expect(probability).toBeInstanceOf(Float64Array);
  });
});

describe("outcomeModel on a synthetic churn table", () => {
  it("both models learn the planted signal: close to the true probabilities' AUC", () => {
    const { matrix, y, truth } = churnCustomers({ n: 2000, seed: 3 });
    expect(matrix.d).toBe(41);
    const r = outcomeModel(matrix, y, { rng: new Rng(1) });
    const oracle = rocAuc(y, truth);
    expect(r.models.logistic.rocAuc).toBeGreaterThan(oracle - 0.03);
    // Trees need more rows to catch the smooth main effects: at 7,000 rows the gap is 0.02.
    expect(r.models.boosting.rocAuc).toBeGreaterThan(oracle - 0.07);
    expect(r.models[r.chosen].rocAuc).toBe(Math.max(r.models.logistic.rocAuc, r.models.boosting.rocAuc));
  });
});

describe("outcomeModel with a rare or missing outcome", () => {
  const rng = new Rng(6);
  const n = 60;
  const matrix: FeatureMatrix = { names: ["a", "b"], n, d: 2, data: Float64Array.from({ length: 2 * n }, () => rng.normal()) };

  it("drops to as many folds as the rarer outcome has rows, and says so", () => {
    const y = new Uint8Array(n);
    y[3] = y[20] = y[41] = 1;
    const r = outcomeModel(matrix, y, { rng: new Rng(1) });
    expect(r.folds).toBe(3);
    expect(r.notes).toEqual(["cross-validation uses 3 folds instead of 5: only 3 rows have a positive outcome, and every fold needs one"]);
    expect(r.models.logistic.foldRocAuc).toHaveLength(3);
  });

  it("refuses an outcome with fewer than 2 rows of either value", () => {
    const one = new Uint8Array(n);
    one[7] = 1;
    expect(() => outcomeModel(matrix, one, { rng: new Rng(1) })).toThrow(WorkbenchError);
    expect(() => outcomeModel(matrix, one, { rng: new Rng(1), outcomeName: "Churn" })).toThrow(
      'column "Churn": the outcome needs both values, 1 and 0, each in at least 2 rows, to validate a model; found "1 row with 1 and 59 with 0", expected at least 2 of each'
    );
    expect(() => outcomeModel(matrix, new Uint8Array(n).fill(1), { rng: new Rng(1) })).toThrow(/found "60 rows with 1 and 0 with 0"/);
  });

  it("rejects a wrong-length or non-0/1 outcome and bad folds", () => {
    expect(() => outcomeModel(matrix, new Uint8Array(n - 1), { rng: new Rng(1) })).toThrow(/different numbers of rows/);
    const bad = new Uint8Array(n);
    bad[0] = 2;
    expect(() => outcomeModel(matrix, bad, { rng: new Rng(1) })).toThrow(/row 1 is not 0 or 1/);
    expect(() => outcomeModel(matrix, new Uint8Array(n), { rng: new Rng(1), folds: 1 })).toThrow(/invalid parameter folds/);
  });

  it("reads the outcome's texts as 0/1: the usual codings by themselves, others by their named positive value", () => {
    expect(outcomeIndicator(["0", "1", null, "1"], { column: "Response" })).toEqual({
      y: Uint8Array.from([0, 1, 1]),
      rows: Int32Array.from([0, 1, 3]),
      positive: "1",
      negatives: ["0"],
      missing: 1
    });
    expect(outcomeIndicator(["No", "Yes", "no"], { column: "Churn" }).positive).toBe("Yes");
    expect(Array.from(outcomeIndicator(["gold", "silver", "bronze"], { column: "Tier", positive: "gold" }).y)).toEqual([1, 0, 0]);
    expect(() => outcomeIndicator(["left", "stayed"], { column: "Status" })).toThrow(/column "Status": cannot tell which value of the outcome means it happened; found "values \\"left\\", \\"stayed\\""\. Name it in data\/manifest\.json: "Status": \{"role": "outcome", "positive": "left"\}/);
    expect(() => outcomeIndicator(["a", "b"], { column: "X", positive: "c" })).toThrow(/column "X": the outcome's positive value never occurs; found "c"/);
  });
});
