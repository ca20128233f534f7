import { describe, expect, it } from "vitest";
import { WorkbenchError } from "../loaders/errors.ts";
import {
  averagePrecision,
  brierScore,
  calibrationCurve,
  gainsByDecile,
  rocAuc,
  rocCurve
} from "../loaders/outcome/metrics.ts";
import { Rng } from "../loaders/rng.ts";

// 20 rows with tied scores, scores on the calibration bin edges (0.1, 0.3 = 0.29999… < the
// edge 0.30000000000000004, 1.0) and at 0.
const Y = [0, 1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 1, 0, 0, 0];
const P = [0.1, 0.8, 0.3, 0.3, 0.7, 0.3, 0.2, 0.9, 0.1, 0.5, 0.5, 0.0, 0.4, 0.6, 0.7, 1.0, 0.2, 0.05, 0.3, 0.65];

describe("ranking metrics against scikit-learn 1.2.1", () => {
  it("ROC AUC, average precision and Brier score of a fixture with ties", () => {
    // roc_auc_score(Y, P), average_precision_score(Y, P), brier_score_loss(Y, P)
    expect(rocAuc(Y, P)).toBeCloseTo(0.8125000000000001, 14);
    expect(averagePrecision(Y, P)).toBeCloseTo(0.7726190476190476, 14);
    expect(brierScore(Y, P)).toBeCloseTo(0.16674999999999998, 14);
  });

  it("ROC curve points as roc_curve(drop_intermediate=True)", () => {
    // fpr, tpr, thresholds = roc_curve(Y, P); sklearn 1.2 gives thresholds[0] = max + 1 (2.0),
    // sklearn ≥ 1.3 and we give Infinity.
    const c = rocCurve(Y, P);
    const fpr = [0, 0, 0, 0.08333333333333333, 0.16666666666666666, 0.16666666666666666, 0.25, 0.3333333333333333, 0.5833333333333334, 0.6666666666666666, 0.8333333333333334, 1];
    const tpr = [0, 0.125, 0.375, 0.5, 0.5, 0.625, 0.75, 0.75, 0.875, 1, 1, 1];
    expect(c.fpr.length).toBe(fpr.length);
    c.fpr.forEach((v, i) => expect(v).toBeCloseTo(fpr[i], 14));
    c.tpr.forEach((v, i) => expect(v).toBeCloseTo(tpr[i], 14));
    expect(c.thresholds).toEqual([Infinity, 1, 0.8, 0.7, 0.65, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0]);
  });

  it("edge cases: all scores tied, a single positive, perfect and reversed ranking", () => {
    // roc_auc_score / average_precision_score on the same literals.
    expect(rocAuc([0, 1, 0, 1, 1], [0.5, 0.5, 0.5, 0.5, 0.5])).toBe(0.5);
    expect(averagePrecision([0, 1, 0, 1, 1], [0.5, 0.5, 0.5, 0.5, 0.5])).toBeCloseTo(0.6, 15);
    expect(rocAuc([0, 0, 1, 0, 0], [0.1, 0.4, 0.3, 0.2, 0.5])).toBe(0.5);
    expect(averagePrecision([0, 0, 1, 0, 0], [0.1, 0.4, 0.3, 0.2, 0.5])).toBeCloseTo(1 / 3, 15);
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(averagePrecision([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0);
    expect(averagePrecision([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBeCloseTo(0.41666666666666663, 15);
    // roc_curve([0,0,1,1], [.1,.2,.8,.9]) → fpr [0,0,0,1], tpr [0,.5,1,1]
    expect(rocCurve([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toEqual({ fpr: [0, 0, 0, 1], tpr: [0, 0.5, 1, 1], thresholds: [Infinity, 0.9, 0.8, 0.1] });
    expect(rocCurve([0, 1, 0, 1, 1], [0.5, 0.5, 0.5, 0.5, 0.5])).toEqual({ fpr: [0, 1], tpr: [0, 1], thresholds: [Infinity, 0.5] });
  });

  it("one outcome only: ROC AUC is undefined (sklearn raises), average precision is 0", () => {
    expect(() => rocAuc([0, 0, 0], [0.1, 0.2, 0.3])).toThrow(WorkbenchError);
    expect(() => rocAuc([0, 0, 0], [0.1, 0.2, 0.3])).toThrow(/only one value/);
    expect(averagePrecision([0, 0, 0], [0.1, 0.2, 0.3])).toBe(0);
    expect(averagePrecision([1, 1, 1], [0.1, 0.2, 0.3])).toBe(1);
  });

  it("rejects bad input with a message", () => {
    expect(() => rocAuc([0, 1], [0.5])).toThrow(/different lengths/);
    expect(() => rocAuc([0, 2], [0.5, 0.6])).toThrow(/row 2 is not 0 or 1/);
    expect(() => rocAuc([0, 1], [0.5, NaN])).toThrow(/not a finite number/);
    expect(() => brierScore([0, 1], [0.5, 1.5])).toThrow(/outside \[0, 1\]/);
  });

  it("ROC AUC is the Mann–Whitney probability, ties counting one half", () => {
    const rng = new Rng(3);
    const y = Array.from({ length: 300 }, () => (rng.random() < 0.3 ? 1 : 0));
    const s = y.map((v) => Math.round((rng.random() + 0.3 * v) * 20) / 20); // many ties
    let wins = 0;
    let pairs = 0;
    for (let i = 0; i < y.length; i++) {
      for (let j = 0; j < y.length; j++) {
        if (y[i] === 1 && y[j] === 0) {
          pairs++;
          wins += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
        }
      }
    }
    expect(rocAuc(y, s)).toBeCloseTo(wins / pairs, 14);
  });

  it("thins a long ROC curve to about maxPoints, keeping both ends", () => {
    const rng = new Rng(5);
    const y = Array.from({ length: 20_000 }, () => (rng.random() < 0.2 ? 1 : 0));
    const s = y.map((v) => rng.random() + 0.5 * v);
    const c = rocCurve(y, s, 100);
    expect(c.fpr.length).toBeLessThanOrEqual(102);
    expect(c.fpr.length).toBeGreaterThan(50);
    expect([c.fpr[0], c.tpr[0], c.fpr.at(-1), c.tpr.at(-1)]).toEqual([0, 0, 1, 1]);
    for (let i = 1; i < c.fpr.length; i++) {
      expect(c.fpr[i]).toBeGreaterThanOrEqual(c.fpr[i - 1]);
      expect(c.tpr[i]).toBeGreaterThanOrEqual(c.tpr[i - 1]);
    }
  });
});

describe("calibration curve against scikit-learn 1.2.1", () => {
  it("10 uniform bins, empty bins left out, with counts", () => {
    // prob_true, prob_pred = calibration_curve(Y, P, n_bins=10, strategy="uniform")
    const c = calibrationCurve(Y, P, 10);
    const observed = [0, 0.5, 0.25, 0, 0.5, 1, 0.3333333333333333, 1, 1, 1];
    const predicted = [0.0625, 0.2, 0.3, 0.4, 0.5, 0.6, 0.6833333333333332, 0.8, 0.9, 1];
    expect(c.observed.length).toBe(10);
    c.observed.forEach((v, i) => expect(v).toBeCloseTo(observed[i], 14));
    c.predicted.forEach((v, i) => expect(v).toBeCloseTo(predicted[i], 14));
    // By hand: 0, 0.05, 0.1, 0.1 | 0.2, 0.2 | 0.3 ×4 | 0.4 | 0.5 ×2 | 0.6 | 0.65, 0.7, 0.7 | 0.8 | 0.9 | 1
    expect(c.count).toEqual([4, 2, 4, 1, 2, 1, 3, 1, 1, 1]);
    expect(c.count.reduce((a, b) => a + b, 0)).toBe(20);
  });

  it("5 bins", () => {
    // calibration_curve(Y, P, n_bins=5, strategy="uniform")
    const c = calibrationCurve(Y, P, 5);
    const observed = [0.16666666666666666, 0.2, 0.6666666666666666, 0.5, 1];
    const predicted = [0.10833333333333335, 0.31999999999999995, 0.5333333333333333, 0.7125, 0.95];
    c.observed.forEach((v, i) => expect(v).toBeCloseTo(observed[i], 14));
    c.predicted.forEach((v, i) => expect(v).toBeCloseTo(predicted[i], 14));
    expect(c.low).toEqual([0, 0.2, 0.4, 0.6000000000000001, 0.8]);
    expect(c.high).toEqual([0.2, 0.4, 0.6000000000000001, 0.8, 1]);
  });
});

describe("cumulative gains and lift by decile", () => {
  it("counts the positives in the top share, ties in row order", () => {
    // 20 customers, 8 positive; sorted by P descending with ties in row order:
    // rows 15 (1.0, y1), 7 (.9, y1), 1 (.8, y1), 4 (.7, y1), 14 (.7, y0), 19 (.65, y0),
    // 13 (.6, y1), 9 (.5, y0), 10 (.5, y1), 12 (.4, y0), 2, 3 (.3, y0), 5 (.3, y1), 18 (.3, y0),
    // 6 (.2, y0), 16 (.2, y1), then only negatives.
    const g = gainsByDecile(Y, P);
    expect(g.map((r) => r.customers)).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    expect(g.map((r) => r.positives)).toEqual([2, 4, 4, 5, 6, 6, 7, 8, 8, 8]);
    expect(g[0].captured).toBe(0.25);
    expect(g[0].lift).toBe(2.5);
    expect(g[1].lift).toBe(2.5);
    expect(g[9]).toEqual({ decile: 10, customers: 20, populationShare: 1, positives: 8, captured: 1, lift: 1 });
  });

  it("uses round(n·d/10) customers when n is not a multiple of 10", () => {
    const g = gainsByDecile([1, 0, 1, 0, 0, 0, 0], [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]);
    // n = 7: round(0.7) = 1, round(1.4) = 1, round(2.1) = 2, round(2.8) = 3, round(3.5) = 4, …
    expect(g.map((r) => r.customers)).toEqual([1, 1, 2, 3, 4, 4, 5, 6, 6, 7]);
    expect(g[0].lift).toBeCloseTo(0.5 / (1 / 7), 14);
    expect(g[2].positives).toBe(1);
    expect(g[3].positives).toBe(2);
  });

  it("all scores tied: the table follows row order; no positives gives zeros", () => {
    const g = gainsByDecile([0, 0, 0, 0, 0, 1, 1, 1, 1, 1], new Array(10).fill(0.5));
    expect(g.map((r) => r.positives)).toEqual([0, 0, 0, 0, 0, 1, 2, 3, 4, 5]);
    const none = gainsByDecile([0, 0, 0], [0.1, 0.2, 0.3]);
    expect(none.every((r) => r.captured === 0 && r.lift === 0)).toBe(true);
  });
});
