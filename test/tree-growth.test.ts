import { describe, expect, it } from "vitest";
import { Rng } from "../loaders/rng.ts";
import { fitCart, type CartNode } from "../loaders/evaluate/cart.ts";
import { fitForest } from "../loaders/evaluate/forest.ts";
import { MersenneTwister } from "../loaders/evaluate/mersenneTwister.ts";

/** [feature, threshold, left, right] or the leaf's class name. */
function shape(node: CartNode, classes: string[]): unknown {
  return node.kind === "split" ? [node.feature, node.threshold, shape(node.left, classes), shape(node.right, classes)] : classes[node.predicted];
}

describe("CART growth", () => {
  // x = 1..8 labelled a a b b b a a a.
  const X = [1, 2, 3, 4, 5, 6, 7, 8].map((v) => [v]);
  const y = [..."aabbbaaa"];

  it("grows the hand-computed tree", () => {
    // Root Gini 1 − (5/8)² − (3/8)² = 0.46875. Candidates: 2.5 leaves {aa | bbbaaa}, gain
    // 0.46875 − 6/8·0.5 = 0.09375; 5.5 leaves {aabbb | aaa}, gain 0.46875 − 5/8·0.48 = 0.16875.
    // So 5.5 first; then {aabbb} splits at 2.5 into pure sides (gain 0.48).
    const model = fitCart(X, y);
    expect(shape(model.root, model.classes)).toEqual([0, 5.5, [0, 2.5, "a", "b"], "a"]);
    expect(model.root.counts).toEqual([5, 3]);
    expect(model.root.kind === "split" && model.root.left.counts).toEqual([2, 3]);
  });

  it("stops at maxDepth, and a leaf predicts its majority", () => {
    const model = fitCart(X, y, { maxDepth: 1 });
    expect(shape(model.root, model.classes)).toEqual([0, 5.5, "b", "a"]);
  });

  it("stops at minNumSamples and at gainThreshold", () => {
    // 5 rows reach the left node: with minNumSamples 5 it is a leaf.
    expect(shape(fitCart(X, y, { minNumSamples: 5 }).root, ["a", "b"])).toEqual([0, 5.5, "b", "a"]);
    // The root's best gain is 0.16875: a threshold of 0.2 forbids every split.
    expect(shape(fitCart(X, y, { gainThreshold: 0.2 }).root, ["a", "b"])).toBe("a");
  });

  it("takes the first strictly best split: earlier feature, then lower threshold", () => {
    // x1 and x2 (reversed) split a a a | b b b equally well: x1 wins.
    const tie = fitCart([1, 2, 3, 4, 5, 6].map((v) => [v, 7 - v]), [..."aaabbb"]);
    expect(shape(tie.root, tie.classes)).toEqual([0, 3.5, "a", "b"]);
    // a b b a: the candidates 1.5 and 3.5 both gain 1/6 (b b gives none): 1.5 wins, then
    // {b b a} splits at 3.5.
    const low = fitCart([[1], [2], [3], [4]], [..."abba"], { minNumSamples: 1 });
    expect(shape(low.root, low.classes)).toEqual([0, 1.5, "a", [0, 3.5, "b", "a"]]);
  });
});

describe("Mersenne Twister", () => {
  it("matches MT19937's reference outputs for seed 5489", () => {
    // C++ [rand.predef]: std::mt19937 (seed 5489) gives 3499211612 first and 4123659995 10000th.
    const mt = new MersenneTwister(5489);
    expect(mt.next() >>> 0).toBe(3499211612);
    for (let i = 2; i < 10000; i++) mt.next();
    expect(mt.next() >>> 0).toBe(4123659995);
  });

  it("draws integers as random-js does: output modulo n, redrawing outputs above the last full block", () => {
    // std::mt19937 (seed 5489) starts 3499211612, 581869302.
    expect(new MersenneTwister(5489).below(6)).toBe(3499211612 % 6);
    // Below 2³² there is one full block of n = 2³¹ + 1 values, so 3499211612 is redrawn.
    expect(new MersenneTwister(5489).below(2 ** 31 + 1)).toBe(581869302);
    const mt = new MersenneTwister(5489);
    expect(mt.below(1)).toBe(0); // one value: no draw
    expect(mt.next() >>> 0).toBe(3499211612);
  });
});

describe("random forest sampling", () => {
  it("gives the forest ml-random-forest 2.1.0 gave for the same seed", () => {
    // Recorded from RandomForestClassifier (replacement: false, seed 502141207, maxFeatures
    // 2 of 3, minNumSamples 1) before we grew the trees ourselves.
    const rows = Array.from({ length: 12 }, (_, i) => [i % 4, (i * 5) % 7, i < 6 ? 0 : 1]);
    const y = rows.map((r, i) => (r[0] + r[1] > 5 ? "hi" : i % 5 === 0 ? "mid" : "lo"));
    const forest = fitForest(rows, y, new Rng(7), { nEstimators: 3, maxFeatures: 2, minNumSamples: 1 });
    expect(forest.seed).toBe(502141207);
    expect(forest.trees).toEqual([
      [1, 4, 1, [2, 1, 0, [1, 5.5, 1, 0]]],
      [0, 0.5, [2, 0.5, 0, 1], [2, 1, 1, [0, 2, 1, 1]]],
      [1, 4.5, [1, 3.5, [1, 1.5, [0, 2.5, 2, 1], 1], 2], 0]
    ]);
  });
});
