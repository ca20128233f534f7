import { afterEach, describe, expect, it } from "vitest";
import { kmeans, kmeansPlusPlus, lloyd, setKmeansThreads, startKmeansWorkers } from "../loaders/cluster/kmeans.ts";
import { kmeansWorkerBlocks } from "../loaders/cluster/kmeansSession.ts";
import { mlKmeans } from "../loaders/cluster/mlKmeans.ts";
import { WorkbenchError } from "../loaders/errors.ts";
import type { FeatureMatrix } from "../loaders/matrix.ts";
import { Rng } from "../loaders/rng.ts";
import { plantedCustomers } from "../loaders/synthetic.ts";
import { ari, expectWorkbenchError, matrixOf } from "./helpers/fixtures.ts";

function uniformMatrix(n: number, d: number, seed: number): FeatureMatrix {
  const rng = new Rng(seed);
  const data = Float64Array.from({ length: n * d }, () => rng.random() * 10);
  return { names: Array.from({ length: d }, (_, j) => `f${j}`), n, d, data };
}


afterEach(() => setKmeansThreads("auto"));

// The hand-sized case: 12 points in 2-D, k = 3, started from rows 4, 1 and 5.
const HAND = matrixOf([
  [1, 2], [1.5, 1.8], [5, 8], [8, 8], [1, 0.6], [9, 11], [8, 2], [10, 2], [9, 3], [4, 7], [2, 1], [7, 3]
]);
const HAND_INIT = Float64Array.from([1, 0.6, 1.5, 1.8, 9, 11]);
const HAND_LABELS = [0, 0, 2, 2, 0, 2, 1, 1, 1, 2, 0, 1];

describe("lloyd against scikit-learn 1.2.1", () => {
  // Expected values from /usr/bin/python3: KMeans(n_clusters=3, init=HAND_INIT, n_init=1,
  // algorithm="lloyd", tol=..., max_iter=...).fit(HAND) → labels_, inertia_, n_iter_, cluster_centers_.
  it("reaches scikit-learn's labels, centres, inertia and iteration count", () => {
    const r = lloyd(HAND, HAND_INIT);
    expect(Array.from(r.labels)).toEqual(HAND_LABELS);
    expect(r.inertia).toBeCloseTo(33.9975, 10);
    expect(r.iterations).toBe(3);
    expect(r.converged).toBe(true);
    const expected = [1.375, 1.35, 8.5, 2.5, 6.5, 8.5];
    Array.from(r.centroids).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
  });

  it("applies tol relative to the mean feature variance (scikit-learn: n_iter 3 at tol 1.0, 2 at tol 1.2)", () => {
    // Mean variance 10.8319; the second step moves the centres by 11.86 in total (squared), so
    // tol 1.0 (10.83) continues and tol 1.2 (13.0) stops there.
    expect(lloyd(HAND, HAND_INIT, { tol: 1.0 }).iterations).toBe(3);
    const stopped = lloyd(HAND, HAND_INIT, { tol: 1.2 });
    expect(stopped.iterations).toBe(2);
    expect(stopped.converged).toBe(true);
    expect(stopped.inertia).toBeCloseTo(33.9975, 10);
    // tol 100: stops after one step; scikit-learn then re-assigns to the new centres: inertia 81.4309...
    const one = lloyd(HAND, HAND_INIT, { tol: 100 });
    expect(one.iterations).toBe(1);
    expect(one.inertia).toBeCloseTo(81.43090277777777, 10);
  });

  it("stops at maxIter with labels for the final centres (scikit-learn max_iter=1: inertia 81.4309...)", () => {
    const r = lloyd(HAND, HAND_INIT, { maxIter: 1 });
    expect(r.iterations).toBe(1);
    expect(r.converged).toBe(false);
    expect(r.inertia).toBeCloseTo(81.43090277777777, 10);
    const expected = [1.0, 0.6, 5.3125, 2.725, 22 / 3, 9.0];
    Array.from(r.centroids).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
  });

  it("relocates an empty cluster to the farthest point, as scikit-learn", () => {
    // 1-D points 0 1 3 10 11 12 from centres 1, 11, 100: centre 100 gets no point; the point
    // farthest from its centre is 3 (distance² 4), which becomes the third centre.
    // scikit-learn: labels [0,0,2,1,1,1], centres [0.5, 11, 3], inertia 2.5, n_iter 2.
    const m = matrixOf([[0], [1], [3], [10], [11], [12]]);
    const r = lloyd(m, Float64Array.from([1, 11, 100]));
    expect(Array.from(r.labels)).toEqual([0, 0, 2, 1, 1, 1]);
    expect(Array.from(r.centroids)).toEqual([0.5, 11, 3]);
    expect(r.inertia).toBe(2.5);
    expect(r.iterations).toBe(2);
  });
});

describe("kmeans clusterer", () => {
  it("recovers planted segments (ARI ≥ 0.95)", () => {
    const { matrix, truth } = plantedCustomers({ n: 4000, d: 5, k: 6, seed: 11 });
    const r = kmeans.fit(matrix, { k: 6 }, new Rng(1));
    expect(r.k).toBe(6);
    expect(ari(r.labels, truth)).toBeGreaterThanOrEqual(0.95);
    const model = r.model as { centroids: number[][]; inertia: number; iterations: number; converged: boolean; sizes: number[] };
    expect(model.centroids).toHaveLength(6);
    expect(model.centroids[0]).toHaveLength(5);
    expect(model.converged).toBe(true);
    expect(model.sizes.reduce((a, b) => a + b, 0)).toBe(4000);
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
  });

  it("gives identical output for the same seed, and a close optimum for another", () => {
    const { matrix } = plantedCustomers({ n: 3000, d: 4, k: 5, seed: 3 });
    const a = kmeans.fit(matrix, { k: 5 }, new Rng(42));
    const b = kmeans.fit(matrix, { k: 5 }, new Rng(42));
    expect(b.labels).toEqual(a.labels);
    expect(b.model).toEqual(a.model);
    const c = kmeans.fit(matrix, { k: 5 }, new Rng(43));
    const ia = a.model.inertia as number;
    const ic = c.model.inertia as number;
    expect(Math.abs(ia - ic) / ia).toBeLessThan(1e-6);
  });

  it("equals lloyd from kmeansPlusPlus with the same random stream (nInit 1)", () => {
    // fit starts its scan from k-means++'s nearest centre; plain lloyd does not: same result.
    const m = uniformMatrix(3000, 3, 7);
    const fitted = kmeans.fit(m, { k: 6, nInit: 1 }, new Rng(5));
    const direct = lloyd(m, kmeansPlusPlus(m, 6, new Rng(5).fork()));
    expect(fitted.labels).toEqual(direct.labels);
    expect(fitted.model.inertia).toBe(direct.inertia);
    expect(fitted.model.iterations).toBe(direct.iterations);
  });

  it("keeps the best of nInit starts", () => {
    // Uniform data has many local optima; the best of 6 is at least as good as every single start.
    const m = uniformMatrix(600, 2, 5);
    const best = kmeans.fit(m, { k: 7, nInit: 6 }, new Rng(9)).model.inertia as number;
    const rng = new Rng(9);
    for (let run = 0; run < 6; run++) {
      const init = kmeansPlusPlus(m, 7, rng.fork());
      expect(best).toBeLessThanOrEqual(lloyd(m, init).inertia);
    }
  });

  it("handles k = 1: one segment, centre at the mean, inertia = total sum of squares", () => {
    // By hand: points (0,0) (2,0) (0,4) (2,4): mean (1,2), squared distances 5 each, total 20.
    const m = matrixOf([[0, 0], [2, 0], [0, 4], [2, 4]]);
    const r = kmeans.fit(m, { k: 1 }, new Rng(1));
    expect(Array.from(r.labels)).toEqual([0, 0, 0, 0]);
    expect(r.model.centroids).toEqual([[1, 2]]);
    expect(r.model.inertia).toBe(20);
  });

  it("handles k = n: every point its own segment, inertia 0", () => {
    const m = matrixOf([[0, 0], [5, 1], [2, 7], [9, 9], [4, 4]]);
    const r = kmeans.fit(m, { k: 5 }, new Rng(2));
    expect(new Set(r.labels).size).toBe(5);
    expect(r.model.inertia).toBe(0);
  });

  it("handles duplicate points: fewer distinct points than k gives fewer segments and a note", () => {
    const m = matrixOf([[1, 1], [1, 1], [1, 1], [4, 4], [4, 4], [4, 4]]);
    const r = kmeans.fit(m, { k: 3 }, new Rng(3));
    expect(r.k).toBe(2);
    expect(Math.max(...r.labels)).toBe(1);
    expect(r.labels[0]).not.toBe(r.labels[3]);
    expect(r.model.inertia).toBe(0);
    expect(r.notes.join(" ")).toMatch(/only 2 distinct segments/);
  });

  it("rejects impossible parameters with a message naming them", () => {
    const { matrix } = plantedCustomers({ n: 440, d: 2, k: 3, seed: 1 });
    const rng = new Rng(1);
    expectWorkbenchError(
      () => kmeans.fit(matrix, { k: 0 }, rng),
      'invalid parameter k; found "0", expected an integer from 1 to 440 (the number of customers)'
    );
    expectWorkbenchError(() => kmeans.fit(matrix, { k: 441 }, rng), /^invalid parameter k; found "441"/);
    expectWorkbenchError(() => kmeans.fit(matrix, { k: 2.5 }, rng), /^invalid parameter k; found "2.5"/);
    expectWorkbenchError(() => kmeans.fit(matrix, { k: 3, nInit: 0 }, rng), /^invalid parameter nInit; found "0", expected an integer ≥ 1/);
    expectWorkbenchError(() => kmeans.fit(matrix, { k: 3, maxIter: 0 }, rng), /^invalid parameter maxIter; found "0"/);
    expectWorkbenchError(() => kmeans.fit(matrix, { k: 3, tol: -1 }, rng), /^invalid parameter tol; found "-1", expected a number ≥ 0/);
  });
});

describe("agreement with ml-kmeans (the reference library)", () => {
  it("gives the same labels and inertia from the same initial centres", () => {
    // Uniform data: no clear clusters, so Lloyd takes many steps and Hamerly's bounds are tested.
    for (const [n, d, k, seed] of [
      [500, 3, 4, 1],
      [800, 2, 9, 2],
      [300, 6, 5, 3],
      // Above 32 features the kernels use loops instead of unrolled code.
      [200, 40, 3, 4]
    ]) {
      const m = uniformMatrix(n, d, seed);
      const init = kmeansPlusPlus(m, k, new Rng(seed));
      const ours = lloyd(m, init, { tol: 0 });
      const ref = mlKmeans(m, k, { initialization: init, tolerance: 0, maxIterations: 1000 });
      expect(ours.converged).toBe(true);
      expect(ari(ours.labels, ref.labels)).toBe(1);
      expect(Array.from(ours.labels)).toEqual(Array.from(ref.labels));
      const refInertia = ref.model.inertia as number;
      expect(Math.abs(ours.inertia - refInertia) / refInertia).toBeLessThan(1e-9);
      expect(ours.iterations).toBe(ref.model.iterations);
    }
  });

  it("breaks exact distance ties towards the lower centre index, as ml-kmeans", () => {
    // By hand: 1-D points 3 2 0 2 4 3 2 from centres 4, 3. Step 1: only 4 goes to centre 0;
    // centres become 4 and 2. Step 2: each 3 is exactly 1 from both and goes to the lower
    // index 0; centres 10/3 and 1.5. Step 3 changes nothing. Inertia 2·(1/3)² + (2/3)² + 3·0.5²
    // + 1.5² = 11/3. (scikit-learn centres the data first, so rounding may break such ties
    // either way; ml-kmeans compares exact distances like we do.)
    const m = matrixOf([[3], [2], [0], [2], [4], [3], [2]]);
    const init = Float64Array.from([4, 3]);
    const ours = lloyd(m, init, { tol: 0 });
    expect(Array.from(ours.labels)).toEqual([0, 1, 1, 1, 0, 0, 1]);
    expect(ours.inertia).toBeCloseTo(11 / 3, 12);
    expect(ours.iterations).toBe(3);
    const ref = mlKmeans(m, 2, { initialization: init, tolerance: 0 });
    expect(Array.from(ref.labels)).toEqual([0, 1, 1, 1, 0, 0, 1]);
  });
});

describe("kmeansPlusPlus", () => {
  it("picks k distinct data rows, reproducibly", () => {
    const m = uniformMatrix(1000, 3, 4);
    const a = kmeansPlusPlus(m, 6, new Rng(5));
    expect(kmeansPlusPlus(m, 6, new Rng(5))).toEqual(a);
    const rows = new Set<string>();
    for (let c = 0; c < 6; c++) {
      const centre = Array.from(a.subarray(c * 3, c * 3 + 3));
      let found = false;
      for (let i = 0; i < m.n && !found; i++) found = centre.every((v, j) => v === m.data[i * 3 + j]);
      expect(found).toBe(true);
      rows.add(centre.join(","));
    }
    expect(rows.size).toBe(6);
  });

  it("starts near the planted centres: one start per planted segment", () => {
    const { matrix, truth } = plantedCustomers({ n: 5000, d: 3, k: 5, seed: 8 });
    const init = kmeansPlusPlus(matrix, 5, new Rng(1));
    // Label each row by its nearest starting centre: the partition already matches the truth.
    const labels = new Int32Array(matrix.n);
    for (let i = 0; i < matrix.n; i++) {
      let best = Infinity;
      for (let c = 0; c < 5; c++) {
        let e = 0;
        for (let j = 0; j < 3; j++) e += (matrix.data[i * 3 + j] - init[c * 3 + j]) ** 2;
        if (e < best) [best, labels[i]] = [e, c];
      }
    }
    expect(ari(labels, truth)).toBeGreaterThan(0.9);
  });
});

describe("worker threads", () => {
  it("give results identical to the main thread alone", async () => {
    expect(await startKmeansWorkers(2)).toBe(1);
    // 60,000 rows make 8 blocks, so the worker gets some of them. Overlapping segments
    // (separation 2) make Lloyd take several steps, exercising the bounds.
    const { matrix } = plantedCustomers({ n: 60_000, d: 5, k: 6, seed: 21, separation: 2 });
    const init = kmeansPlusPlus(matrix, 6, new Rng(4), { threads: 1 });
    expect(kmeansPlusPlus(matrix, 6, new Rng(4), { threads: 2 })).toEqual(init);
    // Random rows as the start.
    const rows = new Rng(6).sampleIndices(matrix.n, 6);
    const start = new Float64Array(30);
    rows.forEach((r, c) => start.set(matrix.data.subarray(r * 5, r * 5 + 5), c * 5));
    const before = kmeansWorkerBlocks();
    const single = lloyd(matrix, start, { threads: 1 });
    const threaded = lloyd(matrix, start, { threads: 2 });
    expect(kmeansWorkerBlocks()).toBeGreaterThan(before);
    expect(single.iterations).toBeGreaterThan(5);
    expect(threaded.labels).toEqual(single.labels);
    expect(threaded.centroids).toEqual(single.centroids);
    expect(threaded.inertia).toBe(single.inertia);
    expect(threaded.iterations).toBe(single.iterations);

    setKmeansThreads(1);
    const fitSingle = kmeans.fit(matrix, { k: 6, nInit: 2 }, new Rng(3));
    setKmeansThreads(2);
    const fitThreaded = kmeans.fit(matrix, { k: 6, nInit: 2 }, new Rng(3));
    expect(fitThreaded.labels).toEqual(fitSingle.labels);
    expect(fitThreaded.model).toEqual(fitSingle.model);
  });
});
