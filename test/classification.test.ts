import { describe, expect, it } from "vitest";
import { addConfusion, classificationMetrics, confusionMatrix, evaluate } from "../loaders/evaluate/classification.ts";
import { WorkbenchError } from "../loaders/errors.ts";

/** [truth, prediction, classes], one character per row. */
const CASES: Record<string, [string, string, string]> = {
  imbalanced: ["aaaaaaaabb", "aaaaaaabab", "ab"],
  neverPredicted: ["aaabbcccc", "aabbaaaab", "abc"],
  perfect: ["abcabca", "abcabca", "abc"],
  allOneClassWrong: ["aaaaaa", "aaabab", "ab"],
  allOneClassPerfect: ["aaaa", "aaaa", "a"],
  multiclass: ["abcdabcdaabc", "abddbbcaaacc", "abcd"],
  predictedOnly: ["aabbaab", "acbbabc", "abc"]
};

/**
 * Expected values from scikit-learn 1.2.1 (/usr/bin/python3), printed by this script
 * (kappa NaN printed as null):
 *
 * import json, warnings; warnings.filterwarnings("ignore")
 * from sklearn.metrics import *
 * cases = {
 *  "imbalanced": (list("aaaaaaaabb"), list("aaaaaaabab"), list("ab")),
 *  "neverPredicted": (list("aaabbcccc"), list("aabbaaaab"), list("abc")),
 *  "perfect": (list("abcabca"), list("abcabca"), list("abc")),
 *  "allOneClassWrong": (list("aaaaaa"), list("aaabab"), list("ab")),
 *  "allOneClassPerfect": (list("aaaa"), list("aaaa"), list("a")),
 *  "multiclass": (list("abcdabcdaabc"), list("abddbbcaaacc"), list("abcd")),
 *  "predictedOnly": (list("aabbaab"), list("acbbabc"), list("abc")),
 * }
 * out = {}
 * for k, (t, p, L) in cases.items():
 *   pr, rc, f1, s = precision_recall_fscore_support(t, p, labels=L, zero_division=0)
 *   mp = precision_recall_fscore_support(t, p, labels=L, average="macro", zero_division=0)
 *   wp = precision_recall_fscore_support(t, p, labels=L, average="weighted", zero_division=0)
 *   kap = cohen_kappa_score(t, p, labels=L)
 *   out[k] = dict(matrix=confusion_matrix(t, p, labels=L).tolist(), accuracy=accuracy_score(t, p),
 *     balancedAccuracy=balanced_accuracy_score(t, p), kappa=None if kap != kap else kap, mcc=matthews_corrcoef(t, p),
 *     precision=pr.tolist(), recall=rc.tolist(), f1=f1.tolist(), support=s.tolist(), macro=list(mp[:3]), weighted=list(wp[:3]))
 * print(json.dumps(out))
 */
const SKLEARN: Record<string, {
  matrix: number[][]; accuracy: number; balancedAccuracy: number; kappa: number | null; mcc: number;
  precision: number[]; recall: number[]; f1: number[]; support: number[]; macro: number[]; weighted: number[];
}> = {
  imbalanced: {"matrix": [[7, 1], [1, 1]], "accuracy": 0.8, "balancedAccuracy": 0.6875, "kappa": 0.375, "mcc": 0.375, "precision": [0.875, 0.5], "recall": [0.875, 0.5], "f1": [0.875, 0.5], "support": [8, 2], "macro": [0.6875, 0.6875, 0.6875], "weighted": [0.8, 0.8, 0.8]},
  neverPredicted: {"matrix": [[2, 1, 0], [1, 1, 0], [3, 1, 0]], "accuracy": 0.3333333333333333, "balancedAccuracy": 0.38888888888888884, "kappa": 0.05263157894736836, "mcc": 0.06933752452815363, "precision": [0.3333333333333333, 0.3333333333333333, 0.0], "recall": [0.6666666666666666, 0.5, 0.0], "f1": [0.4444444444444444, 0.4, 0.0], "support": [3, 2, 4], "macro": [0.2222222222222222, 0.38888888888888884, 0.2814814814814815], "weighted": [0.18518518518518517, 0.3333333333333333, 0.23703703703703705]},
  perfect: {"matrix": [[3, 0, 0], [0, 2, 0], [0, 0, 2]], "accuracy": 1.0, "balancedAccuracy": 1.0, "kappa": 1.0, "mcc": 1.0, "precision": [1.0, 1.0, 1.0], "recall": [1.0, 1.0, 1.0], "f1": [1.0, 1.0, 1.0], "support": [3, 2, 2], "macro": [1.0, 1.0, 1.0], "weighted": [1.0, 1.0, 1.0]},
  allOneClassWrong: {"matrix": [[4, 2], [0, 0]], "accuracy": 0.6666666666666666, "balancedAccuracy": 0.6666666666666666, "kappa": 0.0, "mcc": 0.0, "precision": [1.0, 0.0], "recall": [0.6666666666666666, 0.0], "f1": [0.8, 0.0], "support": [6, 0], "macro": [0.5, 0.3333333333333333, 0.4], "weighted": [1.0, 0.6666666666666666, 0.8000000000000002]},
  allOneClassPerfect: {"matrix": [[4]], "accuracy": 1.0, "balancedAccuracy": 1.0, "kappa": null, "mcc": 0.0, "precision": [1.0], "recall": [1.0], "f1": [1.0], "support": [4], "macro": [1.0, 1.0, 1.0], "weighted": [1.0, 1.0, 1.0]},
  multiclass: {"matrix": [[3, 1, 0, 0], [0, 2, 1, 0], [0, 0, 2, 1], [1, 0, 0, 1]], "accuracy": 0.6666666666666666, "balancedAccuracy": 0.6458333333333333, "kappa": 0.5471698113207546, "mcc": 0.5471698113207547, "precision": [0.75, 0.6666666666666666, 0.6666666666666666, 0.5], "recall": [0.75, 0.6666666666666666, 0.6666666666666666, 0.5], "f1": [0.75, 0.6666666666666666, 0.6666666666666666, 0.5], "support": [4, 3, 3, 2], "macro": [0.6458333333333333, 0.6458333333333333, 0.6458333333333333], "weighted": [0.6666666666666666, 0.6666666666666666, 0.6666666666666666]},
  predictedOnly: {"matrix": [[2, 1, 1], [0, 2, 1], [0, 0, 0]], "accuracy": 0.5714285714285714, "balancedAccuracy": 0.5833333333333333, "kappa": 0.34375, "mcc": 0.3969283100678677, "precision": [1.0, 0.6666666666666666, 0.0], "recall": [0.5, 0.6666666666666666, 0.0], "f1": [0.6666666666666666, 0.6666666666666666, 0.0], "support": [4, 3, 0], "macro": [0.5555555555555555, 0.38888888888888884, 0.4444444444444444], "weighted": [0.8571428571428571, 0.5714285714285714, 0.6666666666666666]},
};

describe("confusion matrix and metrics match scikit-learn", () => {
  for (const [name, [t, p, cls]] of Object.entries(CASES)) {
    it(name, () => {
      const want = SKLEARN[name];
      const { confusion, metrics } = evaluate([...t], [...p], [...cls]);
      expect(confusion.matrix).toEqual(want.matrix);
      expect(metrics.accuracy).toBeCloseTo(want.accuracy, 12);
      expect(metrics.balancedAccuracy).toBeCloseTo(want.balancedAccuracy, 12);
      if (want.kappa === null) expect(metrics.kappa).toBeNull();
      else expect(metrics.kappa as number).toBeCloseTo(want.kappa, 12);
      expect(metrics.mcc).toBeCloseTo(want.mcc, 12);
      metrics.perClass.forEach((c, i) => {
        expect(c.class).toBe(cls[i]);
        expect(c.precision).toBeCloseTo(want.precision[i], 12);
        expect(c.recall).toBeCloseTo(want.recall[i], 12);
        expect(c.f1).toBeCloseTo(want.f1[i], 12);
        expect(c.support).toBe(want.support[i]);
      });
      const macro = [metrics.macro.precision, metrics.macro.recall, metrics.macro.f1];
      const weighted = [metrics.weighted.precision, metrics.weighted.recall, metrics.weighted.f1];
      macro.forEach((v, i) => expect(v).toBeCloseTo(want.macro[i], 12));
      weighted.forEach((v, i) => expect(v).toBeCloseTo(want.weighted[i], 12));
    });
  }

  it("kappa and MCC see through an imbalanced accuracy", () => {
    // Hand check: predicting the majority class for all 10 rows gives accuracy 0.8 but no skill.
    const m = evaluate([..."aaaaaaaabb"], [..."aaaaaaaaaa"], ["a", "b"]).metrics;
    expect(m.accuracy).toBeCloseTo(0.8, 12);
    expect(m.kappa).toBeCloseTo(0, 12);
    expect(m.mcc).toBe(0);
    expect(m.balancedAccuracy).toBeCloseTo(0.5, 12);
  });
});

describe("confusion matrix input handling", () => {
  it("accepts integer codes as well as names, rows = truth and columns = prediction", () => {
    const byCode = confusionMatrix(Int32Array.from([0, 0, 1, 2]), [1, 0, 1, 1], ["x", "y", "z"]);
    expect(byCode.matrix).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [0, 1, 0]
    ]);
    expect(confusionMatrix(["x", "x", "y", "z"], ["y", "x", "y", "y"], ["x", "y", "z"])).toEqual(byCode);
  });

  it("rejects unknown labels and length mismatches with a WorkbenchError", () => {
    expect(() => confusionMatrix(["x"], ["q"], ["x", "y"])).toThrow(WorkbenchError);
    expect(() => confusionMatrix([0, 1], [0], ["x", "y"])).toThrow(/different lengths/);
  });

  it("sums fold matrices and recomputes metrics from the sum", () => {
    const a = confusionMatrix([..."aab"], [..."abb"], ["a", "b"]);
    const b = confusionMatrix([..."abb"], [..."aba"], ["a", "b"]);
    const sum = addConfusion(a, b);
    expect(sum.matrix).toEqual([
      [2, 1],
      [1, 2]
    ]);
    expect(classificationMetrics(sum).accuracy).toBeCloseTo(4 / 6, 12);
  });
});
