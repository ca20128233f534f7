import { describe, expect, it } from "vitest";
import { WorkbenchError } from "../loaders/errors.ts";
import { agreement } from "../loaders/evaluate/agreement.ts";
import { contingencyTable } from "../loaders/evaluate/contingency.ts";
import { externalMetrics, type ExternalMetrics } from "../loaders/evaluate/external.ts";
import { hungarian } from "../loaders/evaluate/hungarian.ts";
import { Rng } from "../loaders/rng.ts";

// Expected values come from scikit-learn 1.2.1 via /usr/bin/python3 with
//   from sklearn.metrics import adjusted_rand_score as ari, rand_score as ri, \
//       normalized_mutual_info_score as nmi, homogeneity_completeness_v_measure as hcv
//   def allm(t, p): h, c, v = hcv(t, p); return ari(t,p), ri(t,p), nmi(t,p), h, c, v
// Purity and matched accuracy are not in scikit-learn; they are worked out by hand in comments
// (matched accuracy cross-checked with scipy.optimize.linear_sum_assignment where noted).

const TOL = 1e-9;
type Scores = Pick<ExternalMetrics, "ari" | "randIndex" | "nmi" | "homogeneity" | "completeness" | "vMeasure">;

function expectScores(m: ExternalMetrics, e: [number, number, number, number, number, number]) {
  const got: Scores = m;
  const keys = ["ari", "randIndex", "nmi", "homogeneity", "completeness", "vMeasure"] as const;
  keys.forEach((k, i) => expect(Math.abs(got[k] - e[i]), k).toBeLessThan(TOL));
}

const T = ["a", "a", "b", "b", "c", "c", "c", "a"];
const P = [0, 0, 1, 1, 1, 2, 2, 2];

describe("externalMetrics", () => {
  it("match sklearn on a small example", () => {
    const m = externalMetrics(T, P);
    // allm(T, P)
    expectScores(m, [0.23809523809523808, 0.7142857142857143, 0.5588730382170326, 0.5588730382170326, 0.5588730382170326, 0.5588730382170326]);
    // Hand: segment 0 = {a,a}, 1 = {b,b,c}, 2 = {c,c,a}; majority counts 2+2+2 → purity 6/8;
    // the matching 0→a, 1→b, 2→c also keeps 6 of 8 rows.
    expect(m.purity).toBe(0.75);
    expect(m.matchedAccuracy).toBe(0.75);
    expect(m.matching).toEqual([
      { segment: 0, label: "a", count: 2 },
      { segment: 1, label: "b", count: 2 },
      { segment: 2, label: "c", count: 2 }
    ]);
    expect(m.contingency.rowLabels).toEqual([0, 1, 2]);
    expect(m.contingency.colLabels).toEqual(["a", "b", "c"]);
    expect(m.contingency.counts).toEqual([[2, 0, 0], [0, 2, 1], [1, 0, 2]]);
    expect(m.contingency.n).toBe(8);
  });

  it("give the same scores for permuted label names", () => {
    const base = externalMetrics(T, P);
    const renamedTrue = T.map((t) => ({ a: "zeta", b: "alpha", c: "mid" })[t]!);
    const renamedPred = P.map((p) => [9, -5, 4][p]);
    const m = externalMetrics(renamedTrue, renamedPred);
    for (const k of ["ari", "randIndex", "nmi", "homogeneity", "completeness", "vMeasure", "purity", "matchedAccuracy"] as const) {
      expect(Math.abs(m[k] - base[k])).toBeLessThan(1e-12);
    }
  });

  it("handle one predicted segment", () => {
    const m = externalMetrics(T, new Array(8).fill(0));
    // allm(T, [0]*8) = (0.0, 0.25, 0.0, 0.0, 1.0, 0.0)
    expectScores(m, [0, 0.25, 0, 0, 1, 0]);
    // Hand: one segment holding a×3, b×2, c×3 → purity 3/8, best match keeps 3 rows.
    expect(m.purity).toBe(0.375);
    expect(m.matchedAccuracy).toBe(0.375);
  });

  it("handle every row its own segment", () => {
    const m = externalMetrics(T, [0, 1, 2, 3, 4, 5, 6, 7]);
    // allm(T, range(8)) = (0.0, 0.75, 0.6845792261984752, 1.0, 0.5204260414863776, 0.6845792261984753)
    expectScores(m, [0, 0.75, 0.6845792261984752, 1, 0.5204260414863776, 0.6845792261984753]);
    // Hand: every segment is pure → purity 1; only 3 labels, so only 3 segments can be matched → 3/8.
    expect(m.purity).toBe(1);
    expect(m.matchedAccuracy).toBe(0.375);
    expect(m.matching.filter((x) => x.label === null).length).toBe(5);
  });

  it("return 1.0 for empty label sets", () => {
    // allm([], []) = (1.0, 1.0, 1.0, 1.0, 1.0, 1.0); purity / matched accuracy follow that convention.
    const m = externalMetrics([], []);
    expectScores(m, [1, 1, 1, 1, 1, 1]);
    expect(m.purity).toBe(1);
    expect(m.matchedAccuracy).toBe(1);
    expect(m.contingency.counts).toEqual([]);
  });

  it("return 1.0 when both labelings are constant", () => {
    // allm(["x"]*5, [3]*5) = (1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
    const m = externalMetrics(["x", "x", "x", "x", "x"], [3, 3, 3, 3, 3]);
    expectScores(m, [1, 1, 1, 1, 1, 1]);
    expect(m.purity).toBe(1);
    expect(m.matchedAccuracy).toBe(1);
  });

  it("treat DBSCAN noise (-1) as one more predicted group", () => {
    const pred = [-1, 0, 1, 1, -1, 2, 2, -1];
    const m = externalMetrics(T, pred);
    // allm(T, pred): sklearn treats -1 as an ordinary label, as we do.
    expectScores(m, [0.3684210526315789, 0.7857142857142857, 0.7020168761809935, 0.7794365191085164, 0.6385874485931908, 0.7020168761809935]);
    // contingency_matrix(T, pred).T, rows -1, 0, 1, 2
    expect(m.contingency.rowLabels).toEqual([-1, 0, 1, 2]);
    expect(m.contingency.counts).toEqual([[2, 0, 1], [1, 0, 0], [0, 2, 0], [0, 0, 2]]);
    // Hand: majorities 2 (noise: a,c,a) + 1 + 2 + 2 → purity 7/8; matching noise→a, 1→b, 2→c keeps 6,
    // segment 0 stays unmatched (all three labels are taken) → 6/8.
    expect(m.purity).toBe(0.875);
    expect(m.matchedAccuracy).toBe(0.75);
    expect(m.matching.find((x) => x.segment === 0)!.label).toBeNull();
  });

  it("give zero information and a negative ARI for independent labelings", () => {
    const t = ["a", "a", "b", "b", "a", "a", "b", "b", "a", "b", "a", "b"];
    const p = [0, 1, 0, 1, 0, 1, 0, 1, 2, 2, 2, 2];
    // allm(t, p) = (-0.13793103448275862, <rand>, 0.0, 0.0, 0.0, 0.0); rand_score(t, p) = 0.45454545454545453
    expectScores(externalMetrics(t, p), [-0.13793103448275862, 0.45454545454545453, 0, 0, 0, 0]);
  });

  it("stay exact on 100,000 rows", () => {
    // n = 100000; i = np.arange(n); tl = (i * 7) % 5; pl = np.where(i % 10 < 8, tl, (i * 3) % 6)
    // allm(tl, pl); ct = contingency_matrix(tl, pl); purity = ct.max(axis=0).sum()/n = 0.9;
    // r, c = linear_sum_assignment(-ct); ct[r, c].sum()/n = 0.9
    const n = 100000;
    const tl = new Int32Array(n);
    const pl = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      tl[i] = (i * 7) % 5;
      pl[i] = i % 10 < 8 ? tl[i] : (i * 3) % 6;
    }
    const m = externalMetrics(tl, pl);
    expectScores(m, [0.8192703146716018, 0.939999399994, 0.895917139654968, 0.8813534532688831, 0.9109702202846306, 0.895917139654968]);
    expect(Math.abs(m.purity - 0.9)).toBeLessThan(TOL);
    expect(Math.abs(m.matchedAccuracy - 0.9)).toBeLessThan(TOL);
  });

  it("reject mismatched lengths and missing truth values", () => {
    expect(() => externalMetrics(["a", "b"], [0])).toThrow(WorkbenchError);
    expect(() => externalMetrics(["a", undefined as unknown as string], [0, 1])).toThrow(/labelsTrue.*row 1/);
  });

  it("refuse an id-like truth column with a clear message", () => {
    const n = 3000;
    const ids = Array.from({ length: n }, (_, i) => `customer-${i}`);
    const pred = Array.from({ length: n }, (_, i) => i % 700);
    expect(() => externalMetrics(ids, pred)).toThrow(/too many distinct values/);
  });
});

describe("agreement", () => {
  it("is the ARI between two runs, symmetric, with A's segments as rows", () => {
    const a = [0, 0, 0, 1, 1, 1, 2, 2, 2];
    const b = [5, 5, 7, 7, 7, 9, 9, 9, 9];
    // ari(a, b) = ari(b, a) = 0.35714285714285715
    const ab = agreement(a, b);
    expect(Math.abs(ab.ari - 0.35714285714285715)).toBeLessThan(TOL);
    expect(Math.abs(agreement(b, a).ari - 0.35714285714285715)).toBeLessThan(TOL);
    expect(ab.contingency.rowLabels).toEqual([0, 1, 2]);
    expect(ab.contingency.colLabels).toEqual([5, 7, 9]);
    expect(ab.contingency.counts).toEqual([[2, 1, 0], [0, 2, 1], [0, 0, 3]]);
    // Same partition under other names → 1.
    expect(agreement(a, a.map((x) => 10 - x)).ari).toBe(1);
  });
});

describe("contingencyTable", () => {
  it("lists labels in ascending order with totals", () => {
    const c = contingencyTable([2, -1, 2, 0], ["y", "x", "x", "y"]);
    expect(c.rowLabels).toEqual([-1, 0, 2]);
    expect(c.colLabels).toEqual(["x", "y"]);
    expect(c.counts).toEqual([[1, 0], [0, 1], [1, 1]]);
    expect(c.rowTotals).toEqual([1, 1, 2]);
    expect(c.colTotals).toEqual([2, 2]);
  });
});

describe("hungarian", () => {
  const M = [
    [4, 1, 3, 9, 7],
    [2, 0, 5, 3, 8],
    [3, 2, 2, 6, 1]
  ];
  it("solves a wide rectangular matrix", () => {
    // M = np.array(<as above>); r, c = linear_sum_assignment(M) → c = [1, 0, 4], cost 4.0
    const a = hungarian(M);
    expect(Array.from(a.rowToCol)).toEqual([1, 0, 4]);
    expect(Array.from(a.colToRow)).toEqual([1, 0, -1, -1, 2]);
    expect(a.cost).toBe(4);
  });
  it("solves a tall rectangular matrix", () => {
    // linear_sum_assignment(M.T) → rows [0, 1, 4] matched to cols [1, 0, 2], cost 4.0
    const Mt = M[0].map((_, j) => M.map((row) => row[j]));
    const a = hungarian(Mt);
    expect(Array.from(a.rowToCol)).toEqual([1, 0, -1, -1, 2]);
    expect(a.cost).toBe(4);
  });
  it("finds the optimum of random rectangular matrices (checked by brute force)", () => {
    const rng = new Rng(5);
    for (let trial = 0; trial < 60; trial++) {
      const r = 1 + rng.int(5);
      const c = 1 + rng.int(5);
      const cost = Array.from({ length: r }, () => Array.from({ length: c }, () => rng.int(20) - 5));
      const got = hungarian(cost);
      expect(got.cost).toBe(bruteForce(cost));
      // A valid one-to-one matching of min(r, c) pairs whose cost is the reported one.
      const matched = Array.from(got.rowToCol).filter((j) => j >= 0);
      expect(matched.length).toBe(Math.min(r, c));
      expect(new Set(matched).size).toBe(matched.length);
      let sum = 0;
      got.rowToCol.forEach((j, i) => (sum += j >= 0 ? cost[i][j] : 0));
      expect(sum).toBe(got.cost);
    }
  });
  it("accepts an empty matrix", () => {
    expect(hungarian([]).cost).toBe(0);
  });
});

/** Minimum over all ways to match min(r, c) rows to distinct columns (independent of hungarian). */
function bruteForce(cost: number[][]): number {
  const r = cost.length;
  const c = cost[0].length;
  if (r > c) return bruteForce(cost[0].map((_, j) => cost.map((row) => row[j])));
  let best = Infinity;
  const used = new Array<boolean>(c).fill(false);
  const go = (i: number, acc: number) => {
    if (i === r) {
      best = Math.min(best, acc);
      return;
    }
    for (let j = 0; j < c; j++) {
      if (used[j]) continue;
      used[j] = true;
      go(i + 1, acc + cost[i][j]);
      used[j] = false;
    }
  };
  go(0, 0);
  return best;
}
