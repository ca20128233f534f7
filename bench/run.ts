/**
 * `npm run bench`: the pipeline on seeded synthetic customers with planted segments (the same
 * generator the tests use) at 10k, 100k and 1M rows × 8 features, each size in its own process
 * (its peak memory is its own), and k-means against scikit-learn on the same data from the same
 * starting centroids when /usr/bin/python3 has scikit-learn. Ratios, not absolute times, are what
 * compare across machines: both sides run here, now, alternately.
 *
 * Then the value models (BG/NBD, Pareto/NBD, Gamma-Gamma on CDNOW's 1/10 sample, all of CDNOW
 * and 1M simulated customers) and the outcome models against scikit-learn's logistic
 * regression, random forest and gradient boosting on the same folds.
 *
 * Clustering also times k-means as users run it (k-means++ included) on overlapping blobs against
 * scikit-learn's KMeans, and the whole `npm run segment` process against pandas + scikit-learn
 * doing the same job on the same CSV (bench/wholeProcess.ts), and the default grid against
 * scikit-learn doing the same runs with the same caps (bench/gridCompare.ts, grid_sklearn.py).
 *
 *   npm run bench                       everything; the default grid at 10k and 100k
 *   npm run bench -- 100000             clustering at one size
 *   npm run bench -- 2000000 grid       ... with the default grid at that size too
 *   npm run bench -- value              one part: clustering, value or outcome
 *   npm run bench -- sources            Parquet and PostgreSQL sources (bench/sources.ts, bench/scoreInPlace.ts; not in the default run)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kmeansPlusPlus, lloyd, startKmeansWorkers } from "../loaders/cluster/kmeans.ts";
import { Rng } from "../loaders/rng.ts";
import { plantedCustomers } from "../loaders/synthetic.ts";
import { haveSklearn, Sklearn, type Timing } from "./sklearn.ts";
import { KMEANS_OVERLAP_HEADER, kmeansOverlapBench } from "./kmeansOverlap.ts";
import { WHOLE_PROCESS_HEADER } from "./wholeProcess.ts";
import { GRID_COMPARE_HEADER } from "./gridCompare.ts";
import { outcomeBench } from "./outcome.ts";
import { benchValueModels, valueBenchMarkdown } from "./value.ts";

const D = 8;
const GRID_UP_TO = 100_000;
const ROUNDS = 5;
const args = process.argv.slice(2);
const sizes = args.map(Number).filter((x) => x > 0);
const gridAlways = args.includes("grid");
const parts = args.filter((a) => ["clustering", "value", "outcome", "sources"].includes(a));
if (sizes.length && !parts.length) parts.push("clustering");
if (!parts.length) parts.push("clustering", "value", "outcome");
if (!sizes.length) sizes.push(10_000, 100_000, 1_000_000);

const fmt = (s: number) => (s < 10 ? s.toFixed(3) : s.toFixed(1));
const best = (xs: number[]) => Math.min(...xs);

if (parts.includes("clustering")) await clusteringBench();
if (parts.includes("value")) {
  const rows = benchValueModels([2357, 23570, 1_000_000], 3);
  console.log(`\n${valueBenchMarkdown(rows, 3)}`);
}
if (parts.includes("outcome")) console.log(`\n${await outcomeBench()}`);
// Opt-in (minutes, and a throwaway PostgreSQL server started as the user postgres): Parquet and SQL sources.
if (parts.includes("sources")) {
  for (const bench of ["sources.ts", "scoreInPlace.ts"]) spawnSync(process.execPath, ["--import", "tsx", "--expose-gc", join(import.meta.dirname, bench)], { stdio: "inherit" });
}
process.exit(0);

async function clusteringBench(): Promise<void> {
  console.log(`# Pipeline stages (seconds), planted customers × ${D} features, separation 3\n`);
  const results = sizes.map((n) => {
    const args = ["--import", "tsx", join(import.meta.dirname, "stages.ts"), String(n), ...(n <= GRID_UP_TO || gridAlways ? ["--grid"] : [])];
    const r = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`bench at n=${n} failed:\n${r.stderr}`);
    return JSON.parse(r.stdout.trim().split("\n").pop()!) as { n: number; stages: Record<string, number>; peakMB: number; notes: string[] };
  });
  const stageNames = [...new Set(results.flatMap((r) => Object.keys(r.stages)))];
  const header = ["stage", ...results.map((r) => `n = ${r.n.toLocaleString("en-US")}`)];
  const rows = [
    ...stageNames.map((s) => [s, ...results.map((r) => (r.stages[s] === undefined ? "–" : fmt(r.stages[s])))]),
    ["peak memory (MB)", ...results.map((r) => r.peakMB.toFixed(0))]
  ];
  console.log(`| ${header.join(" | ")} |\n|${header.map(() => "---").join("|")}|`);
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
  for (const r of results) for (const note of r.notes) console.log(`\nn = ${r.n}: ${note}`);

  const compared = sizes.filter((x) => x >= 100_000);
  if (!compared.length) {
    console.log("\nThe comparisons with scikit-learn and pandas run at sizes of 100,000 rows and up.");
    return;
  }
  console.log(`\n# k-means k=8 from the same k-means++ centroids, best of ${ROUNDS} alternating rounds\n`);
  if (!(await haveSklearn())) {
    console.log("scikit-learn not found (/usr/bin/python3 -c 'import sklearn'); install python3-sklearn for the comparison.");
  } else {
    await startKmeansWorkers();
    const sk = new Sklearn();
    const dir = mkdtempSync(join(tmpdir(), "bench-sk-"));
    try {
      console.log("| n | ours (s) | scikit-learn (s) | ratio ours/sklearn | iterations | inertia relative difference |\n|---|---|---|---|---|---|");
      for (const n of compared) {
        const { matrix } = plantedCustomers({ n, d: D, k: 8, seed: 42, separation: 3 });
        const init = kmeansPlusPlus(matrix, 8, new Rng(7));
        // One file name per size: the scikit-learn side caches data by file name.
        const xFile = join(dir, `x${n}.f64`);
        const cFile = join(dir, `c${n}.f64`);
        writeFileSync(xFile, new Uint8Array(matrix.data.buffer, matrix.data.byteOffset, matrix.data.byteLength));
        writeFileSync(cFile, new Uint8Array(init.buffer, init.byteOffset, init.byteLength));
        lloyd(matrix, init); // JIT warm-up
        const ours: Timing[] = [];
        const theirs: Timing[] = [];
        for (let r = 0; r < ROUNDS; r++) {
          theirs.push(await sk.fit(xFile, cFile, n, D, 8));
          const t = performance.now();
          const res = lloyd(matrix, init);
          ours.push({ seconds: (performance.now() - t) / 1000, inertia: res.inertia, iterations: res.iterations });
        }
        const a = best(ours.map((x) => x.seconds));
        const b = best(theirs.map((x) => x.seconds));
        const rel = Math.abs(ours[0].inertia - theirs[0].inertia) / theirs[0].inertia;
        console.log(`| ${n.toLocaleString("en-US")} | ${fmt(a)} | ${fmt(b)} | ${(a / b).toFixed(2)} | ${ours[0].iterations} / ${theirs[0].iterations} | ${rel.toExponential(1)} |`);
      }
    } finally {
      sk.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(`\n# k-means as users run it (k-means++ included), overlapping blobs, best of 5 alternating rounds\n\n${KMEANS_OVERLAP_HEADER}`);
  for (const n of compared) console.log(await kmeansOverlapBench({ n }));
  console.log(`\n# The whole process: CSV in, JSON out, best of 3 alternating runs\n\n${WHOLE_PROCESS_HEADER}`);
  // In a process of its own: this one now holds gigabytes, and on this machine a parent holding
  // 3 GB made the timed commands 0.4–1.1 s slower.
  for (const n of compared) {
    const r = spawnSync(process.execPath, ["--import", "tsx", join(import.meta.dirname, "wholeProcess.ts"), String(n)], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`whole-process bench at n=${n} failed:\n${r.stderr}`);
    console.log(r.stdout.trim().split("\n").pop());
  }
  // The default grid against scikit-learn doing the same runs with the same caps (minutes a size,
  // so only up to the sizes whose grid runs by default: `grid` asks for our grid alone).
  const grids = compared.filter((x) => x <= GRID_UP_TO);
  if (grids.length) console.log(`\n# The default grid, CSV in, JSON out, against scikit-learn doing the same runs (bench/grid_sklearn.py), best of 2 alternating runs\n\n${GRID_COMPARE_HEADER}`);
  for (const n of grids) {
    const r = spawnSync(process.execPath, ["--import", "tsx", join(import.meta.dirname, "gridCompare.ts"), String(n)], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`grid comparison at n=${n} failed:\n${r.stderr}`);
    console.log(r.stdout.trim().split("\n").pop());
  }
}
