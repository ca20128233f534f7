import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { kmeans, kmeansPlusPlus, lloyd } from "../loaders/cluster/kmeans.ts";
import { GENERATED_PATH, MAX_SPECIALISED, generateKernels } from "../loaders/cluster/kmeansKernels.gen.ts";
import { kernelsFor, kernelsGeneric } from "../loaders/cluster/kmeansKernels.generated.ts";
import { setKmeansWasm } from "../loaders/cluster/kmeansWasm.ts";
import type { BlockKernels } from "../loaders/cluster/kmeansLayout.ts";
import type { FeatureMatrix } from "../loaders/matrix.ts";
import { Rng } from "../loaders/rng.ts";
import { matrixOf } from "./helpers/fixtures.ts";

function uniformMatrix(n: number, d: number, seed: number): FeatureMatrix {
  const rng = new Rng(seed);
  const data = Float64Array.from({ length: n * d }, () => rng.random() * 10);
  return { names: Array.from({ length: d }, (_, j) => `f${j}`), n, d, data };
}

/** Runs `run` with the TypeScript kernels only (the WebAssembly ones are compared in kmeansWasm.test.ts). */
function tsOnly<T>(run: () => T): T {
  setKmeansWasm(false);
  try {
    return run();
  } finally {
    setKmeansWasm(true);
  }
}

/** Runs `run` with the specialised kernel set for d replaced by the generic one. */
function withGeneric<T>(d: number, run: () => T): T {
  const specialised = kernelsFor(d);
  const saved: BlockKernels = { ...specialised };
  Object.assign(specialised, kernelsGeneric);
  try {
    return tsOnly(run);
  } finally {
    Object.assign(specialised, saved);
  }
}

describe("generated k-means kernels", () => {
  it("are what the generator writes (run npm run kernels)", () => {
    expect(readFileSync(GENERATED_PATH, "utf8")).toBe(generateKernels());
  });

  it("give bit-identical results unrolled and generic", () => {
    // k covers 2, 3 and 4 k-means++ candidates per round, 5 (two passes per round), and scan
    // groups of 1 to 4 centres; d covers the specialised range and its edge.
    const ds = [1, 2, 3, 4, 7, 8, MAX_SPECIALISED];
    for (const d of ds)
      for (const k of [1, 2, 3, 6, 9, 22]) {
        const m = uniformMatrix(1200, d, d * 100 + k);
        const rows = new Rng(k).sampleIndices(m.n, k);
        const init = new Float64Array(k * d);
        rows.forEach((r, c) => init.set(m.data.subarray(r * d, (r + 1) * d), c * d));
        const run = () => ({
          fit: kmeans.fit(m, { k, nInit: 2 }, new Rng(d + k)),
          seeds: kmeansPlusPlus(m, k, new Rng(k)),
          plain: lloyd(m, init, { tol: 0 })
        });
        const a = tsOnly(run);
        const b = withGeneric(d, run);
        const label = `d = ${d}, k = ${k}`;
        expect(b.fit.labels, label).toEqual(a.fit.labels);
        expect(b.fit.model, label).toEqual(a.fit.model);
        expect(b.seeds, label).toEqual(a.seeds);
        expect(b.plain.labels, label).toEqual(a.plain.labels);
        expect(b.plain.centroids, label).toEqual(a.plain.centroids);
        expect(b.plain.iterations, label).toBe(a.plain.iterations);
      }
  });

  it("run the generic set above the specialised range", () => {
    expect(kernelsFor(MAX_SPECIALISED + 1)).toBe(kernelsGeneric);
    expect(kernelsFor(MAX_SPECIALISED)).not.toBe(kernelsGeneric);
  });
});

describe("Lloyd's bound tests", () => {
  it("leave every row at its nearest final centre, ties to the lower index, even with coinciding centres", () => {
    // Nine distinct points, each repeated, and 20 centres: several centres coincide, so many
    // rows are at distance 0 from two centres. A bound test that lets such a row keep the
    // higher index (as one with only a relative margin did) breaks plain Lloyd's labels.
    const rng = new Rng(2);
    const rowsOf = Array.from({ length: 500 }, () => [Math.floor(rng.random() * 3), Math.floor(rng.random() * 3)]);
    const m = matrixOf(rowsOf);
    const k = 20;
    const init = new Float64Array(2 * k);
    new Rng(11).sampleIndices(m.n, k).forEach((r, c) => init.set(m.data.subarray(2 * r, 2 * r + 2), 2 * c));
    for (const maxIter of [1, 2, 3, 300]) {
      const r = lloyd(m, init, { tol: 0, maxIter });
      for (let i = 0; i < m.n; i++) {
        let best = 0;
        let bestDist = Infinity;
        for (let c = 0; c < k; c++) {
          const e = (m.data[2 * i] - r.centroids[2 * c]) ** 2 + (m.data[2 * i + 1] - r.centroids[2 * c + 1]) ** 2;
          if (e < bestDist) [best, bestDist] = [c, e];
        }
        expect(r.labels[i], `maxIter ${maxIter}, row ${i}`).toBe(best);
      }
    }
  });
});
