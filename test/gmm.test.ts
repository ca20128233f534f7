import { describe, expect, it } from "vitest";
import { em, gmm, gmmMaxPoints, predictProba, type GmmModel } from "../loaders/cluster/gmm.ts";
import { WorkbenchError } from "../loaders/errors.ts";
import { Rng } from "../loaders/rng.ts";
import { plantedCustomers } from "../loaders/synthetic.ts";
import { ari, matrixOf } from "./helpers/fixtures.ts";

const relClose = (actual: number, expected: number, rel = 1e-6) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));

// 60 rows, 3 correlated groups in 3-D: numpy RandomState(3), 20 rows per centre (0,0,0), (4,1,-1),
// (1,5,2), times [[1,.3,0],[0,.8,.2],[0,0,.6]], rounded to 2 decimals, shuffled.
const X60 = [
  [0.85, 1.14, 0.89], [3.85, 2.37, -0.36], [-0.13, -1.34, 0.06], [6.16, 2.35, -1.6], [4.15, 0.19, -0.95],
  [4.68, 0.52, -1.35], [-0.59, -0.88, -0.16], [4.15, 1.98, -0.78], [4.49, 0.48, -0.36], [0.86, 5.79, 2.59],
  [0.87, 3.66, 0.93], [2, 4.66, 1.88], [2.6, 1.69, -1.54], [-0.16, -0.66, -0.29], [3.11, -1.6, -2.17],
  [4.38, 0.65, -1.18], [5.94, 0.76, -0.67], [0.74, 3.88, 3.35], [-0.36, -1.5, -0.71], [-0.74, 4.66, 2.22],
  [1.79, 0.89, 0.15], [3.81, 0.61, -0.65], [0.92, 5.2, 1.67], [0.98, -0.59, -0.93], [0.52, 4.49, 2.42],
  [-0.08, -0.53, -0.15], [0.35, 4.46, 1.59], [-2.25, -0.89, 0.55], [0.32, 5.14, 1.63], [3.31, 1.18, -0.39],
  [0.93, 3.79, 2.55], [0.27, 4.75, 1.91], [0.26, 4.64, 3.11], [-0.63, -0.83, -1.61], [4.24, 1.56, -1.38],
  [-0.4, -0.56, -1.04], [1.09, 5.13, 2.77], [0.14, 5.6, 1.48], [-1.86, -1.04, -1.27], [-1.02, -0.88, 0.23],
  [5.77, 0.99, -1.04], [1.81, 4.83, 2.23], [1.06, 5.02, 2.26], [-0.48, -1.19, 0.27], [0.88, 1.63, 0.37],
  [-0.92, -1.1, 0.47], [1.49, -0.45, 0.28], [0.28, 5.37, 2.4], [0.47, 3.5, 1.12], [5.05, 2.38, -0.85],
  [-1.86, -0.78, -0.27], [3.92, 1.43, -0.15], [-0.07, 4.98, 2.59], [0.85, 5.62, 2.46], [4.15, 0.62, -1.54],
  [4.68, 1.72, -0.72], [0.75, 1.8, -0.35], [-0.21, 1.13, 0.44], [4.65, 1.44, -1.25], [3.41, 0.41, -1.68]
];

const C0 = [[1, 0.2, 0], [0.2, 1, 0], [0, 0, 1]];
const START = { weights: [0.3, 0.3, 0.4], means: [[0.5, 0.5, 0.5], [3, 1, 0], [1, 4, 1]] };

/*
 * Reference values from scikit-learn 1.2.1:
 *   GaussianMixture(3, covariance_type=t, weights_init=[.3,.3,.4], means_init=START.means,
 *                   precisions_init=inv(C0) for each component (full) or ones((3,3)) (diag),
 *                   tol=tol, max_iter=200, reg_covar=1e-6).fit(X60)
 * then n_iter_, converged_, lower_bound_, score(X60), bic(X60), aic(X60), weights_, means_[0],
 * covariances_[0], printed with 15 significant digits.
 */
const SKLEARN = [
  {
    covariance: "full", tol: 1e-3, iterations: 5, lowerBound: -4.3272759319424, score: -4.32727449652209,
    bic: 638.008931887092, aic: 577.272939582651, weights: [0.33355234, 0.33313757, 0.33331009],
    mean0: [-0.20761915, -0.32956273, -0.1541047],
    cov0: [[1.14935989, 0.62880696, 0.12355316], [0.62880696, 1.00558565, 0.2155218], [0.12355316, 0.2155218, 0.42001594]]
  },
  {
    covariance: "full", tol: 1e-10, iterations: 8, lowerBound: -4.32727448626574, score: -4.32727448626473,
    bic: 638.008930656208, aic: 577.272938351767, weights: [0.33356347, 0.33312641, 0.33331012],
    mean0: [-0.20753329, -0.32951971, -0.15412009],
    cov0: [[1.14957446, 0.62891565, 0.1235099], [0.62891565, 1.00563, 0.2154929], [0.1235099, 0.2154929, 0.42002122]]
  },
  {
    covariance: "diag", tol: 1e-3, iterations: 5, lowerBound: -4.46599884470975, score: -4.46599028302942,
    bic: 617.805725207972, aic: 575.91883396353, weights: [0.33357534, 0.33311497, 0.3333097],
    mean0: [-0.20555325, -0.33549455, -0.15840625], cov0: [1.15962026, 1.00372994, 0.42791238]
  },
  {
    covariance: "diag", tol: 1e-10, iterations: 11, lowerBound: -4.46598959300342, score: -4.46598959299335,
    bic: 617.805642403645, aic: 575.918751159203, weights: [0.33367084, 0.33301978, 0.33330938],
    mean0: [-0.20473848, -0.33556575, -0.15875363], cov0: [1.16176217, 1.00395496, 0.42852929]
  }
] as const;

describe("gmm: EM agrees with scikit-learn from the same starting parameters", () => {
  for (const ref of SKLEARN) {
    it(`${ref.covariance} covariance, tol ${ref.tol}`, () => {
      const covariances = ref.covariance === "full" ? [C0, C0, C0] : [[1, 1, 1], [1, 1, 1], [1, 1, 1]];
      const { model } = em(matrixOf(X60), { ...START, covariances }, { covariance: ref.covariance, maxIter: 200, tol: ref.tol, regCovar: 1e-6 });
      expect(model.iterations).toBe(ref.iterations);
      expect(model.converged).toBe(true);
      relClose(model.lowerBound, ref.lowerBound);
      relClose(model.meanLogLikelihood, ref.score);
      relClose(model.logLikelihood, ref.score * 60);
      relClose(model.bic, ref.bic);
      relClose(model.aic, ref.aic);
      // 18 covariance + 9 mean + 2 weight parameters (full); 9 + 9 + 2 (diag).
      expect(model.nParameters).toBe(ref.covariance === "full" ? 29 : 20);
      model.weights.forEach((w, c) => expect(w).toBeCloseTo(ref.weights[c], 7));
      model.means[0].forEach((v, j) => expect(v).toBeCloseTo(ref.mean0[j], 7));
      expect(model.covariances[0]).toEqual(
        ref.covariance === "full"
          ? (ref.cov0 as readonly (readonly number[])[]).map((row) => row.map((v) => expect.closeTo(v, 7)))
          : (ref.cov0 as readonly number[]).map((v) => expect.closeTo(v, 7))
      );
    });
  }
});

describe("gmm: hand-checked single component", () => {
  // Corners of a square: mean (1, 1), population covariance I (+ regCovar on the diagonal).
  // Total log-likelihood of the MLE Gaussian: -n/2·(d·ln 2π + ln det Σ + d) = -2·(2 ln 2π + 2).
  const square = matrixOf([[0, 0], [2, 0], [0, 2], [2, 2]]);

  it("k = 1: weight 1, the column means, the population covariance, and its log-likelihood", () => {
    const r = gmm.fit(square, { k: 1, regCovar: 0 }, new Rng(1));
    const model = r.model as unknown as GmmModel;
    expect(model.weights[0]).toBeCloseTo(1, 12);
    expect(model.means[0][0]).toBeCloseTo(1, 12);
    expect(model.means[0][1]).toBeCloseTo(1, 12);
    expect(model.covariances[0]).toEqual([[expect.closeTo(1, 12), expect.closeTo(0, 12)], [expect.closeTo(0, 12), expect.closeTo(1, 12)]]);
    expect(model.logLikelihood).toBeCloseTo(-2 * (2 * Math.log(2 * Math.PI) + 2), 10);
    // Parameters unchanged after the first M step → change 0 at the second iteration.
    expect(model.iterations).toBe(2);
    expect(model.converged).toBe(true);
    // nParameters = 3 (covariance) + 2 (mean) + 0 (weights); bic/aic by sklearn's formulas.
    expect(model.nParameters).toBe(5);
    expect(model.bic).toBeCloseTo(-2 * model.logLikelihood + 5 * Math.log(4), 10);
    expect(model.aic).toBeCloseTo(-2 * model.logLikelihood + 10, 10);
    expect(Array.from(r.labels)).toEqual([0, 0, 0, 0]);
    expect(Array.from(r.maxProbability)).toEqual([1, 1, 1, 1]);
  });

  it("regCovar is added to the covariance diagonal", () => {
    const model = gmm.fit(square, { k: 1, covariance: "diag", regCovar: 0.5 }, new Rng(1)).model as unknown as GmmModel;
    expect(model.covariances[0]).toEqual([expect.closeTo(1.5, 12), expect.closeTo(1.5, 12)]);
  });
});

describe("gmm: planted segments", () => {
  const p = plantedCustomers({ n: 900, d: 4, k: 4, seed: 17 });

  for (const covariance of ["full", "diag"] as const) {
    it(`${covariance} covariance recovers well-separated planted segments (ARI ≥ 0.95)`, () => {
      const r = gmm.fit(p.matrix, { k: 4, covariance }, new Rng(2));
      expect(r.k).toBe(4);
      expect(ari(r.labels, p.truth)).toBeGreaterThanOrEqual(0.95);
      expect(r.model.converged).toBe(true);
    });
  }

  it("maxProbability is the row maximum of predictProba; memberships sum to 1", () => {
    const r = gmm.fit(p.matrix, { k: 4 }, new Rng(2));
    const proba = predictProba(p.matrix, r.model as unknown as GmmModel);
    expect(proba.k).toBe(4);
    for (let i = 0; i < p.matrix.n; i++) {
      const row = Array.from(proba.data.subarray(i * 4, i * 4 + 4));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(r.maxProbability[i]).toBeCloseTo(Math.max(...row), 12);
      expect(row.indexOf(Math.max(...row))).toBe(r.labels[i]);
    }
  });

  it("components are numbered in order of first appearance", () => {
    const { labels } = gmm.fit(p.matrix, { k: 4, covariance: "diag" }, new Rng(7));
    let next = 0;
    for (const c of labels) {
      expect(c).toBeLessThanOrEqual(next);
      if (c === next) next++;
    }
  });

  it("above maxPoints: EM on a seeded sample, every row given its most probable component, the likelihood of all rows", () => {
    const big = plantedCustomers({ n: 6000, d: 3, k: 4, seed: 5, separation: 6 });
    const r = gmm.fit(big.matrix, { k: 4, maxPoints: 1000 }, new Rng(2));
    expect(r.notes.join(" ")).toMatch(/fitted on a seeded random sample of 1,000 of 6,000 rows \(maxPoints\)/);
    expect(ari(r.labels, big.truth)).toBeGreaterThanOrEqual(0.95);
    const model = r.model as unknown as GmmModel;
    const proba = predictProba(big.matrix, model);
    for (let i = 0; i < big.matrix.n; i++) {
      const row = Array.from(proba.data.subarray(i * 4, i * 4 + 4));
      expect(row.indexOf(Math.max(...row))).toBe(r.labels[i]);
    }
    // BIC counts every row: −2·logL + p·ln(6000), with logL from a full-data E step.
    expect(model.bic).toBeCloseTo(-2 * model.logLikelihood + model.nParameters * Math.log(6000), 6);
    const all = gmm.fit(big.matrix, { k: 4 }, new Rng(2));
    expect(ari(all.labels, r.labels)).toBeGreaterThanOrEqual(0.98);
    expect(Math.abs(model.logLikelihood - (all.model as unknown as GmmModel).logLikelihood) / Math.abs((all.model as unknown as GmmModel).logLikelihood)).toBeLessThan(0.01);
  });

  it("above 20 features EM fits at most 200,000 rows × features unless maxPoints is given, and says why", () => {
    expect([8, 20, 30, 47, 400].map(gmmMaxPoints)).toEqual([10_000, 10_000, 6_666, 4_255, 1_000]);
    const wide = plantedCustomers({ n: 1300, d: 160, k: 2, seed: 3 });
    const r = gmm.fit(wide.matrix, { k: 2, covariance: "diag", nInit: 1 }, new Rng(1));
    expect(r.notes.join(" ")).toMatch(/sample of 1,250 of 1,300 rows \(maxPoints: at most 200,000 rows × features\)/);
    expect(gmm.fit(wide.matrix, { k: 2, covariance: "diag", nInit: 1, maxPoints: 2000 }, new Rng(1)).notes.join(" ")).not.toMatch(/sample/);
  });

  it("same seed → identical output", () => {
    const a = gmm.fit(p.matrix, { k: 4, nInit: 2 }, new Rng(11));
    const b = gmm.fit(p.matrix, { k: 4, nInit: 2 }, new Rng(11));
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(Array.from(a.maxProbability)).toEqual(Array.from(b.maxProbability));
    expect(JSON.stringify(a.model)).toBe(JSON.stringify(b.model));
  });

  it("a constant column is kept positive definite by regCovar; without it the fit fails naming regCovar", () => {
    const rows = Array.from({ length: p.matrix.n }, (_, i) => [...p.matrix.data.subarray(i * 4, i * 4 + 4), 3]);
    const r = gmm.fit(matrixOf(rows), { k: 4 }, new Rng(2));
    expect(ari(r.labels, p.truth)).toBeGreaterThanOrEqual(0.95);
    expect(Number.isFinite(r.model.logLikelihood)).toBe(true);
    expect(() => gmm.fit(matrixOf(rows), { k: 4, regCovar: 0 }, new Rng(2))).toThrow(WorkbenchError);
    expect(() => gmm.fit(matrixOf(rows), { k: 4, regCovar: 0 }, new Rng(2))).toThrow(/regCovar/);
  });
});

describe("gmm: parameters and edge cases", () => {
  const m = matrixOf(X60);
  const fails = (params: object, pattern: RegExp) => {
    expect(() => gmm.fit(m, params, new Rng(1))).toThrow(WorkbenchError);
    expect(() => gmm.fit(m, params, new Rng(1))).toThrow(pattern);
  };

  it("rejects impossible parameters with a message naming them", () => {
    fails({ k: 0 }, /invalid parameter k; found "0", expected an integer from 1 to the number of rows \(60\)/);
    fails({ k: 61 }, /invalid parameter k; found "61"/);
    fails({ k: 3, covariance: "spherical" }, /invalid parameter covariance; found "spherical", expected one of full, diag/);
    fails({ k: 3, nInit: 0 }, /invalid parameter nInit/);
    fails({ k: 3, maxIter: 0 }, /invalid parameter maxIter/);
    fails({ k: 3, tol: -1 }, /invalid parameter tol/);
    fails({ k: 3, regCovar: -1 }, /invalid parameter regCovar/);
  });

  it("k = n on distinct rows: each row its own component", () => {
    const five = matrixOf([[0, 0], [3, 0], [0, 3], [3, 3], [9, 9]]);
    const r = gmm.fit(five, { k: 5, covariance: "diag" }, new Rng(1));
    expect(new Set(r.labels).size).toBe(5);
  });

  it("duplicate rows: two distinct points repeated give two components, each all of one point", () => {
    const rows = [...Array(10).fill([1, 1]), ...Array(6).fill([4, 0])];
    const r = gmm.fit(matrixOf(rows), { k: 2 }, new Rng(1));
    expect(Array.from(r.labels)).toEqual([...Array(10).fill(0), ...Array(6).fill(1)]);
    const model = r.model as unknown as GmmModel;
    expect(model.weights[0]).toBeCloseTo(10 / 16, 9);
    expect(model.means[1]).toEqual([expect.closeTo(4, 9), expect.closeTo(0, 9)]);
  });

  it("maxIter = 1 stops early and says it did not converge", () => {
    const r = gmm.fit(m, { k: 3, maxIter: 1, tol: 0 }, new Rng(1));
    expect(r.model.converged).toBe(false);
    expect(r.model.iterations).toBe(1);
    expect(r.notes.join(" ")).toMatch(/did not converge within maxIter = 1/);
  });
});
