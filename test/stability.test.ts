import { describe, expect, it } from "vitest";
import { sqDist, type FeatureMatrix } from "../loaders/matrix.ts";
import { Rng } from "../loaders/rng.ts";
import { plantedCustomers } from "../loaders/synthetic.ts";
import { stability } from "../loaders/evaluate/stability.ts";

/** Best of 5 k-means runs by within-cluster sum of squares, as kmeans(nstart = 5) in R. */
function kmeans(m: FeatureMatrix, k: number, rng: Rng): Int32Array {
  let best: { labels: Int32Array; wss: number } | undefined;
  for (let r = 0; r < 5; r++) {
    const run = lloyd(m, k, rng);
    if (!best || run.wss < best.wss) best = run;
  }
  return (best as { labels: Int32Array }).labels;
}

/** A small k-means (k-means++ seeding, Lloyd iterations), local so the test has no other dependency. */
function lloyd(m: FeatureMatrix, k: number, rng: Rng): { labels: Int32Array; wss: number } {
  const { n, d, data } = m;
  const centres = new Float64Array(k * d);
  const nearest = new Float64Array(n).fill(Infinity);
  let pick = rng.int(n);
  for (let c = 0; c < k; c++) {
    centres.set(data.subarray(pick * d, pick * d + d), c * d);
    let total = 0;
    for (let i = 0; i < n; i++) {
      nearest[i] = Math.min(nearest[i], sqDist(data, i, centres, c, d));
      total += nearest[i];
    }
    let u = rng.random() * total;
    pick = n - 1;
    for (let i = 0; i < n; i++) if ((u -= nearest[i]) < 0) { pick = i; break; }
  }
  const labels = new Int32Array(n);
  for (let iter = 0; iter < 100; iter++) {
    let changed = iter === 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (sqDist(data, i, centres, c, d) < sqDist(data, i, centres, best, d)) best = c;
      if (labels[i] !== best) changed = true;
      labels[i] = best;
    }
    if (!changed) break;
    const sums = new Float64Array(k * d);
    const counts = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      counts[labels[i]]++;
      for (let j = 0; j < d; j++) sums[labels[i] * d + j] += data[i * d + j];
    }
    for (let c = 0; c < k; c++) if (counts[c] > 0) for (let j = 0; j < d; j++) centres[c * d + j] = sums[c * d + j] / counts[c];
  }
  let wss = 0;
  for (let i = 0; i < n; i++) wss += sqDist(data, i, centres, labels[i], d);
  return { labels, wss };
}

describe("bootstrap stability (clusterboot)", () => {
  it("finds well-separated planted blobs stable", () => {
    const p = plantedCustomers({ n: 400, d: 2, k: 4, seed: 21 });
    const labels = kmeans(p.matrix, 4, new Rng(1));
    const out = stability(p.matrix, labels, (m, rng) => kmeans(m, 4, rng), { rng: new Rng(2), B: 20 });
    expect(out.segments.map((s) => s.segment)).toEqual([0, 1, 2, 3]);
    for (const s of out.segments) {
      expect(s.meanJaccard).toBeGreaterThan(0.9);
      expect(s.resamples).toBe(20);
      expect(s.jaccards).toHaveLength(20);
    }
    expect(out.meanJaccard).toBeGreaterThan(0.9);
  });

  it("finds some k = 6 segment of uniform noise clearly less stable", () => {
    const rng = new Rng(5);
    const n = 400;
    const noise: FeatureMatrix = { names: ["x", "y"], n, d: 2, data: Float64Array.from({ length: 2 * n }, () => rng.random()) };
    const labels = kmeans(noise, 6, new Rng(1));
    const out = stability(noise, labels, (m, r) => kmeans(m, 6, r), { rng: new Rng(2), B: 20 });
    const worst = Math.min(...out.segments.map((s) => s.meanJaccard));
    expect(worst).toBeLessThan(0.75);
    expect(Math.max(...out.segments.map((s) => s.dissolvedShare))).toBeGreaterThan(0);
  });

  it("scores against the drawn rows only: one bootstrap cluster gives Jaccard = the segment's share", () => {
    // Segments of 80 and 20 rows, refit puts everything in one cluster. On the drawn rows D,
    // Jaccard(A ∩ D, D) = |A ∩ D| / |D|, so the two segments' values add to 1 in every resample
    // (hand derivation); the big one (≈0.8) counts as recovered, the small one (≈0.2) as dissolved.
    const n = 100;
    const m: FeatureMatrix = { names: ["x"], n, d: 1, data: Float64Array.from({ length: n }, (_, i) => i) };
    const labels = Int32Array.from({ length: n }, (_, i) => (i < 80 ? 0 : 1));
    const out = stability(m, labels, (mm) => new Int32Array(mm.n), { rng: new Rng(3), B: 10 });
    const [big, small] = out.segments;
    big.jaccards.forEach((j, b) => expect(j + small.jaccards[b]).toBeCloseTo(1, 12));
    expect(big.meanJaccard).toBeGreaterThan(0.7);
    expect(big.meanJaccard).toBeLessThan(0.9);
    expect(small.dissolvedShare).toBe(1);
  });

  it("gives Jaccard 1 when the refit reproduces the segments, never scores noise, and ignores bootstrap noise", () => {
    // Column 0 carries the segment; the refit reads it back, calling segment 2 noise.
    const n = 90;
    const labels = Int32Array.from({ length: n }, (_, i) => (i % 10 === 0 ? -1 : i % 3));
    const m: FeatureMatrix = { names: ["label"], n, d: 1, data: Float64Array.from(labels) };
    const out = stability(m, labels, (mm) => Int32Array.from(mm.data, (v) => (v === 2 ? -1 : v)), { rng: new Rng(4), B: 5 });
    expect(out.segments.map((s) => s.segment)).toEqual([0, 1, 2]);
    expect(out.segments[0].meanJaccard).toBe(1);
    expect(out.segments[1].meanJaccard).toBe(1);
    expect(out.segments[1].stableShare).toBe(1);
    expect(out.segments[2].meanJaccard).toBe(0);
    expect(out.segments[2].dissolvedShare).toBe(1);
  });

  it("is deterministic, subsamples large inputs and says so", () => {
    const p = plantedCustomers({ n: 600, d: 2, k: 3, seed: 8 });
    const run = () => stability(p.matrix, p.truth, (m, r) => kmeans(m, 3, r), { rng: new Rng(9), B: 4, maxRows: 250 });
    const a = run();
    expect(a).toEqual(run());
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
    expect(a.nUsed).toBe(250);
    expect(a.subsampled).toBe(true);
    expect(a.notes.join(" ")).toMatch(/subsample of 250 of 600/);
    expect(a.segments.reduce((s, x) => s + x.size, 0)).toBe(250);
  });

  it("rejects bad parameters and a refit with the wrong length", () => {
    const m: FeatureMatrix = { names: ["x"], n: 4, d: 1, data: Float64Array.from([1, 2, 3, 4]) };
    const labels = Int32Array.from([0, 0, 1, 1]);
    expect(() => stability(m, labels, (mm) => new Int32Array(mm.n), { rng: new Rng(1), B: 0 })).toThrow(/B/);
    expect(() => stability(m, labels, () => new Int32Array(2), { rng: new Rng(1) })).toThrow(/wrong number of labels/);
    expect(() => stability(m, Int32Array.from([-1, -1, -1, -1]), (mm) => new Int32Array(mm.n), { rng: new Rng(1) })).toThrow(/noise/);
  });
});
