import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { kmeans, kmeansPlusPlus, lloyd, setKmeansThreads, startKmeansWorkers } from "../loaders/cluster/kmeans.ts";
import { MAX_SPECIALISED } from "../loaders/cluster/kmeansKernels.gen.ts";
import { CTRL, OP } from "../loaders/cluster/kmeansLayout.ts";
import { KmeansSession, kmeansWorkerBlocks } from "../loaders/cluster/kmeansSession.ts";
import { WASM_PATH, assembleWasm, generateWat } from "../loaders/cluster/kmeansWasm.gen.ts";
import { setKmeansWasm, wasmBindings } from "../loaders/cluster/kmeansWasm.ts";
import type { FeatureMatrix } from "../loaders/matrix.ts";
import { Rng } from "../loaders/rng.ts";
import { overlappingBlobs } from "../bench/kmeansOverlap.ts";

/** Rows drawn around k centres: continuous values, so that sums round (ties are tested apart). */
const blobs = overlappingBlobs;

/** Fit, k-means++ seeds and Lloyd from given centres (tol 0: every step to the end), as plain values. */
function everything(m: FeatureMatrix, k: number, seed: number) {
  const init = new Float64Array(k * m.d);
  new Rng(seed).sampleIndices(m.n, k).forEach((r, c) => init.set(m.data.subarray(r * m.d, (r + 1) * m.d), c * m.d));
  const fit = kmeans.fit(m, { k, nInit: 2 }, new Rng(seed));
  const plain = lloyd(m, init, { tol: 0 });
  return { labels: fit.labels, model: fit.model, seeds: kmeansPlusPlus(m, k, new Rng(seed + 1)), plain };
}

/**
 * `run`'s result, and a digest of the session's state (labels, bounds, distances, block sums and
 * counts, per-block outputs) after every operation: rounding the kernels differ in shows there
 * even when the chosen seeds and labels come out the same.
 */
function traced<T>(run: () => T): { result: T; trace: string[] } {
  const trace: string[] = [];
  const original = KmeansSession.prototype.run;
  const seen = new WeakSet<KmeansSession>();
  KmeansSession.prototype.run = function (this: KmeansSession, op: number) {
    const s = this.state;
    if (!seen.has(this)) {
      // Row-sized buffers are reused between sessions and written before they are read: clear
      // what an earlier session left, which differs between the two runs.
      seen.add(this);
      for (const a of [s.labels, s.upper, s.lower, s.closest]) a.fill(0);
    }
    original.call(this, op);
    const hash = createHash("sha256");
    for (const a of [s.labels, s.upper, s.lower, s.closest, s.sums, s.counts, s.stat]) hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    trace.push(`${op}:${hash.digest("hex").slice(0, 16)}`);
  };
  try {
    return { result: run(), trace };
  } finally {
    KmeansSession.prototype.run = original;
  }
}

function compare(m: FeatureMatrix, k: number, seed: number, label: string): void {
  setKmeansWasm(false);
  const ts = traced(() => everything(m, k, seed));
  setKmeansWasm(true);
  const before = wasmBindings();
  const wasm = traced(() => everything(m, k, seed));
  expect(wasmBindings(), `${label}: the WebAssembly kernels ran`).toBeGreaterThan(before);
  expect(wasm.result, label).toEqual(ts.result);
  expect(wasm.trace, label).toEqual(ts.trace);
}

afterEach(() => {
  setKmeansWasm(true);
  setKmeansThreads("auto");
});

describe("WebAssembly k-means kernels", () => {
  it("are what the generator writes (run npm run kernels)", async () => {
    const written = readFileSync(WASM_PATH);
    expect(Buffer.compare(written, Buffer.from(await assembleWasm(generateWat())))).toBe(0);
  });

  it("give the TypeScript kernels' results bit for bit, for every specialised d", () => {
    // An odd n leaves a row without a partner in the last block; k covers 1 to 4 k-means++
    // candidates per round and scan groups of 1 to 4 centres, two of them at k = 9.
    setKmeansThreads(1);
    for (let d = 1; d <= MAX_SPECIALISED; d++)
      for (const k of [1, 2, 3, 6, 9]) compare(blobs(1201, d, Math.max(k, 2), 10 * d + k), k, d + k, `d = ${d}, k = ${k}`);
  });

  it("give the same results when empty clusters are refilled (TypeScript recomputes those steps)", () => {
    // Nine distinct points and 20 centres: coinciding centres, exact ties and empty clusters.
    setKmeansThreads(1);
    const rng = new Rng(2);
    const data = Float64Array.from({ length: 1000 }, () => Math.floor(rng.random() * 3));
    compare({ names: ["a", "b"], n: 500, d: 2, data }, 20, 11, "nine points, k = 20");
  });

  it("give the same results shared with worker threads", async () => {
    setKmeansThreads(2);
    expect(await startKmeansWorkers(2)).toBe(1);
    const workerBlocks = kmeansWorkerBlocks();
    compare(blobs(60_001, 5, 7, 3), 7, 4, "60,001 × 5, two threads");
    expect(kmeansWorkerBlocks()).toBeGreaterThan(workerBlocks);
  });

  it("send exact ties in a Lloyd step's scan to the lower centre index, as TypeScript does", () => {
    // Rows and centres on an integer grid, many rows equidistant from two or more centres. Every
    // row starts in a last centre far from all of them and fails its bound test, so all go
    // through the scan.
    const k = 7;
    for (const d of [1, 2, 3, 8]) {
      const rng = new Rng(d);
      const grid = (count: number) => Float64Array.from({ length: count * d }, () => rng.int(5));
      const m: FeatureMatrix = { names: [], n: 999, d, data: grid(999) };
      const centres = new Float64Array(k * d).fill(100);
      centres.set(grid(k - 1));
      const step = (wasm: boolean) => {
        setKmeansWasm(wasm);
        const session = new KmeansSession(m, k, 1);
        try {
          const s = session.state;
          expect(s.wasm !== undefined).toBe(wasm);
          s.centers.set(centres);
          s.labels.fill(k - 1);
          s.upper.fill(1e300);
          s.lower.fill(0);
          s.ctrl[CTRL.flags] = 0;
          session.run(OP.assign);
          return { labels: s.labels.slice(), upper: s.upper.slice(), lower: s.lower.slice(), sums: s.sums.slice(), counts: s.counts.slice() };
        } finally {
          session.close();
        }
      };
      const ts = step(false);
      const wasm = step(true);
      expect(wasm, `d = ${d}`).toEqual(ts);
      // And TypeScript's is the plain argmin, first index on ties.
      for (let i = 0; i < m.n; i++) {
        let best = 0;
        let bestDist = Infinity;
        for (let c = 0; c < k; c++) {
          let e = 0;
          for (let j = 0; j < d; j++) e += (m.data[i * d + j] - centres[c * d + j]) ** 2;
          if (e < bestDist) [best, bestDist] = [c, e];
        }
        expect(ts.labels[i]).toBe(best);
      }
    }
  });

  it("are left to TypeScript above the specialised range", () => {
    setKmeansThreads(1);
    const before = wasmBindings();
    kmeans.fit(blobs(300, MAX_SPECIALISED + 1, 3, 1), { k: 3, nInit: 1 }, new Rng(1));
    expect(wasmBindings()).toBe(before);
  });
});
