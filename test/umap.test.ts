import { afterEach, describe, expect, it, vi } from "vitest";
import type { FeatureMatrix } from "../loaders/matrix.ts";
import { exactKnn, umap2d, UMAP_DEFAULTS } from "../loaders/project/umap.ts";
import { Rng } from "../loaders/rng.ts";

function matrix(n: number, d: number, value: (i: number, j: number) => number): FeatureMatrix {
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) data[i * d + j] = value(i, j);
  return { names: Array.from({ length: d }, (_, j) => `f${j}`), n, d, data };
}

/** k well-separated Gaussian blobs in d dimensions: centres ~N(0, 10²), points sd 1 around them. */
function blobs(n: number, d: number, k: number, seed: number): { m: FeatureMatrix; labels: Int32Array } {
  const rng = new Rng(seed);
  const centres = Array.from({ length: k }, () => Array.from({ length: d }, () => 10 * rng.normal()));
  const labels = Int32Array.from({ length: n }, () => rng.int(k));
  return { m: matrix(n, d, (i, j) => centres[labels[i]][j] + rng.normal()), labels };
}

const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
const bytes = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const allFinite = (a: Float64Array) => a.every(Number.isFinite);

afterEach(() => vi.restoreAllMocks());

describe("umap2d", () => {
  const { m, labels } = blobs(800, 10, 4, 42);

  it("is byte-identical for the same seed, differs for another, and never calls Math.random", () => {
    const spy = vi.spyOn(Math, "random");
    const rows = all(300);
    const a = umap2d(m, rows, 7);
    const b = umap2d(m, rows, 7);
    const c = umap2d(m, rows, 8);
    expect(spy).not.toHaveBeenCalled();
    expect(a.coordinates.length).toBe(600);
    expect(bytes(a.coordinates).equals(bytes(b.coordinates))).toBe(true);
    expect(bytes(a.coordinates).equals(bytes(c.coordinates))).toBe(false);
    expect([a.nNeighbors, a.minDist, a.nEpochs]).toEqual([UMAP_DEFAULTS.nNeighbors, UMAP_DEFAULTS.minDist, UMAP_DEFAULTS.nEpochs]);
    expect(a.notes).toEqual([]);
  });

  it("keeps planted blobs apart: 5-nearest-neighbour label agreement in the map ≥ 0.95", () => {
    const { coordinates: xy, notes } = umap2d(m, all(m.n), 1);
    expect(notes).toEqual([]);
    expect(allFinite(xy)).toBe(true);
    const n = m.n;
    let agree = 0;
    for (let i = 0; i < n; i++) {
      const near = Array.from({ length: n }, (_, j) => j)
        .filter((j) => j !== i)
        .map((j) => [(xy[2 * i] - xy[2 * j]) ** 2 + (xy[2 * i + 1] - xy[2 * j + 1]) ** 2, j])
        .sort((p, q) => p[0] - q[0])
        .slice(0, 5);
      for (const [, j] of near) if (labels[j] === labels[i]) agree++;
    }
    expect(agree / (5 * n)).toBeGreaterThanOrEqual(0.95);
  });

  it("maps the given rows, in their order", () => {
    const rows = Int32Array.from([5, 700, 3, 42, 99, 12, 650, 8]);
    const sub = matrix(rows.length, m.d, (i, j) => m.data[rows[i] * m.d + j]);
    const a = umap2d(m, rows, 3);
    expect(bytes(a.coordinates).equals(bytes(umap2d(sub, all(rows.length), 3).coordinates))).toBe(true);
  });

  it("falls back to the first two features, centred, below 4 rows", () => {
    expect(umap2d(m, [], 1).coordinates.length).toBe(0);
    const one = umap2d(m, [0], 1);
    expect(Array.from(one.coordinates)).toEqual([0, 0]);
    expect(one.notes.join(" ")).toMatch(/too few for UMAP/);
    const three = umap2d(matrix(3, 1, (i) => i), all(3), 1);
    expect(Array.from(three.coordinates)).toEqual([-1, 0, 0, 0, 1, 0]);
    expect(three.nEpochs).toBe(0);
  });

  it("caps nNeighbors at rows − 1 and says so", () => {
    for (const n of [4, 5, 10]) {
      const r = umap2d(m, all(n), 1);
      expect(r.nNeighbors).toBe(Math.min(15, n - 1));
      expect(r.notes.some((x) => x.includes(`lowered from 15 to ${n - 1}`))).toBe(true);
      expect(r.coordinates.length).toBe(2 * n);
      expect(allFinite(r.coordinates)).toBe(true);
    }
    expect(umap2d(m, all(50), 1, { nNeighbors: 30 }).nNeighbors).toBe(30);
  });

  it("gives finite coordinates for duplicate rows, constant columns and all-identical rows", () => {
    // 60 rows: 20 copies each of three points, with a constant column.
    const dup = matrix(60, 3, (i, j) => (j === 2 ? 5 : (i % 3) * (j + 1)));
    const a = umap2d(dup, all(60), 1);
    expect(allFinite(a.coordinates)).toBe(true);
    expect(bytes(a.coordinates).equals(bytes(umap2d(dup, all(60), 1).coordinates))).toBe(true);
    const same = umap2d(matrix(30, 4, () => 1), all(30), 1);
    expect(allFinite(same.coordinates)).toBe(true);
    // A matrix with a single feature (PCA gives one component; the second starts as noise).
    expect(allFinite(umap2d(matrix(40, 1, (i) => i % 7), all(40), 1).coordinates)).toBe(true);
  });

  it("rejects nonsense options", () => {
    expect(() => umap2d(m, all(20), 1, { nNeighbors: 1 })).toThrow(RangeError);
    expect(() => umap2d(m, all(20), 1, { minDist: -0.1 })).toThrow(RangeError);
    expect(() => umap2d(m, all(20), 1, { nEpochs: 0 })).toThrow(RangeError);
  });
});

describe("exactKnn", () => {
  it("lists self first, then the nearest by distance with ties in row order", () => {
    // Rows 0, 2, 4 are the same point; rows 1, 3 another; row 5 far away.
    const m = matrix(6, 2, (i, j) => (i === 5 ? 100 : (i % 2) * 3 + j));
    const { indices, distances } = exactKnn(m, 4);
    expect(indices[0]).toEqual([0, 2, 4, 1]);
    expect(indices[4]).toEqual([4, 0, 2, 1]);
    expect(indices[3]).toEqual([3, 1, 0, 2]);
    expect(distances[0]).toEqual([0, 0, 0, Math.sqrt(18)]);
  });

  it("agrees with brute force", () => {
    const rng = new Rng(5);
    const m = matrix(120, 6, () => rng.normal());
    const k = 8;
    const { indices, distances } = exactKnn(m, k);
    for (let i = 0; i < m.n; i++) {
      const brute = Array.from({ length: m.n }, (_, j) => j)
        .filter((j) => j !== i)
        .map((j) => [Math.hypot(...Array.from({ length: m.d }, (_, t) => m.data[i * m.d + t] - m.data[j * m.d + t])), j])
        .sort((p, q) => p[0] - q[0] || p[1] - q[1])
        .slice(0, k - 1);
      expect(indices[i]).toEqual([i, ...brute.map((p) => p[1])]);
      distances[i].slice(1).forEach((d, r) => expect(d).toBeCloseTo(brute[r][0], 12));
    }
  });
});
