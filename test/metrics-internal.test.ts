import { describe, expect, it } from "vitest";
import { WorkbenchError } from "../loaders/errors.ts";
import { selectRows, type FeatureMatrix } from "../loaders/matrix.ts";
import { Rng } from "../loaders/rng.ts";
import { calinskiHarabasz } from "../loaders/evaluate/calinskiHarabasz.ts";
import { daviesBouldin } from "../loaders/evaluate/daviesBouldin.ts";
import { inertia } from "../loaders/evaluate/inertia.ts";
import { internalMetrics, internalMetricsOfRuns, METRIC_DIRECTION } from "../loaders/evaluate/internal.ts";
import { encodeLabels, excludeNoise } from "../loaders/evaluate/labels.ts";
import { silhouette, silhouetteValues, silhouetteValuesOfPicks, stratifiedSample } from "../loaders/evaluate/silhouette.ts";
import { plantedCustomers } from "../loaders/synthetic.ts";
import { matrixOf } from "./helpers/fixtures.ts";

// Expected values come from scikit-learn 1.2.1 (/usr/bin/python3) unless stated otherwise.
// Common Python prelude for the comments below:
//   import numpy as np; from sklearn.metrics import *
//   X = np.array([[0,0],[1,0],[0,1.5],[5,5],[6,5],[5,7],[5.5,6],[10,0],[11,1],[10.5,-1]], float)
//   y = np.array([0,0,0,1,1,1,1,2,2,2])

const TOL = 1e-9;

const POINTS = [[0, 0], [1, 0], [0, 1.5], [5, 5], [6, 5], [5, 7], [5.5, 6], [10, 0], [11, 1], [10.5, -1]];
const X = matrixOf(POINTS);
const Y = Int32Array.from([0, 0, 0, 1, 1, 1, 1, 2, 2, 2]);

// silhouette_samples(X, y)
const SIL_SAMPLES_A = [
  0.8418874992354013, 0.8069477737623448, 0.7605718746588088, 0.7896544334485219, 0.7855782188601196,
  0.7778161268053989, 0.8525393697790484, 0.8287663470286997, 0.7646144844512086, 0.8126899132293043
];
const SIL_A = 0.8021066041258855; // silhouette_score(X, y)
const DB_A = 0.22835025739986595; // davies_bouldin_score(X, y)
const CH_A = 98.47686375321337; // calinski_harabasz_score(X, y)
// [((X[y==c]-X[y==c].mean(0))**2).sum() for c in range(3)] and their sum
const INERTIA_A = [2.166666666666667, 3.4375, 2.5];
const INERTIA_A_TOTAL = 8.104166666666668;

function expectArrayClose(actual: ArrayLike<number>, expected: number[], tol = TOL) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThan(tol);
}

describe("labels", () => {
  it("re-encodes in order of first appearance, or sorted", () => {
    const e = encodeLabels(["b", "a", "b", "c"]);
    expect(Array.from(e.codes)).toEqual([0, 1, 0, 2]);
    expect(e.names).toEqual(["b", "a", "c"]);
    expect(e.counts).toEqual([2, 1, 1]);
    const s = encodeLabels([3, "x", -1, 3, 10], { sorted: true });
    expect(s.names).toEqual([-1, 3, 10, "x"]);
    expect(Array.from(s.codes)).toEqual([1, 3, 0, 1, 2]);
  });
  it("splits off noise rows", () => {
    const seg = excludeNoise([5, -1, 2, 5, -1]);
    expect(Array.from(seg.rows)).toEqual([0, 2, 3]);
    expect(seg.labels).toEqual([2, 5]);
    expect(Array.from(seg.codes)).toEqual([1, 0, 1]);
    expect(seg.noise).toBe(2);
    expect(seg.k).toBe(2);
  });
  it("rejects missing label values naming the row", () => {
    expect(() => encodeLabels(["a", null as unknown as string])).toThrow(/row 1/);
    expect(() => encodeLabels([1, NaN])).toThrow(WorkbenchError);
  });
});

describe("silhouette (exact)", () => {
  it("matches sklearn silhouette_samples / silhouette_score", () => {
    const r = silhouette(X, Y, new Rng(1));
    expect(r.sampled).toBe(false);
    expect(r.sampleSize).toBe(10);
    expect(r.mean).not.toBeNull();
    expect(Math.abs(r.mean! - SIL_A)).toBeLessThan(TOL);
    expectArrayClose(r.samples.value, SIL_SAMPLES_A);
    expect(Array.from(r.samples.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(r.samples.label)).toEqual(Array.from(Y));
    // Per-segment means: np.mean of the sklearn samples per label.
    const segMean = (from: number, to: number) => SIL_SAMPLES_A.slice(from, to).reduce((a, b) => a + b, 0) / (to - from);
    expect(r.perSegment.map((s) => [s.label, s.size, s.evaluated])).toEqual([[0, 3, 3], [1, 4, 4], [2, 3, 3]]);
    expectArrayClose(r.perSegment.map((s) => s.mean!), [segMean(0, 3), segMean(3, 7), segMean(7, 10)]);
  });

  it("gives a singleton segment s = 0", () => {
    // silhouette_samples(X, [0,0,0,1,1,1,1,2,2,3]); silhouette_score(...) = 0.5705047595156844
    const y = Int32Array.from([0, 0, 0, 1, 1, 1, 1, 2, 2, 3]);
    const r = silhouette(X, y, new Rng(1));
    expectArrayClose(r.samples.value, [
      0.8418874992354013, 0.8069477737623448, 0.7605718746588088, 0.7896544334485219, 0.7733345054280701,
      0.7778161268053989, 0.8502603073462387, -0.20943058495790517, 0.3140056594299646, 0.0
    ]);
    expect(Math.abs(r.mean! - 0.5705047595156844)).toBeLessThan(TOL);
  });

  it("crosses tile boundaries correctly (600 rows)", () => {
    // n, d = 600, 3; i = np.arange(n)[:, None]; t = np.arange(d)[None, :]
    // Xm = np.sin(i * 0.7 + t * 1.1) * 3 + (np.arange(n)[:, None] % 3) * 4; ym = np.arange(n) % 3
    const n = 600;
    const d = 3;
    const data = new Float64Array(n * d);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % 3;
      for (let t = 0; t < d; t++) data[i * d + t] = Math.sin(i * 0.7 + t * 1.1) * 3 + (i % 3) * 4;
    }
    const m: FeatureMatrix = { names: ["a", "b", "c"], n, d, data };
    const r = silhouette(m, y, new Rng(1));
    expect(Math.abs(r.mean! - 0.3479915055856557)).toBeLessThan(TOL); // silhouette_score(Xm, ym)
    // silhouette_samples(Xm, ym)[[0, 1, 2, 599]]
    expectArrayClose(
      [r.samples.value[0], r.samples.value[1], r.samples.value[2], r.samples.value[599]],
      [0.1580344847272281, 0.10874128731745299, 0.5194212603955639, 0.30558141018360335]
    );
    // The row-at-a-time kernel (used when n × k is too large to accumulate) gives the same values.
    const rows = Int32Array.from({ length: n }, (_, i) => i);
    const lowMemory = silhouetteValues(m, rows, y, 3, 0);
    expectArrayClose(lowMemory, Array.from(r.samples.value), 1e-12);
    expect(Math.abs(daviesBouldin(m, y).value! - 1.0611965580014646)).toBeLessThan(TOL); // davies_bouldin_score(Xm, ym)
    expect(Math.abs(calinskiHarabasz(m, y).value! - 706.5070016028776) / 706.5).toBeLessThan(TOL); // calinski_harabasz_score(Xm, ym)
    // sum(((Xm[ym==c]-Xm[ym==c].mean(0))**2).sum() for c in range(3))
    expect(Math.abs(inertia(m, y).total - 8099.056002504638) / 8099).toBeLessThan(TOL);
  });

  it("is null with a reason for one segment and for every row its own segment", () => {
    // sklearn raises "Number of labels is 1 / 10. Valid values are 2 to n_samples - 1 (inclusive)"
    for (const y of [new Int32Array(10), Int32Array.from({ length: 10 }, (_, i) => i)]) {
      const r = silhouette(X, y, new Rng(1));
      expect(r.mean).toBeNull();
      expect(r.reason).toMatch(/2 to n-1 segments/);
      expect(r.samples.value.length).toBe(0);
      expect(r.perSegment.every((s) => s.mean === null)).toBe(true);
    }
  });

  it("gives 1 for tight duplicate segments (a = 0 < b)", () => {
    // silhouette_score([[0,0],[0,0],[1,1],[1,1]], [0,0,1,1]) = 1.0
    const r = silhouette(matrixOf([[0, 0], [0, 0], [1, 1], [1, 1]]), Int32Array.from([0, 0, 1, 1]), new Rng(1));
    expect(r.mean).toBe(1);
  });

  it("rejects impossible options naming the parameter", () => {
    expect(() => silhouette(X, Y, new Rng(1), { sampleSize: 1 })).toThrow(/sampleSize/);
    expect(() => silhouette(X, Y, new Rng(1), { maxExact: 2.5 })).toThrow(/maxExact/);
    expect(() => silhouette(X, Y.subarray(0, 5), new Rng(1))).toThrow(WorkbenchError);
  });
});

describe("silhouette (stratified sample)", () => {
  // Three well-separated Gaussian blobs of very different sizes plus a tiny fourth segment.
  function blobs(rng: Rng) {
    const sizes = [6000, 2500, 1000, 6];
    const n = sizes.reduce((a, b) => a + b, 0);
    const d = 4;
    const data = new Float64Array(n * d);
    const labels = new Int32Array(n);
    let i = 0;
    sizes.forEach((size, c) => {
      for (let s = 0; s < size; s++, i++) {
        labels[i] = c * 10; // non-contiguous label values
        for (let t = 0; t < d; t++) data[i * d + t] = (t === c % d ? 12 * (1 + (c >> 2)) : 0) + rng.normal();
      }
    });
    // Shuffle row order so segments interleave.
    const order = rng.shuffle(Int32Array.from({ length: n }, (_, r) => r));
    const m: FeatureMatrix = { names: ["a", "b", "c", "d"], n, d, data };
    return { m: selectRows(m, order), labels: Int32Array.from(order, (r) => labels[r]), n };
  }
  const { m, labels, n } = blobs(new Rng(42));
  const exact = silhouette(m, labels, new Rng(7), { maxExact: n });
  const sampled = silhouette(m, labels, new Rng(7), { maxExact: 2000, sampleSize: 1500, minPerSegment: 10 });

  it("records the sample and stays close to the exact value", () => {
    expect(exact.sampled).toBe(false);
    expect(exact.sampleSize).toBe(n);
    expect(sampled.sampled).toBe(true);
    // Proportional allocation of 1500 over 6000/2500/1000/6 rows (of 9506): 946.77, 394.49, 157.80, 0.95
    // → floors 946, 394, 157, 0 and 3 remainders to the largest fractions (0.95, 0.80, 0.77)
    // → 947, 394, 158, 1; the tiny segment is then raised to min(6, 10) = 6. Total 1505.
    expect(sampled.perSegment.map((s) => s.evaluated)).toEqual([947, 394, 158, 6]);
    expect(sampled.sampleSize).toBe(1505);
    expect(sampled.samples.index.length).toBe(1505);
    expect(sampled.perSegment.map((s) => s.size)).toEqual([6000, 2500, 1000, 6]);
    expect(Math.abs(sampled.mean! - exact.mean!)).toBeLessThan(0.01);
    for (let c = 0; c < 3; c++) expect(Math.abs(sampled.perSegment[c].mean! - exact.perSegment[c].mean!)).toBeLessThan(0.02);
  });

  it("computes the silhouette within the sample, as silhouette_score(sample_size=...)", () => {
    const idx = sampled.samples.index;
    for (let i = 1; i < idx.length; i++) expect(idx[i]).toBeGreaterThan(idx[i - 1]);
    for (let i = 0; i < idx.length; i++) expect(sampled.samples.label[i]).toBe(labels[idx[i]]);
    const sub = selectRows(m, idx);
    const seg = excludeNoise(Int32Array.from(idx, (r) => labels[r]));
    const direct = silhouetteValues(sub, Int32Array.from({ length: idx.length }, (_, i) => i), seg.codes, seg.k);
    expectArrayClose(sampled.samples.value, Array.from(direct), 1e-12);
  });

  it("lowers the per-segment floor when segments are very many", () => {
    // 200 segments × 60 rows, sample 600: proportional share 3 each; the floor of 10 would make
    // 2,000 rows, so it drops to 600 / 200 = 3 and the sample stays at 600.
    const labels = Int32Array.from({ length: 12000 }, (_, i) => i % 200);
    const seg = excludeNoise(labels);
    const s = stratifiedSample(seg, 600, 10, new Rng(1));
    expect(s.rows.length).toBe(600);
    const per = new Array(200).fill(0);
    for (const c of s.codes) per[c]++;
    expect(per.every((v) => v === 3)).toBe(true);
  });

  it("is reproducible for a seed and changes with it", () => {
    const again = silhouette(m, labels, new Rng(7), { maxExact: 2000, sampleSize: 1500 });
    expect(Array.from(again.samples.index)).toEqual(Array.from(sampled.samples.index));
    expect(again.mean).toBe(sampled.mean);
    const other = silhouette(m, labels, new Rng(8), { maxExact: 2000, sampleSize: 1500 });
    expect(Array.from(other.samples.index)).not.toEqual(Array.from(sampled.samples.index));
  });
});

describe("inertia, Davies–Bouldin, Calinski–Harabasz", () => {
  it("match sklearn on the small example", () => {
    const iner = inertia(X, Y);
    expect(Math.abs(iner.total - INERTIA_A_TOTAL)).toBeLessThan(TOL);
    expectArrayClose(iner.perSegment.map((s) => s.inertia), INERTIA_A);
    expect(iner.perSegment.map((s) => s.size)).toEqual([3, 4, 3]);
    expect(Math.abs(daviesBouldin(X, Y).value! - DB_A)).toBeLessThan(TOL);
    expect(Math.abs(calinskiHarabasz(X, Y).value! - CH_A)).toBeLessThan(TOL);
  });

  it("treat a segment with a singleton like sklearn", () => {
    // davies_bouldin_score(X, [0,0,0,1,1,1,1,2,2,3]), calinski_harabasz_score(...)
    const y = Int32Array.from([0, 0, 0, 1, 1, 1, 1, 2, 2, 3]);
    expect(Math.abs(daviesBouldin(X, y).value! - 0.35105706935720965)).toBeLessThan(TOL);
    expect(Math.abs(calinskiHarabasz(X, y).value! - 69.50788643533123)).toBeLessThan(TOL);
  });

  it("follow sklearn where centroids coincide or segments have no spread", () => {
    // X3 = [[-1,0],[1,0],[0,-1],[0,1],[4,4],[5,4]], y3 = [0,0,1,1,2,2]:
    // davies_bouldin_score(X3, y3) = 0.2491364395612199 (the 0-distance pair is skipped),
    // calinski_harabasz_score(X3, y3) = 16.111111111111114
    const X3 = matrixOf([[-1, 0], [1, 0], [0, -1], [0, 1], [4, 4], [5, 4]]);
    const y3 = Int32Array.from([0, 0, 1, 1, 2, 2]);
    expect(Math.abs(daviesBouldin(X3, y3).value! - 0.2491364395612199)).toBeLessThan(TOL);
    expect(Math.abs(calinskiHarabasz(X3, y3).value! - 16.111111111111114)).toBeLessThan(TOL);
    // First four rows only: all centroids at (0,0) → davies_bouldin_score = 0.0, calinski_harabasz_score = 0.0
    const X2 = matrixOf([[-1, 0], [1, 0], [0, -1], [0, 1]]);
    const y2 = Int32Array.from([0, 0, 1, 1]);
    expect(daviesBouldin(X2, y2).value).toBe(0);
    expect(calinskiHarabasz(X2, y2).value).toBe(0);
    // [[0,0],[0,0],[1,1],[1,1]], [0,0,1,1]: davies_bouldin_score = 0.0, calinski_harabasz_score = 1.0 (W = 0)
    const X4 = matrixOf([[0, 0], [0, 0], [1, 1], [1, 1]]);
    const y4 = Int32Array.from([0, 0, 1, 1]);
    expect(daviesBouldin(X4, y4).value).toBe(0);
    expect(calinskiHarabasz(X4, y4).value).toBe(1);
    expect(inertia(X4, y4).total).toBe(0);
    // A constant segment far from the origin still has exactly zero spread (shifted means).
    const X5 = matrixOf([[0.1, 1e6 + 0.3], [0.1, 1e6 + 0.3], [0.1, 1e6 + 0.3], [5, 5], [5, 5]]);
    expect(inertia(X5, Int32Array.from([0, 0, 0, 1, 1])).total).toBe(0);
  });

  it("are null with a reason outside 2..n-1 segments; inertia stays defined", () => {
    const one = new Int32Array(10);
    expect(daviesBouldin(X, one)).toEqual({ value: null, reason: expect.stringMatching(/found 1 segment among 10 rows/) });
    expect(calinskiHarabasz(X, one).value).toBeNull();
    // Hand: one segment → inertia = total sum of squares about the grand mean.
    // np.sum((X - X.mean(0))**2) = 236.12499999999997
    expect(Math.abs(inertia(X, one).total - 236.12499999999997)).toBeLessThan(TOL);
    const own = Int32Array.from({ length: 10 }, (_, i) => i);
    expect(calinskiHarabasz(X, own).reason).toMatch(/found 10 segments/);
    expect(inertia(X, own).total).toBe(0);
  });
});

describe("internalMetrics", () => {
  it("excludes noise rows from every metric and counts them", () => {
    // Two noise rows added (one far away, one between segments): every metric must equal
    // sklearn on the ten non-noise rows, i.e. the values of the small example.
    const withNoise = matrixOf([[50, 50], ...POINTS.slice(0, 5), [3, 3], ...POINTS.slice(5)]);
    const y = Int32Array.from([-1, 0, 0, 0, 1, 1, -1, 1, 1, 2, 2, 2]);
    const r = internalMetrics(withNoise, y, new Rng(3));
    expect(r.noise).toBe(2);
    expect(r.k).toBe(3);
    expect(Math.abs(r.silhouette! - SIL_A)).toBeLessThan(TOL);
    expect(Math.abs(r.daviesBouldin! - DB_A)).toBeLessThan(TOL);
    expect(Math.abs(r.calinskiHarabasz! - CH_A)).toBeLessThan(TOL);
    expect(Math.abs(r.inertia - INERTIA_A_TOTAL)).toBeLessThan(TOL);
    expect(r.reasons).toEqual({});
    expect(r.silhouetteDetail.noise).toBe(2);
    expect(Array.from(r.silhouetteDetail.samples.index)).toEqual([1, 2, 3, 4, 5, 7, 8, 9, 10, 11]);
    expectArrayClose(r.silhouetteDetail.samples.value, SIL_SAMPLES_A);
  });

  it("gives the same scores for renamed / permuted labels", () => {
    const renamed = Int32Array.from(Y, (c) => [42, 3, 7][c]);
    const a = internalMetrics(X, Y, new Rng(1));
    const b = internalMetrics(X, renamed, new Rng(1));
    for (const key of ["silhouette", "daviesBouldin", "calinskiHarabasz", "inertia"] as const) {
      expect(Math.abs(b[key]! - a[key]!)).toBeLessThan(1e-12);
    }
    expect(b.silhouetteDetail.perSegment.map((s) => s.label)).toEqual([3, 7, 42]);
  });

  it("reports reasons for undefined metrics (all noise but one segment)", () => {
    const y = Int32Array.from([0, 0, 0, 0, -1, -1, -1, -1, -1, -1]);
    const r = internalMetrics(X, y, new Rng(1));
    expect(r.k).toBe(1);
    expect(r.noise).toBe(6);
    expect(r.silhouette).toBeNull();
    expect(r.daviesBouldin).toBeNull();
    expect(r.calinskiHarabasz).toBeNull();
    expect(Object.keys(r.reasons).sort()).toEqual(["calinskiHarabasz", "daviesBouldin", "silhouette"]);
    // Hand: rows (0,0),(1,0),(0,1.5),(5,5); mean (1.5, 1.625); squares 2.25+2.640625 + 0.25+2.640625
    // + 2.25+0.015625 + 12.25+11.390625 = 33.6875
    expect(Math.abs(r.inertia - 33.6875)).toBeLessThan(TOL);
  });

  it("documents each metric's direction", () => {
    expect(METRIC_DIRECTION.silhouette).toBe("higher");
    expect(METRIC_DIRECTION.calinskiHarabasz).toBe("higher");
    expect(METRIC_DIRECTION.daviesBouldin).toBe("lower");
    expect(METRIC_DIRECTION.inertia).toBe("lower");
  });
});

describe("silhouettes of several labellings at once (a grid's runs)", () => {
  const p = plantedCustomers({ n: 1800, d: 5, k: 4, seed: 21, outlierShare: 0.02 });
  const rng = new Rng(4);
  // Samples (1800 rows > 700), a labelling with noise, one with a single segment (undefined), k = 1..12.
  const labellings = [
    p.truth,
    Int32Array.from(p.truth, (t) => (t < 0 ? 0 : t)),
    Int32Array.from({ length: p.matrix.n }, (_, i) => (i % 7 === 0 ? -1 : rng.int(3))),
    new Int32Array(p.matrix.n),
    Int32Array.from({ length: p.matrix.n }, () => rng.int(12))
  ];
  // Every row evaluated (one walk over the pairs serves all), or samples of 700 (one at a time).
  it.each([{}, { maxExact: 700, sampleSize: 700 }])("are bit for bit those computed one labelling at a time (%o)", (opts) => {
    const together = internalMetricsOfRuns(p.matrix, labellings.map((labels, i) => ({ labels, rng: new Rng(i) })), opts);
    labellings.forEach((labels, i) => {
      const alone = internalMetrics(p.matrix, labels, new Rng(i), opts);
      expect(together[i].silhouetteDetail.sampled).toBe(opts.maxExact !== undefined);
      expect(Array.from(together[i].silhouetteDetail.samples.index)).toEqual(Array.from(alone.silhouetteDetail.samples.index));
      expect(Array.from(together[i].silhouetteDetail.samples.value)).toEqual(Array.from(alone.silhouetteDetail.samples.value));
      expect(together[i].silhouette).toBe(alone.silhouette);
    });
    expect(together[3].silhouette).toBeNull();
  });

  it("a pass holds at most 32 labellings and maxAccumulator doubles; the rest are the same numbers", () => {
    const rows = Int32Array.from({ length: 300 }, (_, i) => i * 5);
    const picks = Array.from({ length: 40 }, (_, s) => ({ rows, codes: Int32Array.from(rows, (_, i) => (i * 7 + s) % (2 + (s % 5))), k: 2 + (s % 5) }));
    const oneByOne = picks.map((q) => silhouetteValues(p.matrix, q.rows, q.codes, q.k));
    // 40 picks: two passes; an accumulator of 1,000 doubles: one pick per pass; 0: row by row.
    for (const max of [undefined, 1000, 0]) {
      const values = silhouetteValuesOfPicks(p.matrix, picks, max);
      values.forEach((v, s) => expect(Array.from(v)).toEqual(Array.from(oneByOne[s])));
    }
  });
});
