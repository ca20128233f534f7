import { describe, expect, it } from "vitest";
import { WorkbenchError } from "../loaders/errors.ts";
import { selectRows, type FeatureMatrix } from "../loaders/matrix.ts";
import { applyBins, binEdges } from "../loaders/outcome/bins.ts";
import { fitBoosting, predictBoosting } from "../loaders/outcome/boosting.ts";
import { fitLogistic, predictLogistic } from "../loaders/outcome/logistic.ts";
import { Rng } from "../loaders/rng.ts";

/**
 * A fixture both languages generate bit for bit (MINSTD integers, then only exactly rounded
 * arithmetic): x0 uniform on [-2, 2), x1 on [0, 10), x2 one-hot 0 or 1/√2, x3 correlated with
 * x0, x4 integer 0..5, x5 constant 3; y from a clipped linear probability, or separable.
 *
 *   def fixture(n, seed, separable=False):
 *       s = seed
 *       def u():
 *           nonlocal s; s = (s * 48271) % 2147483647; return s / 2147483647
 *       X, y = [], []
 *       for i in range(n):
 *           x0 = 4 * u() - 2; x1 = 10 * u(); x2 = 1 / math.sqrt(2) if u() < 0.3 else 0.0
 *           x3 = 0.5 * x0 + u(); x4 = float(math.floor(6 * u())); X.append([x0, x1, x2, x3, x4, 3.0])
 *           if separable: y.append(1 if x0 + 0.1 * x1 > 0.5 else 0)
 *           else: y.append(1 if u() < min(0.98, max(0.02, 0.3 + 0.2*x0 - 0.03*x1 + 0.3*x2 + 0.04*x4)) else 0)
 *       return np.array(X), np.array(y)
 */
function fixture(n: number, seed: number, separable = false): { X: FeatureMatrix; y: Uint8Array } {
  let s = seed;
  const u = () => (s = (s * 48271) % 2147483647) / 2147483647;
  const data = new Float64Array(n * 6);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x0 = 4 * u() - 2;
    const x1 = 10 * u();
    const x2 = u() < 0.3 ? 1 / Math.SQRT2 : 0;
    const x3 = 0.5 * x0 + u();
    const x4 = Math.floor(6 * u());
    data.set([x0, x1, x2, x3, x4, 3], i * 6);
    if (separable) y[i] = x0 + 0.1 * x1 > 0.5 ? 1 : 0;
    else y[i] = u() < Math.min(0.98, Math.max(0.02, 0.3 + 0.2 * x0 - 0.03 * x1 + 0.3 * x2 + 0.04 * x4)) ? 1 : 0;
  }
  return { X: { names: ["x0", "x1", "x2", "x3", "x4", "x5"], n, d: 6, data }, y };
}

const range = (a: number, b: number) => Int32Array.from({ length: b - a }, (_, i) => a + i);

describe("logistic regression against scikit-learn 1.2.1", () => {
  it("fits sklearn's coefficients on standardised columns (constant column → 0)", () => {
    const { X, y } = fixture(200, 7);
    const m = fitLogistic(X, y);
    // make_pipeline(StandardScaler(), LogisticRegression(solver="newton-cg", tol=1e-12,
    // max_iter=100000)).fit(X, y)[-1]: intercept_, coef_ (lbfgs agrees to 2e-6: it stops on
    // its relative objective change first).
    expect(m.intercept).toBeCloseTo(-1.035672520607643, 8);
    const coef = [0.9153940934441195, -0.27777110608967626, 0.577752109626318, 0.4089339202312143, 0.4395243211209793, 0];
    m.coef.forEach((c, j) => expect(c).toBeCloseTo(coef[j], 8));
    expect(m.scales[5]).toBe(1);
    expect(m.converged).toBe(true);
    // pipeline.predict_proba(X[:3])[:, 1]
    const p = predictLogistic(m, selectRows(X, [0, 1, 2]));
    [0.08967296558565711, 0.21665286624823038, 0.0540511862095151].forEach((v, i) => expect(p[i]).toBeCloseTo(v, 9));
  });

  it("stays finite under perfect separation (the L2 penalty bounds the coefficients)", () => {
    const { X, y } = fixture(200, 7, true);
    const m = fitLogistic(X, y);
    // Same pipeline, newton-cg, on the separable outcome.
    expect(m.intercept).toBeCloseTo(-0.021656987488962866, 8);
    const coef = [3.952387668206366, 1.2006326444608235, -0.12552151864295674, 0.8944348366306072, -0.46354433682962165, 0];
    m.coef.forEach((c, j) => expect(c).toBeCloseTo(coef[j], 8));
  });

  it("fits a training part and applies its means and scales to other rows", () => {
    const { X, y } = fixture(300, 9);
    const train = range(0, 200);
    const m = fitLogistic(selectRows(X, train), Uint8Array.from(train, (i) => y[i]));
    const test = selectRows(X, range(200, 300));
    const p = predictLogistic(m, test);
    for (let i = 0; i < test.n; i++) {
      let z = m.intercept;
      for (let j = 0; j < 6; j++) z += (m.coef[j] * (test.data[i * 6 + j] - m.means[j])) / m.scales[j];
      expect(p[i]).toBeCloseTo(1 / (1 + Math.exp(-z)), 12);
    }
  });

  it("handles a training set with one outcome only, and rejects bad parameters", () => {
    const { X } = fixture(50, 3);
    const m = fitLogistic(X, new Uint8Array(50));
    expect(Number.isFinite(m.intercept)).toBe(true);
    expect(Math.max(...predictLogistic(m, X))).toBeLessThan(0.05);
    expect(() => fitLogistic(X, new Uint8Array(49))).toThrow(WorkbenchError);
    expect(() => fitLogistic(X, new Uint8Array(50), { C: 0 })).toThrow(/invalid parameter C/);
  });
});

describe("binning against scikit-learn's _BinMapper", () => {
  it("gives the same edges: quantiles, midpoints between few values, none for a constant", () => {
    const { X } = fixture(600, 11);
    const edges = binEdges(X);
    // _BinMapper(n_bins=256).fit(X).bin_thresholds_: length, first, last, sum per column.
    expect(edges.map((e) => e.length)).toEqual([254, 254, 1, 254, 5, 0]);
    expect(edges[0][0]).toBe(-1.9770791567755301);
    expect(edges[0][253]).toBe(1.972940544585204);
    expect(edges[1][2]).toBe(0.09754983014313032);
    expect(edges[3][1]).toBe(-0.8028147671384805);
    expect(edges[2][0]).toBe(0.35355339059327373);
    expect(Array.from(edges[4])).toEqual([0.5, 1.5, 2.5, 3.5, 4.5]);
    const sum = (e: Float64Array) => e.reduce((a, b) => a + b, 0);
    expect(sum(edges[0])).toBeCloseTo(-16.069983447003196, 10);
    expect(sum(edges[1])).toBeCloseTo(1243.6754166910778, 10);
    expect(sum(edges[3])).toBeCloseTo(126.2301956141508, 10);
  });

  it("takes midpoint percentiles over repeated values", () => {
    // 3000 values on a 0.1 grid (961 distinct): floor(MINSTD(5) · 1000) / 10.
    let s = 5;
    const data = Float64Array.from({ length: 3000 }, () => Math.floor(((s = (s * 48271) % 2147483647) / 2147483647) * 1000) / 10);
    const [e] = binEdges({ names: ["v"], n: 3000, d: 1, data });
    expect(e.length).toBe(254);
    expect(Array.from(e.subarray(0, 4))).toEqual([0.4, 0.7, 1.1, 1.55]);
    expect([e[100], e[200]]).toEqual([39.3, 79.4]);
    expect(e.reduce((a, b) => a + b, 0)).toBeCloseTo(12845.75, 9);
  });

  it("puts x in bin b when edge[b−1] < x ≤ edge[b]", () => {
    const X = { names: ["v"], n: 5, d: 1, data: Float64Array.from([0, 0.5, 0.6, 1.5, 9]) };
    const bins = applyBins(X, [Float64Array.from([0.5, 1.5])]);
    expect(Array.from(bins)).toEqual([0, 0, 1, 1, 2]);
  });
});

describe("gradient boosting against scikit-learn's HistGradientBoostingClassifier", () => {
  it("predicts sklearn's probabilities with the default settings", () => {
    const { X, y } = fixture(600, 11);
    const train = range(0, 450);
    const model = fitBoosting(selectRows(X, train), Uint8Array.from(train, (i) => y[i]), new Rng(1));
    const p = predictBoosting(model, selectRows(X, range(450, 600)));
    // m = HistGradientBoostingClassifier(random_state=0).fit(X[:450], y[:450]);
    // m.predict_proba(X[450:])[:, 1]; m.n_iter_ = 100; leaves of the first 5 trees.
    const expected = [0.9133772861058478, 0.0021447960722686074, 0.052494623830127735, 0.006163567886083969, 0.3135696672232591, 0.7665037015863586];
    expected.forEach((v, i) => expect(p[i]).toBeCloseTo(v, 10));
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(53.08781763518077, 9);
    expect(model.iterations).toBe(100);
    expect(model.earlyStopped).toBe(false);
    const leaves = model.trees.slice(0, 5).map((t) => t.feature.filter((f) => f < 0).length);
    expect(leaves).toEqual([16, 18, 17, 18, 17]);
  });

  it("with a depth limit, fewer iterations and a higher learning rate", () => {
    const { X, y } = fixture(600, 11);
    const train = range(0, 450);
    const model = fitBoosting(selectRows(X, train), Uint8Array.from(train, (i) => y[i]), new Rng(1), {
      maxDepth: 2,
      maxIter: 20,
      learningRate: 0.3,
      minSamplesLeaf: 5
    });
    const p = predictBoosting(model, selectRows(X, range(450, 600)));
    // HistGradientBoostingClassifier(random_state=0, max_depth=2, max_iter=20, learning_rate=0.3,
    // min_samples_leaf=5), same data.
    [0.7327681134376626, 0.0463282545648719, 0.23612200208599135, 0.0358987146510925].forEach((v, i) => expect(p[i]).toBeCloseTo(v, 10));
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(51.07956666074854, 9);
  });

  it("stops early on a held-out share when asked, deterministically for a seed", () => {
    // Pure noise: the held-out loss stops improving after a few trees.
    const rng = new Rng(8);
    const n = 2000;
    const X = { names: ["a", "b"], n, d: 2, data: Float64Array.from({ length: 2 * n }, () => rng.normal()) };
    const y = Uint8Array.from({ length: n }, () => (rng.random() < 0.3 ? 1 : 0));
    const a = fitBoosting(X, y, new Rng(4), { earlyStopping: true });
    const b = fitBoosting(X, y, new Rng(4), { earlyStopping: true });
    expect(a.earlyStopped).toBe(true);
    expect(a.iterations).toBeLessThan(60);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    // "auto" is off at this size, as in sklearn (on above 10,000 rows).
    expect(fitBoosting(X, y, new Rng(4)).iterations).toBe(100);
  });

  it("produces plain JSON and rejects bad parameters", () => {
    const { X, y } = fixture(100, 2);
    const model = fitBoosting(X, y, new Rng(1), { maxIter: 3 });
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
    expect(() => fitBoosting(X, y, new Rng(1), { maxLeafNodes: 1 })).toThrow(/invalid parameter maxLeafNodes/);
    expect(() => predictBoosting(model, { names: ["a"], n: 1, d: 1, data: new Float64Array(1) })).toThrow(WorkbenchError);
  });
});
