import { describe, expect, it } from "vitest";
import { dbscan, dbscanLabels, neighbourSearch, suggestEps } from "../loaders/cluster/dbscan.ts";
import { KdTree } from "../loaders/cluster/kdTree.ts";
import { kthNearestSqAll, kthNearestSqOf } from "../loaders/cluster/scanNeighbours.ts";
import { WorkbenchError } from "../loaders/errors.ts";
import { Rng } from "../loaders/rng.ts";
import { plantedCustomers, wideCustomers } from "../loaders/synthetic.ts";
import { ari, matrixOf } from "./helpers/fixtures.ts";

const column = (values: number[]) => matrixOf(values.map((v) => [v]));

/** Labels of the planted outliers, and ARI / noise share over the planted segment rows. */
function score(labels: Int32Array, truth: Int32Array, outliers: Int32Array) {
  const inliers = Array.from(truth.keys()).filter((i) => truth[i] >= 0);
  return {
    outlierLabels: Array.from(outliers, (i) => labels[i]),
    ari: ari(inliers.map((i) => labels[i]), inliers.map((i) => truth[i])),
    inlierNoiseShare: inliers.filter((i) => labels[i] === -1).length / inliers.length
  };
}

describe("dbscan: labelling rule (hand-worked, and checked with sklearn 1.2.1 DBSCAN)", () => {
  it("core points, border points and noise", () => {
    // eps 0.6, minPoints 3 (itself included): 0.5, 1.0 and 10.4 have 3 rows within 0.6 → core;
    // 0 and 1.5 are within reach of a core point → border of cluster 0; 10 and 10.8 border of
    // cluster 1; 30 is noise. sklearn: [0 0 0 0 1 1 1 -1].
    const m = column([0, 0.5, 1.0, 1.5, 10, 10.4, 10.8, 30]);
    expect(Array.from(dbscanLabels(m, 0.6, 3).labels)).toEqual([0, 0, 0, 0, 1, 1, 1, -1]);
    expect(Array.from(dbscanLabels(m, 0.6, 3).core)).toEqual([0, 1, 1, 0, 0, 1, 0, 0]);
  });

  it("a border point reachable from two clusters joins the one discovered first in row order", () => {
    // A = 0..0.6 and C = 1.6..2.2 are core groups (eps 0.65, minPoints 4); 1.1 has only 3 rows
    // within 0.65, so it is a border point of both. sklearn gives it the cluster whose first core
    // point comes first by row index.
    const A = [0, 0.2, 0.4, 0.6];
    const C = [1.6, 1.8, 2.0, 2.2];
    expect(Array.from(dbscanLabels(column([...A, 1.1, ...C]), 0.65, 4).labels)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(Array.from(dbscanLabels(column([...C, 1.1, ...A]), 0.65, 4).labels)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1]);
    // 1.1 first: it is not core, so C (first core at row 1) is discovered first and claims it.
    expect(Array.from(dbscanLabels(column([1.1, ...C, ...A]), 0.65, 4).labels)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1]);
  });

  it("minPoints = 1: every row is core, so no noise; clusters are the eps-connected groups", () => {
    const m = column([0, 0.5, 3, 3.2, 9]);
    expect(Array.from(dbscanLabels(m, 0.6, 1).labels)).toEqual([0, 0, 1, 1, 2]);
  });
});

describe("dbscan: planted data", () => {
  const p = plantedCustomers({ n: 1200, d: 4, k: 3, seed: 31, outlierShare: 0.02 });

  it("marks the planted far outliers as noise and recovers the segments (eps from the k-distance knee)", () => {
    const r = dbscan.fit(p.matrix, {}, new Rng(3));
    const s = score(r.labels, p.truth, p.outliers);
    expect(p.outliers.length).toBe(24);
    expect(s.outlierLabels).toEqual(new Array(24).fill(-1));
    expect(r.k).toBe(3);
    expect(s.ari).toBeGreaterThanOrEqual(0.95);
    expect(s.inlierNoiseShare).toBeLessThan(0.05);
    expect(r.model.epsSuggested).toBe(true);
    expect(r.notes.join(" ")).toMatch(/eps = .* knee of the k-distance curve/);
    expect(r.model.noiseRows).toBe(Array.from(r.labels).filter((c) => c === -1).length);
  });

  it("same with eps given: no suggestion note", () => {
    // Segment deviations are ≤ 1.2 in 4-D; eps 2 reaches a core neighbour from almost every segment
    // row, while outliers are ≥ 6·√4 = 12 base deviations from every centre.
    const r = dbscan.fit(p.matrix, { eps: 2, minPoints: 5 }, new Rng(3));
    const s = score(r.labels, p.truth, p.outliers);
    expect(s.outlierLabels).toEqual(new Array(24).fill(-1));
    expect(s.ari).toBeGreaterThanOrEqual(0.95);
    expect(r.model.epsSuggested).toBe(false);
    expect(r.notes.some((n) => n.includes("knee"))).toBe(false);
  });

  it("above maxPoints: fits a sample, assigns the rest through core points within eps, and says so", () => {
    const big = plantedCustomers({ n: 3000, d: 4, k: 3, seed: 32, outlierShare: 0.02 });
    const r = dbscan.fit(big.matrix, { eps: 2, maxPoints: 1000 }, new Rng(3));
    expect(r.labels).toHaveLength(3000);
    expect(r.model.fittedRows).toBe(1000);
    expect(r.notes.join(" ")).toMatch(/sample of 1,000 of 3,000 rows.*other 2,000 rows.*the nearest sample core point within eps/);
    const s = score(r.labels, big.truth, big.outliers);
    expect(s.outlierLabels).toEqual(new Array(big.outliers.length).fill(-1));
    expect(s.ari).toBeGreaterThanOrEqual(0.95);
  });

  it("same seed → identical output (suggested eps, sampled fit)", () => {
    const a = dbscan.fit(p.matrix, { maxPoints: 800 }, new Rng(9));
    const b = dbscan.fit(p.matrix, { maxPoints: 800 }, new Rng(9));
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(JSON.stringify(a.model)).toBe(JSON.stringify(b.model));
    expect(a.notes).toEqual(b.notes);
  });
});

describe("dbscan: suggestEps", () => {
  it("evenly spaced rows plus one far row: the knee is the common neighbour distance", () => {
    // minPoints 2 → distance to the nearest other row: 1 for rows 0..9, 91 for the row at 100.
    // Sorted curve [1 ×10, 91]; scaled to [0,1], the point farthest below the chord is the last 1.
    const s = suggestEps(column([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 100]), 2, new Rng(1));
    expect(s.eps).toBe(1);
    expect(s.kDistances).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 91]);
  });

  it("counts the row itself: minPoints 1 gives zero distances, and eps falls back to a positive value", () => {
    const s = suggestEps(column([0, 1, 2, 4]), 1, new Rng(1));
    expect(s.kDistances).toEqual([0, 0, 0, 0]);
    expect(s.eps).toBeGreaterThan(0);
  });

  it("large inputs: a sorted curve of at most 200 points, deterministic for a seed", () => {
    const p = plantedCustomers({ n: 5000, d: 3, k: 2, seed: 5 });
    const a = suggestEps(p.matrix, 5, new Rng(2));
    const b = suggestEps(p.matrix, 5, new Rng(2));
    expect(a).toEqual(b);
    expect(a.kDistances).toHaveLength(200);
    for (let i = 1; i < 200; i++) expect(a.kDistances[i]).toBeGreaterThanOrEqual(a.kDistances[i - 1]);
    expect(a.eps).toBeGreaterThanOrEqual(a.kDistances[0]);
    expect(a.eps).toBeLessThanOrEqual(a.kDistances[199]);
  });
});

describe("dbscan: parameters and edge cases", () => {
  const m = column([0, 0.5, 1, 5, 5.5]);
  const fails = (params: object, pattern: RegExp) => {
    expect(() => dbscan.fit(m, params, new Rng(1))).toThrow(WorkbenchError);
    expect(() => dbscan.fit(m, params, new Rng(1))).toThrow(pattern);
  };

  it("rejects eps ≤ 0 and bad minPoints with a message naming them", () => {
    fails({ eps: 0 }, /invalid parameter eps; found "0", expected a number > 0/);
    fails({ eps: -1 }, /invalid parameter eps; found "-1", expected a number > 0/);
    fails({ eps: Number.NaN }, /invalid parameter eps/);
    fails({ eps: 1, minPoints: 0 }, /invalid parameter minPoints; found "0", expected an integer ≥ 1/);
    fails({ eps: 1, minPoints: 2.5 }, /invalid parameter minPoints/);
    fails({ eps: 1, maxPoints: 0 }, /invalid parameter maxPoints/);
  });

  it("minPoints larger than n: no core point, every row noise, k = 0, with a note", () => {
    const r = dbscan.fit(m, { eps: 1, minPoints: 6 }, new Rng(1));
    expect(Array.from(r.labels)).toEqual([-1, -1, -1, -1, -1]);
    expect(r.k).toBe(0);
    expect(r.notes.join(" ")).toMatch(/no clusters: every row is noise/);
  });

  it("duplicate rows count as neighbours at distance 0", () => {
    // Three copies of the same point with minPoints 3 are core even for a tiny eps.
    const r = dbscan.fit(matrixOf([[1, 1], [1, 1], [1, 1], [4, 4]]), { eps: 1e-9, minPoints: 3 }, new Rng(1));
    expect(Array.from(r.labels)).toEqual([0, 0, 0, -1]);
  });

  it("a constant column changes no distance, hence no label", () => {
    const p = plantedCustomers({ n: 400, d: 3, k: 3, seed: 12, outlierShare: 0.02 });
    const rows = Array.from({ length: p.matrix.n }, (_, i) => [...p.matrix.data.subarray(i * 3, i * 3 + 3), 42]);
    const a = dbscan.fit(p.matrix, { eps: 1.5 }, new Rng(1));
    const b = dbscan.fit(matrixOf(rows), { eps: 1.5 }, new Rng(1));
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
  });
});

describe("k-d tree: the label of the nearest point within a radius", () => {
  it("equals a brute-force search, whether one segment or several are within the radius", () => {
    const rng = new Rng(9);
    const n = 3000;
    const d = 3;
    const data = new Float64Array(n * d);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % 4;
      for (let j = 0; j < d; j++) data[i * d + j] = (j === 0 ? labels[i] * 1.5 : 0) + rng.normal();
    }
    const tree = new KdTree(data, n, d);
    const pure = tree.pureLabels(labels);
    const queries = new Float64Array(2000 * d);
    for (let i = 0; i < queries.length; i++) queries[i] = (i % d === 0 ? 6 : 3) * (rng.random() - 0.3);
    let mixed = 0;
    for (const r of [0.3, 1]) {
      const settle = tree.settleRadii(labels, pure, r * r);
      for (let q = 0; q < 2000; q++) {
        let best = -1;
        let bestSq = r * r;
        const seen = new Set<number>();
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let j = 0; j < d; j++) s += (queries[q * d + j] - data[i * d + j]) ** 2;
          if (s <= r * r) seen.add(labels[i]);
          if (s < bestSq || (best < 0 && s <= bestSq)) [best, bestSq] = [i, s];
        }
        if (seen.size > 1) mixed++;
        expect(tree.nearestLabelWithin(queries, q * d, r * r, labels, pure, settle)).toBe(best < 0 ? -1 : labels[best]);
      }
    }
    expect(mixed).toBeGreaterThan(100); // the border case is exercised
  });
});

describe("dbscan above 20 features: scanning rows instead of a k-d tree", () => {
  /** A copy, so neither search reuses k-distances the other computed. */
  const copy = (m: ReturnType<typeof wideCustomers>["matrix"]) => ({ ...m, data: m.data.slice() });
  const same = (a: { labels: Int32Array; core: Uint8Array; k: number }, b: typeof a) => {
    expect(b.k).toBe(a.k);
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
    expect(Array.from(b.core)).toEqual(Array.from(a.core));
  };

  it("is the default above 20 features only", () => {
    expect(neighbourSearch(20)).toBe("tree");
    expect(neighbourSearch(21)).toBe("scan");
  });

  it("gives the k-d tree's labels, core points and eps suggestion on a wide one-hot table", () => {
    const { matrix } = wideCustomers({ n: 1500, seed: 7 });
    expect(matrix.d).toBeGreaterThan(40);
    const minPoints = 2 * matrix.d;
    const tree = suggestEps(copy(matrix), minPoints, new Rng(3), "tree");
    const scan = suggestEps(copy(matrix), minPoints, new Rng(3), "scan");
    expect(scan).toEqual(tree);
    const ks: number[] = [];
    // All noise, several clusters with border rows and noise, one cluster.
    for (const f of [0.5, 0.75, 1, 2]) {
      const eps = tree.eps * f;
      const a = dbscanLabels(copy(matrix), eps, minPoints, "tree");
      same(a, dbscanLabels(copy(matrix), eps, minPoints, "scan"));
      ks.push(a.k);
    }
    expect(ks).toEqual([0, 4, 1, 1]);
  });

  it("gives the k-d tree's labels on wide numeric data too (no two-valued columns to bound with)", () => {
    const p = plantedCustomers({ n: 1200, d: 30, k: 4, seed: 2, separation: 4, outlierShare: 0.03 });
    const eps = suggestEps(p.matrix, 8, new Rng(1), "tree").eps;
    for (const f of [0.6, 1, 1.5]) same(dbscanLabels(copy(p.matrix), eps * f, 8, "tree"), dbscanLabels(copy(p.matrix), eps * f, 8, "scan"));
  });

  it("every row's k-distance, or some rows', equals the k-d tree's, the row itself counted", () => {
    const { matrix } = wideCustomers({ n: 600, seed: 3, categorical: 10 });
    const tree = new KdTree(matrix.data, matrix.n, matrix.d);
    for (const k of [1, 5, 40]) {
      const all = kthNearestSqAll(copy(matrix), k);
      for (let i = 0; i < matrix.n; i++) expect(all[i]).toBe(tree.kthNearestSq(matrix.data, i * matrix.d, k));
      // Some rows only (the eps suggestion of a table above DBSCAN's maxPoints).
      const queries = Int32Array.from([0, 17, 599, 300]);
      expect(Array.from(kthNearestSqOf(matrix, queries, k))).toEqual(Array.from(queries, (q) => all[q]));
    }
    expect(Array.from(kthNearestSqAll(copy(matrix), matrix.n + 1))).toEqual(new Array(matrix.n).fill(Infinity));
  });
});
