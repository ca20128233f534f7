import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { WorkbenchError } from "../loaders/errors.ts";
import type { FeatureMatrix } from "../loaders/matrix.ts";
import { Rng } from "../loaders/rng.ts";
import { plantedCustomers } from "../loaders/synthetic.ts";
import { fitCart, predictCart, type CartNode } from "../loaders/evaluate/cart.ts";
import { complementIndices, stratifiedHoldout, stratifiedKFold, stratifiedSubsample } from "../loaders/evaluate/folds.ts";
import { fitForest, permutationImportance, predictForest } from "../loaders/evaluate/forest.ts";
import { cutPoint } from "../loaders/evaluate/rules.ts";
import { goldStandardCheck, segmentPredictability, segmentRules } from "../loaders/evaluate/supervised.ts";
import { join } from "node:path";
import { REPO } from "./helpers/project.ts";

const require = createRequire(import.meta.url);
const { DecisionTreeClassifier } = require("ml-cart") as {
  DecisionTreeClassifier: new (o: object) => { root: MlNode; train(X: number[][], y: number[]): void; predict(X: number[][]): number[] };
};
interface MlNode {
  splitColumn?: number;
  splitValue?: number;
  left?: MlNode;
  right?: MlNode;
  distribution?: { maxRowIndex(r: number): [number, number] };
}

function matrix(rows: number[][], names?: string[]): FeatureMatrix {
  const d = rows[0].length;
  return { names: names ?? rows[0].map((_, j) => `x${j + 1}`), n: rows.length, d, data: Float64Array.from(rows.flat()) };
}

function countBy<T>(xs: ArrayLike<T>): Map<T, number> {
  const m = new Map<T, number>();
  for (let i = 0; i < xs.length; i++) m.set(xs[i], (m.get(xs[i]) ?? 0) + 1);
  return m;
}

/** 60 a, 30 b, 10 c, shuffled by a fixed permutation so classes are interleaved. */
const LABELS = (() => {
  const l = [...Array(60).fill("a"), ...Array(30).fill("b"), ...Array(10).fill("c")] as string[];
  return new Rng(99).shuffle(l);
})();

describe("stratified folds", () => {
  it("partition the rows and spread every class evenly over the folds", () => {
    const folds = stratifiedKFold(LABELS, 5, new Rng(1));
    expect(folds).toHaveLength(5);
    const all = folds.flatMap((f) => Array.from(f)).sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i));
    // 60/30/10 over 5 folds: exactly 12/6/2 per fold (hand: class size / 5).
    for (const f of folds) {
      const c = countBy(Array.from(f, (i) => LABELS[i]));
      expect([c.get("a"), c.get("b"), c.get("c")]).toEqual([12, 6, 2]);
    }
    // Uneven sizes: 7 rows of one class over 3 folds → 3, 2, 2 in some order.
    const uneven = stratifiedKFold(["x", "x", "x", "x", "x", "x", "x", "y", "y", "y"], 3, new Rng(2));
    const xPerFold = uneven.map((f) => Array.from(f).filter((i) => i < 7).length).sort();
    expect(xPerFold).toEqual([2, 2, 3]);
  });

  it("are the same for the same seed and differ for another", () => {
    expect(stratifiedKFold(LABELS, 5, new Rng(3))).toEqual(stratifiedKFold(LABELS, 5, new Rng(3)));
    expect(stratifiedKFold(LABELS, 5, new Rng(3))).not.toEqual(stratifiedKFold(LABELS, 5, new Rng(4)));
  });

  it("refuse more folds than the smallest class has rows, naming the class", () => {
    expect(() => stratifiedKFold(LABELS, 11, new Rng(1))).toThrow(WorkbenchError);
    expect(() => stratifiedKFold(LABELS, 11, new Rng(1))).toThrow(/class "c" has only 10 rows.*at most 10 folds/);
    expect(() => stratifiedKFold(LABELS, 1, new Rng(1))).toThrow(/folds/);
  });

  it("hold-out keeps proportions and puts every class on both sides", () => {
    const { train, test } = stratifiedHoldout(LABELS, 0.25, new Rng(5));
    expect(train.length + test.length).toBe(100);
    expect(Array.from(complementIndices(100, test))).toEqual(Array.from(train));
    // round(60·0.25)=15, round(30·0.25)=8 (7.5 rounds up), round(10·0.25)=3 (2.5 rounds up).
    const c = countBy(Array.from(test, (i) => LABELS[i]));
    expect([c.get("a"), c.get("b"), c.get("c")]).toEqual([15, 8, 3]);
    expect(() => stratifiedHoldout(["a", "a", "b"], 0.3, new Rng(1))).toThrow(/class "b" has only 1 row/);
    expect(() => stratifiedHoldout(LABELS, 1, new Rng(1))).toThrow(/testShare/);
  });

  it("subsample keeps proportions and a floor per class", () => {
    const s = stratifiedSubsample(LABELS, 50, new Rng(6));
    expect(s.length).toBe(50);
    const c = countBy(Array.from(s, (i) => LABELS[i]));
    expect([c.get("a"), c.get("b"), c.get("c")]).toEqual([30, 15, 5]);
    const floored = countBy(Array.from(stratifiedSubsample(LABELS, 20, new Rng(6), 5), (i) => LABELS[i]));
    expect(floored.get("c")).toBe(5);
    expect(stratifiedSubsample(LABELS, 500, new Rng(6)).length).toBe(100);
  });
});

/** n rows, d standard normal features; class from the first two features plus noise. */
function noisyData(n: number, d: number, k: number, seed: number, integers: boolean) {
  const rng = new Rng(seed);
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = Array.from({ length: d }, () => (integers ? rng.int(10) : rng.normal()));
    X.push(r);
    y.push(Math.min(k - 1, Math.max(0, Math.floor(r[0] + (integers ? 0.2 : 1) * r[1] + rng.normal()) % k)));
  }
  return { X, y };
}

function shape(node: CartNode): unknown {
  return node.kind === "split" ? [node.feature, node.threshold, shape(node.left), shape(node.right)] : node.predicted;
}
function mlShape(node: MlNode): unknown {
  return node.left && node.right
    ? [node.splitColumn, node.splitValue, mlShape(node.left), mlShape(node.right)]
    : node.distribution?.maxRowIndex(0)[1];
}

describe("decision tree", () => {
  it("grows the tree ml-cart's DecisionTreeClassifier grows (same rules, our code)", () => {
    for (const [n, d, k, integers] of [
      [300, 4, 3, false],
      [400, 3, 4, true]
    ] as const) {
      const { X, y } = noisyData(n, d, k, n + d, integers);
      const lib = new DecisionTreeClassifier({ maxDepth: 6 });
      lib.train(X, y);
      const ours = fitCart(X, Int32Array.from(y), { maxDepth: 6 });
      expect(ours.classes).toEqual(Array.from({ length: k }, (_, c) => String(c)));
      expect(shape(ours.root)).toEqual(mlShape(lib.root));
      expect(Array.from(predictCart(ours, X))).toEqual(lib.predict(X));
    }
  });

  it("takes string labels, and the root counts are the class counts", () => {
    const rows = [[1], [2], [3], [4], [5], [6], [7], [8]];
    const labels = ["low", "low", "low", "low", "high", "high", "high", "high"];
    const model = fitCart(rows, labels);
    expect(model.classes).toEqual(["high", "low"]);
    expect(model.root.counts).toEqual([4, 4]);
    expect(Array.from(predictCart(model, [[0], [4.4], [4.6], [100]]), (c) => model.classes[c])).toEqual(["low", "low", "high", "high"]);
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
  });

  it("importance is the Gini decrease: all on the one feature that splits", () => {
    // x2 is constant, so every split is on x1 (hand: importance [1, 0]).
    const model = fitCart([[1, 5], [2, 5], [3, 5], [4, 5], [5, 5], [6, 5]], ["a", "a", "b", "b", "a", "a"], { minNumSamples: 1 });
    expect(model.importance).toEqual([1, 0]);
  });

  it("validates its parameters", () => {
    expect(() => fitCart([[1], [2]], ["a", "b"], { maxDepth: 0 })).toThrow(/maxDepth/);
    expect(() => fitCart([[1], [2]], ["a"])).toThrow(WorkbenchError);
    expect(() => fitCart([[1], [NaN]], ["a", "b"])).toThrow(/feature 1 is missing at row 1/);
  });
});

describe("random forest", () => {
  const blobs = plantedCustomers({ n: 300, d: 3, k: 3, seed: 11 });

  it("is deterministic from our Rng and separates planted blobs", () => {
    const a = fitForest(blobs.matrix, blobs.truth, new Rng(4), { nEstimators: 15 });
    const b = fitForest(blobs.matrix, blobs.truth, new Rng(4), { nEstimators: 15 });
    const c = fitForest(blobs.matrix, blobs.truth, new Rng(5), { nEstimators: 15 });
    expect(a).toEqual(b);
    expect(a.seed).not.toBe(c.seed);
    expect(a.trees).not.toEqual(c.trees);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
    const p = predictForest(a, blobs.matrix);
    expect(Array.from(p.predicted, (c) => Number(a.classes[c]))).toEqual(Array.from(blobs.truth));
    for (let i = 0; i < blobs.matrix.n; i++) {
      const row = Array.from(p.votes.subarray(i * 3, i * 3 + 3));
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
      expect(p.voteShare[i]).toBe(Math.max(...row));
    }
  });

  it("permutation importance is large for the decisive feature and zero for a constant one", () => {
    // Class = x1 > 0; x2 constant: shuffling x2 changes nothing (hand: exactly 0).
    const rng = new Rng(8);
    const rows = Array.from({ length: 200 }, () => [rng.normal(), 1]);
    const y = rows.map((r) => (r[0] > 0 ? "pos" : "neg"));
    const model = fitForest(rows, y, new Rng(1), { nEstimators: 10 });
    const X = matrix(rows);
    const truth = y.map((v) => model.classes.indexOf(v));
    const imp = permutationImportance((m) => predictForest(model, m).predicted, X, truth, new Rng(2), 3);
    expect(imp[1]).toBe(0);
    expect(imp[0]).toBeGreaterThan(0.3);
  });

  it("rejects impossible parameters", () => {
    expect(() => fitForest(blobs.matrix, blobs.truth, new Rng(1), { maxFeatures: 4 })).toThrow(/maxFeatures/);
    expect(() => fitForest(blobs.matrix, blobs.truth, new Rng(1), { nEstimators: 0 })).toThrow(/nEstimators/);
  });
});

describe("rules", () => {
  it("finds 'segment 1 iff x > 10' with the threshold in original units", () => {
    // x = 1..20, segment 1 exactly when x > 10; z is noise.
    const rng = new Rng(3);
    const rows = Array.from({ length: 20 }, (_, i) => [i + 1, rng.random() * 100]);
    const segments = Int32Array.from(rows, (r) => (r[0] > 10 ? 1 : 0));
    const out = segmentRules(matrix(rows, ["x", "z"]), segments, ["small", "big"], { units: { x: " days" } });
    expect(out.segments.map((s) => s.segment)).toEqual(["small", "big"]);
    // Nearest values 10 and 11 around the split: the roundest cut is 10.
    expect(out.segments[0].rules).toEqual([{ conditions: ["x ≤ 10 days"], text: "x ≤ 10 days", support: 10, purity: 1 }]);
    expect(out.segments[1].rules).toEqual([{ conditions: ["x > 10 days"], text: "x > 10 days", support: 10, purity: 1 }]);
    expect(out.fidelity.metrics.accuracy).toBe(1);
    expect(out.fidelity.metrics.kappa).toBe(1);
    expect(out.importance[0]).toEqual({ feature: "x", importance: 1 });
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });

  it("writes rules in words: a one-hot category reads as a yes or a no, not a threshold", () => {
    // Segment 1 exactly when plan=basic is 1; income is noise.
    const rows = Array.from({ length: 20 }, (_, i) => [i % 2, 1000 + ((i * 37) % 11)]);
    const segments = Int32Array.from(rows, (r) => r[0]);
    const wordsOf = (f: string) => (f === "plan=basic" ? { words: "basic plan", share: true } : { words: "household income", share: false });
    const out = segmentRules(matrix(rows, ["plan=basic", "income"]), segments, ["other", "basic"], { wordsOf });
    expect(out.segments[0].rules[0].text).toBe("not basic plan");
    expect(out.segments[1].rules[0].text).toBe("basic plan");
  });

  it("merges conditions on one feature into a bound or a range", () => {
    // low: x ≤ 3, mid: 4..5, high: x ≥ 6, over x = 1..12 twice (y is a constant distraction).
    const rows = Array.from({ length: 24 }, (_, i) => [(i % 12) + 1, 7]);
    const segments = Int32Array.from(rows, (r) => (r[0] <= 3 ? 0 : r[0] <= 5 ? 1 : 2));
    const out = segmentRules(matrix(rows, ["x", "y"]), segments, ["low", "mid", "high"], { maxDepth: 3 });
    const texts = out.segments.map((s) => s.rules.map((r) => r.text));
    expect(texts).toEqual([["x ≤ 3"], ["3 < x ≤ 5"], ["x > 5"]]);
    expect(out.segments.map((s) => s.coverage)).toEqual([1, 1, 1]);
  });

  it("rounds cut points to the roundest number between the neighbouring values", () => {
    // Hand: the roundest r with below ≤ r < above.
    expect(cutPoint(31, 32, 31.5)).toBe(31);
    expect(cutPoint(3012.4, 3120.7, 3066.55)).toBe(3100);
    expect(cutPoint(-5.2, -4.9, -5.05)).toBe(-5);
    expect(cutPoint(0.3, 0.31, 0.305)).toBe(0.3);
    expect(cutPoint(10.37, 10.91, 10.64)).toBe(10.4);
    expect(cutPoint(41, 60, 50.5)).toBe(50);
  });

  it("leaves noise out and reports segments the tree never predicts", () => {
    const rows = Array.from({ length: 30 }, (_, i) => [i]);
    // Segment 2 is one row inside segment 0's range: a depth-1 tree cannot carve it out.
    const segments = Int32Array.from(rows, (r) => (r[0] === 5 ? 2 : r[0] < 15 ? 0 : r[0] < 28 ? 1 : -1));
    const out = segmentRules(matrix(rows), segments, undefined, { maxDepth: 1 });
    expect(out.n).toBe(28);
    expect(out.notes.join(" ")).toMatch(/2 noise rows/);
    expect(out.segments.map((s) => s.segment)).toEqual(["Segment 0", "Segment 1", "Segment 2"]);
    expect(out.segments[2]).toMatchObject({ size: 1, coverage: 0, rules: [] });
  });
});

/** Wholesale customers: Channel (1 Horeca, 2 Retail) and the six annual spends. */
function wholesale() {
  const lines = readFileSync(join(REPO, "data", "wholesale_customers.csv"), "utf8").trim().split(/\r?\n/);
  const header = lines[0].split(",");
  const names = ["Fresh", "Milk", "Grocery", "Frozen", "Detergents_Paper", "Delicassen"];
  const cols = names.map((c) => header.indexOf(c));
  const rows = lines.slice(1).map((l) => l.split(","));
  const data = Float64Array.from(rows.flatMap((r) => cols.map((c) => Number(r[c]))));
  const channel = rows.map((r) => (r[header.indexOf("Channel")] === "1" ? "Horeca" : "Retail"));
  return { X: { names, n: rows.length, d: names.length, data } as FeatureMatrix, channel, ids: rows.map((_, i) => `row ${i + 1}`) };
}

describe("gold-standard check", () => {
  const { X, channel, ids } = wholesale();
  const result = goldStandardCheck(X, channel, ids, { rng: new Rng(2024) });

  it("predicts Wholesale Channel from spend about as well as scikit-learn", () => {
    // Reference: sklearn RandomForestClassifier(50) / DecisionTreeClassifier(max_depth=5) under
    // StratifiedKFold(5, shuffle=True), 5 seeds: RF accuracy 0.909–0.916, kappa 0.795–0.809,
    // MCC 0.796–0.810; tree accuracy 0.893–0.914, kappa 0.758–0.804.
    expect(result.n).toBe(440);
    expect(result.subsampled).toBe(false);
    expect(result.classes).toEqual(["Horeca", "Retail"]);
    // 298 Horeca and 142 Retail rows in the file.
    expect(result.baseline).toEqual({ majorityClass: "Horeca", accuracy: 298 / 440 });
    for (const model of [result.cart, result.forest]) {
      const m = model.pooled.metrics;
      expect(model.pooled.confusion.matrix.flat().reduce((a, b) => a + b, 0)).toBe(440);
      expect(model.pooled.confusion.matrix.map((r) => r[0] + r[1])).toEqual([298, 142]);
      expect(m.accuracy).toBeGreaterThan(0.86);
      expect(m.accuracy).toBeLessThan(0.96);
      expect(m.kappa as number).toBeGreaterThan(0.68);
      expect(m.kappa as number).toBeLessThan(0.9);
      expect(m.mcc).toBeGreaterThan(0.68);
      expect(m.mcc).toBeLessThan(0.9);
      expect(model.perFold.map((f) => f.nTest)).toEqual([88, 88, 88, 88, 88]);
    }
    // Grocery and Detergents_Paper are the retail signals (well known for this dataset).
    expect(["Detergents_Paper", "Grocery"]).toContain(result.forest.importance[0].feature);
    expect(["Detergents_Paper", "Grocery"]).toContain(result.cart.importance[0].feature);
    expect(result.cart.importance.reduce((a, f) => a + f.importance, 0)).toBeCloseTo(1, 12);
  });

  it("lists rows the forest would relabel, most confident first", () => {
    const errors = result.forest.pooled.confusion.matrix[0][1] + result.forest.pooled.confusion.matrix[1][0];
    expect(result.relabelCount).toBe(errors);
    for (const r of result.relabel) {
      expect(r.given).not.toBe(r.predicted);
      expect(r.voteShare).toBeGreaterThanOrEqual(0.5);
      expect(r.voteShare).toBeLessThanOrEqual(1);
    }
    const shares = result.relabel.map((r) => r.voteShare);
    expect(shares).toEqual([...shares].sort((a, b) => b - a));
    expect(result.holdout.nTrain + result.holdout.nTest).toBe(440);
    expect(result.holdout.forest.metrics.accuracy).toBeGreaterThan(0.8);
  });

  it("gives identical JSON for the same seed", () => {
    const again = goldStandardCheck(X, channel, ids, { rng: new Rng(2024) });
    expect(JSON.stringify(again)).toBe(JSON.stringify(result));
    // Plain JSON: nothing lost in a round trip (no NaN, undefined, typed arrays or functions).
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it("names a class too small for the folds", () => {
    const labels = channel.map((c, i) => (i < 3 ? "Other" : c));
    expect(() => goldStandardCheck(X, labels, ids, { rng: new Rng(1) })).toThrow(/class "Other" has only 3 rows/);
    expect(() => goldStandardCheck(X, channel.map(() => "x"), ids, { rng: new Rng(1) })).toThrow(/at least two/);
  });
});

describe("segment predictability", () => {
  it("assigns held-out rows of separated segments almost perfectly", () => {
    const p = plantedCustomers({ n: 400, d: 3, k: 4, seed: 5 });
    const out = segmentPredictability(p.matrix, p.truth, { rng: new Rng(1), nEstimators: 20 });
    expect(out.classes).toEqual(["Segment 0", "Segment 1", "Segment 2", "Segment 3"]);
    expect(out.pooled.metrics.n).toBe(400);
    expect(out.pooled.metrics.accuracy).toBeGreaterThan(0.97);
  });

  it("subsamples above maxRows, leaves noise out and lowers folds for a tiny segment", () => {
    const p = plantedCustomers({ n: 1200, d: 2, k: 3, seed: 6 });
    const segments = Int32Array.from(p.truth);
    segments.fill(-1, 0, 10);
    // Three rows form their own segment 7.
    segments[10] = segments[11] = segments[12] = 7;
    const out = segmentPredictability(p.matrix, segments, { rng: new Rng(2), maxRows: 500, nEstimators: 10 });
    expect(out.n).toBe(1190);
    expect(out.nUsed).toBe(500);
    expect(out.subsampled).toBe(true);
    expect(out.folds).toBe(3);
    expect(out.notes.join(" | ")).toMatch(/10 noise rows.*folds lowered from 5 to 3.*subsample of 500 of 1190/);
    expect(out.classes).toContain("Segment 7");
  });
});
