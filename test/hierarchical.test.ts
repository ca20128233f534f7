import { describe, expect, it } from "vitest";
import { cutTree, hierarchical, hierarchicalMaxPoints, linkageMerges, type Linkage } from "../loaders/cluster/hierarchical.ts";
import { WorkbenchError } from "../loaders/errors.ts";
import { Rng } from "../loaders/rng.ts";
import { plantedCustomers } from "../loaders/synthetic.ts";
import { ari, matrixOf } from "./helpers/fixtures.ts";

/** True when the two labelings are equal up to renaming the labels. */
function samePartition(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  const ab = new Map<number, number>();
  const ba = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    if ((ab.get(a[i]) ?? b[i]) !== b[i] || (ba.get(b[i]) ?? a[i]) !== a[i]) return false;
    ab.set(a[i], b[i]);
    ba.set(b[i], a[i]);
  }
  return true;
}

// 12 points in 3 loose groups (numpy RandomState(5), rounded to 2 decimals, shuffled); no tied distances.
const X12 = [
  [0.44, -0.33], [4.17, 0.86], [2.58, 6.93], [3.83, 0.51], [1.51, 5.57], [2.43, -0.25],
  [4.75, 1.42], [1.56, 5.79], [0.11, 1.58], [-0.91, -0.59], [1.24, 6.32], [5.13, 0.77]
];

// Linkage matrices from scipy 1.10.1: scipy.cluster.hierarchy.linkage(X12, method=m) (Euclidean),
// rows [a, b, height, size]; heights printed with 12 decimals. fcluster(Z, k, "maxclust") below.
const SCIPY: Record<Linkage, { Z: number[][]; fcluster: Record<number, number[]> }> = {
  ward: {
    Z: [
      [4, 7, 0.225610283454, 2], [1, 3, 0.48795491595, 2], [6, 11, 0.752927619363, 2], [10, 12, 0.813736239003, 3],
      [0, 9, 1.374809077654, 2], [13, 14, 1.450310311623, 4], [2, 15, 1.890193993571, 4], [8, 16, 2.38903746308, 3],
      [5, 17, 2.955997293639, 5], [19, 20, 8.143514597519, 8], [18, 21, 13.183422039314, 12]
    ],
    fcluster: { 2: [2, 2, 1, 2, 1, 2, 2, 1, 2, 2, 1, 2], 3: [2, 3, 1, 3, 1, 3, 3, 1, 2, 2, 1, 3], 4: [2, 3, 1, 3, 1, 4, 3, 1, 2, 2, 1, 3] }
  },
  average: {
    Z: [
      [4, 7, 0.225610283454, 2], [1, 3, 0.48795491595, 2], [10, 12, 0.708116041511, 3], [6, 11, 0.752927619363, 2],
      [13, 15, 1.097551274612, 4], [0, 9, 1.374809077654, 2], [2, 14, 1.577493109488, 4], [8, 17, 2.168034009896, 3],
      [5, 16, 2.350420125858, 5], [19, 20, 4.349915439325, 8], [18, 21, 6.146462598971, 12]
    ],
    fcluster: { 2: [2, 2, 1, 2, 1, 2, 2, 1, 2, 2, 1, 2], 3: [2, 3, 1, 3, 1, 3, 3, 1, 2, 2, 1, 3], 4: [2, 3, 1, 3, 1, 4, 3, 1, 2, 2, 1, 3] }
  },
  complete: {
    Z: [
      [4, 7, 0.225610283454, 2], [1, 3, 0.48795491595, 2], [6, 11, 0.752927619363, 2], [10, 12, 0.797119815335, 3],
      [13, 14, 1.325745073534, 4], [0, 9, 1.374809077654, 2], [2, 15, 1.730462365959, 4], [8, 17, 2.397769797124, 3],
      [5, 16, 2.886243232993, 5], [19, 20, 6.191219589063, 8], [18, 21, 8.290385998251, 12]
    ],
    fcluster: { 2: [2, 2, 1, 2, 1, 2, 2, 1, 2, 2, 1, 2], 3: [2, 3, 1, 3, 1, 3, 3, 1, 2, 2, 1, 3], 4: [2, 3, 1, 3, 1, 4, 3, 1, 2, 2, 1, 3] }
  },
  single: {
    Z: [
      [4, 7, 0.225610283454, 2], [1, 3, 0.48795491595, 2], [10, 12, 0.619112267687, 3], [6, 11, 0.752927619363, 2],
      [13, 15, 0.80622577483, 4], [0, 9, 1.374809077654, 2], [2, 14, 1.472311108428, 4], [5, 16, 1.592984620139, 5],
      [8, 17, 1.938298222669, 3], [19, 20, 1.991607391029, 8], [18, 21, 4.228486726951, 12]
    ],
    fcluster: { 2: [2, 2, 1, 2, 1, 2, 2, 1, 2, 2, 1, 2], 3: [3, 2, 1, 2, 1, 2, 2, 1, 3, 3, 1, 2], 4: [3, 2, 1, 2, 1, 2, 2, 1, 4, 3, 1, 2] }
  }
};

describe("hierarchical: agreement with scipy", () => {
  for (const linkage of ["ward", "average", "complete", "single"] as const) {
    it(`${linkage}: merges and heights equal scipy's linkage matrix`, () => {
      const merges = linkageMerges(matrixOf(X12), linkage);
      expect(merges).toHaveLength(11);
      merges.forEach((m, i) => {
        const [a, b, height, size] = SCIPY[linkage].Z[i];
        expect([m.a, m.b, m.size]).toEqual([a, b, size]);
        expect(m.height).toBeCloseTo(height, 10);
      });
    });

    it(`${linkage}: cut at k equals scipy fcluster(maxclust) up to renaming`, () => {
      for (const k of [2, 3, 4]) {
        const { labels } = hierarchical.fit(matrixOf(X12), { k, linkage }, new Rng(1));
        expect(samePartition(labels, SCIPY[linkage].fcluster[k])).toBe(true);
      }
    });
  }

  it("ward heights by hand: two points at distance 2 merge at 2; a third point joins at sqrt(2·|Δ|²·1·2/3)", () => {
    // Ward height between clusters A, B = sqrt(2·|A||B|/(|A|+|B|)) · |mean A - mean B|.
    // {(0,0),(2,0)} then (1,3): means differ by 3, sizes 2 and 1 → sqrt(2·2/3)·3 = sqrt(12).
    const merges = linkageMerges(matrixOf([[0, 0], [2, 0], [1, 3]]), "ward");
    expect(merges[0]).toMatchObject({ a: 0, b: 1, size: 2 });
    expect(merges[0].height).toBeCloseTo(2, 12);
    expect(merges[1]).toMatchObject({ a: 2, b: 3, size: 3 });
    expect(merges[1].height).toBeCloseTo(Math.sqrt(12), 12);
  });
});

describe("hierarchical: planted segments", () => {
  it("Ward recovers well-separated planted segments (ARI ≥ 0.95)", () => {
    const p = plantedCustomers({ n: 600, d: 4, k: 4, seed: 21 });
    const r = hierarchical.fit(p.matrix, { k: 4 }, new Rng(1));
    expect(r.k).toBe(4);
    expect(ari(r.labels, p.truth)).toBeGreaterThanOrEqual(0.95);
  });

  it("labels are numbered 0..k-1 in order of first appearance", () => {
    const p = plantedCustomers({ n: 300, d: 3, k: 5, seed: 4 });
    const { labels } = hierarchical.fit(p.matrix, { k: 5, linkage: "average" }, new Rng(1));
    let next = 0;
    for (const c of labels) {
      expect(c).toBeLessThanOrEqual(next);
      if (c === next) next++;
    }
    expect(next).toBe(5);
  });

  it("merge heights never decrease and the dendrogram ends with one cluster of all rows", () => {
    const p = plantedCustomers({ n: 200, d: 3, k: 3, seed: 9 });
    for (const linkage of ["ward", "average", "complete", "single"] as const) {
      const merges = linkageMerges(p.matrix, linkage);
      for (let i = 1; i < merges.length; i++) expect(merges[i].height).toBeGreaterThanOrEqual(merges[i - 1].height);
      expect(merges[merges.length - 1].size).toBe(200);
    }
  });
});

describe("hierarchical: sample and assign above maxPoints", () => {
  const p = plantedCustomers({ n: 1500, d: 4, k: 3, seed: 8 });

  it("fits a maxPoints sample, assigns the rest to the nearest centroid, and says so", () => {
    const r = hierarchical.fit(p.matrix, { k: 3, maxPoints: 300 }, new Rng(5));
    expect(r.labels).toHaveLength(1500);
    expect(r.model.fittedRows).toBe(300);
    expect(r.model.sampleIndices as number[]).toHaveLength(300);
    expect((r.model.merges as unknown[]).length).toBe(299);
    expect(r.notes.join(" ")).toMatch(/sample of 300 of 1,500 rows.*other 1,200 rows.*nearest segment centroid/);
    expect(ari(r.labels, p.truth)).toBeGreaterThanOrEqual(0.95);
  });

  it("above 20 features fits fewer rows by default, its distances costing what 5,000 rows × 20 features cost", () => {
    expect([8, 20, 47, 80, 10_000].map(hierarchicalMaxPoints)).toEqual([5000, 5000, 3261, 2500, 1000]);
    const wide = plantedCustomers({ n: 1100, d: 500, k: 2, seed: 3 });
    const r = hierarchical.fit(wide.matrix, { k: 2 }, new Rng(1));
    expect(r.notes.join(" ")).toMatch(/sample of 1,000 of 1,100 rows \(maxPoints = 1,000, the n² limit at 500 features\)/);
  });

  it("no note and no sample at or below maxPoints", () => {
    const small = plantedCustomers({ n: 300, d: 4, k: 3, seed: 8 });
    const r = hierarchical.fit(small.matrix, { k: 3, maxPoints: 300 }, new Rng(5));
    expect(r.notes).toEqual([]);
    expect(r.model.sampleIndices).toBeNull();
  });

  it("same seed → identical output; another seed draws another sample", () => {
    const a = hierarchical.fit(p.matrix, { k: 3, maxPoints: 300 }, new Rng(5));
    const b = hierarchical.fit(p.matrix, { k: 3, maxPoints: 300 }, new Rng(5));
    const c = hierarchical.fit(p.matrix, { k: 3, maxPoints: 300 }, new Rng(6));
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(JSON.stringify(a.model)).toBe(JSON.stringify(b.model));
    expect(a.notes).toEqual(b.notes);
    expect(c.model.sampleIndices).not.toEqual(a.model.sampleIndices);
  });
});

describe("hierarchical: parameters and edge cases", () => {
  const m = matrixOf(X12);
  const fails = (params: object, pattern: RegExp) => {
    expect(() => hierarchical.fit(m, params, new Rng(1))).toThrow(WorkbenchError);
    expect(() => hierarchical.fit(m, params, new Rng(1))).toThrow(pattern);
  };

  it("rejects impossible parameters with a message naming them", () => {
    fails({ k: 0 }, /invalid parameter k; found "0", expected an integer from 1 to the number of rows \(12\)/);
    fails({ k: 13 }, /invalid parameter k; found "13"/);
    fails({ k: 2.5 }, /invalid parameter k/);
    fails({ k: 2, linkage: "median" }, /invalid parameter linkage; found "median", expected one of ward, average, complete, single/);
    fails({ k: 2, maxPoints: 1 }, /invalid parameter maxPoints/);
    fails({ k: 5, maxPoints: 4 }, /invalid parameter k; found "5", expected at most maxPoints/);
  });

  it("k = 1 puts every row in segment 0; k = n gives each row its own segment, numbered by row", () => {
    expect(Array.from(hierarchical.fit(m, { k: 1 }, new Rng(1)).labels)).toEqual(new Array(12).fill(0));
    expect(Array.from(hierarchical.fit(m, { k: 12 }, new Rng(1)).labels)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it("the cut record brackets the cut: below ≤ above, above = null at k = 1", () => {
    const r = hierarchical.fit(m, { k: 3 }, new Rng(1));
    // scipy ward heights: merge 9 (n - k - 1 = 8, 0-based) at 2.955997…, next at 8.143514…
    expect(r.model.cut).toEqual({ below: expect.closeTo(2.955997293639, 9), above: expect.closeTo(8.143514597519, 9) });
    expect((hierarchical.fit(m, { k: 1 }, new Rng(1)).model.cut as { above: null }).above).toBeNull();
  });

  it("duplicate rows merge at height 0 and stay together", () => {
    const rows = [[0, 0], [0, 0], [5, 5], [5, 5], [5, 5], [9, 0]];
    for (const linkage of ["ward", "average", "complete", "single"] as const) {
      const merges = linkageMerges(matrixOf(rows), linkage);
      expect(merges.slice(0, 3).map((z) => z.height)).toEqual([0, 0, 0]);
      const labels = Array.from(hierarchical.fit(matrixOf(rows), { k: 3, linkage }, new Rng(1)).labels);
      expect(labels).toEqual([0, 0, 1, 1, 1, 2]);
    }
  });

  it("a constant column changes no distance, hence no merge", () => {
    const withConstant = matrixOf(X12.map((r) => [r[0], 7, r[1]]));
    for (const linkage of ["ward", "single"] as const) {
      const a = linkageMerges(matrixOf(X12), linkage);
      const b = linkageMerges(withConstant, linkage);
      expect(b.map((z) => [z.a, z.b, z.size])).toEqual(a.map((z) => [z.a, z.b, z.size]));
      b.forEach((z, i) => expect(z.height).toBeCloseTo(a[i].height, 12));
    }
  });

  it("one row: no merges; cutTree of it is [0]", () => {
    const one = matrixOf([[1, 2]]);
    expect(linkageMerges(one)).toEqual([]);
    expect(Array.from(cutTree([], 1, 1))).toEqual([0]);
    expect(Array.from(hierarchical.fit(one, { k: 1 }, new Rng(1)).labels)).toEqual([0]);
  });
});
