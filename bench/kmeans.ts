/**
 * Micro-benchmark: our Lloyd (Hamerly, threads) against scikit-learn's KMeans(algorithm="lloyd",
 * n_init=1) started from the same centres, on planted-segment data.
 *
 *   node --import tsx bench/kmeans.ts [n ...]          (default: 100000 1000000)
 *
 * scikit-learn runs in a long-lived /usr/bin/python3 child (bench/sklearn.ts); the two sides are
 * timed alternately, so load from other processes hits both
 * alike. Reported: best and median of the rounds. Without python3 + scikit-learn only our side runs.
 * "shared in" = the matrix already lives on a SharedArrayBuffer, so it is not copied for the workers.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { haveSklearn, Sklearn, type Timing } from "./sklearn.ts";
import { kmeansPlusPlus, lloyd, startKmeansWorkers } from "../loaders/cluster/kmeans.ts";
import { Rng } from "../loaders/rng.ts";
import { plantedCustomers } from "../loaders/synthetic.ts";

const D = 8;
const K = 8;
const ROUNDS = Number(process.env.ROUNDS ?? 7);

const best = (xs: number[]) => Math.min(...xs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (s: number) => s.toFixed(3);

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number);
  if (sizes.length === 0) sizes.push(100_000, 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), "kmeans-bench-"));
  const withPython = await haveSklearn();
  const sk = withPython ? new Sklearn() : undefined;
  try {
    let t = performance.now();
    const ready = await startKmeansWorkers();
    console.log(`workers ready: ${ready} in ${fmt((performance.now() - t) / 1000)} s`);
    for (const n of sizes) {
      t = performance.now();
      const { matrix } = plantedCustomers({ n, d: D, k: K, seed: 42 });
      const genSeconds = (performance.now() - t) / 1000;
      t = performance.now();
      const ppInit = kmeansPlusPlus(matrix, K, new Rng(7));
      const ppSeconds = (performance.now() - t) / 1000;
      // A harder start too: k random rows, which needs more iterations.
      const rows = new Rng(8).sampleIndices(n, K);
      const rowInit = new Float64Array(K * D);
      rows.forEach((r, c) => rowInit.set(matrix.data.subarray(r * D, (r + 1) * D), c * D));
      // The same data on a SharedArrayBuffer: workers read it without the per-call copy.
      const sharedMatrix = { ...matrix, data: new Float64Array(new SharedArrayBuffer(matrix.data.byteLength)) };
      sharedMatrix.data.set(matrix.data);
      const xFile = join(dir, `x${n}.f64`);
      writeFileSync(xFile, new Uint8Array(matrix.data.buffer, matrix.data.byteOffset, matrix.data.byteLength));
      console.log(`\nn = ${n}, d = ${D}, k = ${K}: generated in ${fmt(genSeconds)} s, k-means++ in ${fmt(ppSeconds)} s`);
      for (const [name, init] of [["k-means++ start", ppInit], ["random-rows start", rowInit]] as const) {
        const cFile = join(dir, `c${n}-${name[0]}.f64`);
        writeFileSync(cFile, new Uint8Array(init.buffer, init.byteOffset, init.byteLength));
        lloyd(matrix, init); // warm-up (JIT)
        const js: Timing[] = [];
        const jsShared: Timing[] = [];
        const js1: Timing[] = [];
        const py: Timing[] = [];
        const runs = [
          [matrix, "auto", js],
          [sharedMatrix, "auto", jsShared],
          [matrix, 1, js1]
        ] as const;
        for (let r = 0; r < ROUNDS; r++) {
          if (sk) py.push(await sk.fit(xFile, cFile, n, D, K));
          for (const [m, threads, out] of runs) {
            const t0 = performance.now();
            const res = lloyd(m, init, { threads });
            out.push({ seconds: (performance.now() - t0) / 1000, inertia: res.inertia, iterations: res.iterations });
          }
        }
        const line = (label: string, xs: Timing[]) =>
          `  ${label.padEnd(22)} best ${fmt(best(xs.map((x) => x.seconds)))} s, median ${fmt(median(xs.map((x) => x.seconds)))} s, ` +
          `inertia ${xs[0].inertia.toPrecision(12)}, ${xs[0].iterations} iterations`;
        console.log(` ${name}:`);
        console.log(line("ours (threads auto)", js));
        console.log(line("ours (auto, shared in)", jsShared));
        console.log(line("ours (1 thread)", js1));
        if (py.length) {
          console.log(line("scikit-learn", py));
          const ratio = best(js.map((x) => x.seconds)) / best(py.map((x) => x.seconds));
          const medRatio = median(js.map((x) => x.seconds)) / median(py.map((x) => x.seconds));
          const rel = Math.abs(js[0].inertia - py[0].inertia) / py[0].inertia;
          console.log(`  ours/sklearn time: best ${ratio.toFixed(2)}, median ${medRatio.toFixed(2)}; inertia relative difference ${rel.toExponential(2)}`);
        }
      }
    }
  } finally {
    sk?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
