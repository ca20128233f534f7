/**
 * One benchmark size in its own process, so its peak memory is its own:
 *   node --import tsx bench/stages.ts N [--grid]
 * Writes seeded planted customers (N × 8, 6 segments) to a temporary CSV, then times each stage
 * of the pipeline on it and prints one JSON line: {n, stages: {name: seconds}, peakMB, notes}.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clusterers } from "../loaders/cluster/index.ts";
import { startKmeansWorkers } from "../loaders/cluster/kmeans.ts";
import { runExperiment } from "../loaders/experiment/runner.ts";
import { readDataset } from "../loaders/io/read.ts";
import { parseManifest } from "../loaders/manifest/load.ts";
import { prepare } from "../loaders/prepare/prepare.ts";
import { pca } from "../loaders/project/pca.ts";
import { Rng } from "../loaders/rng.ts";
import { plantedCustomers } from "../loaders/synthetic.ts";

export const D = 8;
export const K = 6;
/** Separation of the planted centres: overlapping enough that algorithms need real iterations. */
export const SEPARATION = 3;

const n = Number(process.argv[2]);
const withGrid = process.argv.includes("--grid");
const dir = mkdtempSync(join(tmpdir(), "bench-"));
const stages: Record<string, number> = {};
const notes: string[] = [];
const time = <T>(name: string, f: () => T): T => {
  const t = performance.now();
  const out = f();
  stages[name] = (performance.now() - t) / 1000;
  return out;
};

try {
  await startKmeansWorkers();
  const { matrix } = plantedCustomers({ n, d: D, k: K, seed: 42, separation: SEPARATION });
  const names = Array.from({ length: D }, (_, j) => `f${j + 1}`);
  const lines = [`id,${names.join(",")}`];
  for (let i = 0; i < n; i++) lines.push(`c${i},${Array.from(matrix.data.subarray(i * D, (i + 1) * D), (v) => v.toFixed(4)).join(",")}`);
  const file = join(dir, "customers.csv");
  writeFileSync(file, lines.join("\n") + "\n");
  lines.length = 0;
  // The manifest names files inside data/ only; the generated file is read from its own path.
  const entry = parseManifest(
    { datasets: { bench: { title: "bench", kind: "customers", file: "customers.csv", format: "csv", columns: { id: "id", ...Object.fromEntries(names.map((c) => [c, "numeric"])) } } } },
    "bench"
  ).datasets[0];

  const table = time("read", () => readDataset(entry, file));
  const prepared = time("prepare", () => prepare(table, entry.prepare));
  const m = prepared.matrix;
  time("k-means k=6 (k-means++, 1 init)", () => clusterers.kmeans.fit(m, { k: K, nInit: 1 }, new Rng(1)));
  time("Ward k=6", () => clusterers.hierarchical.fit(m, { k: K }, new Rng(1)));
  time("DBSCAN (eps suggested)", () => clusterers.dbscan.fit(m, { minPoints: 2 * D }, new Rng(1)));
  time("Gaussian mixture k=6 full (1 init)", () => clusterers.gmm.fit(m, { k: K, nInit: 1 }, new Rng(1)));
  time("PCA 2-D", () => pca(m, 2));
  if (withGrid) {
    const result = time("default grid (32 runs + metrics + stability checks)", () => runExperiment({ matrix: m, label: null, options: { seed: 42 } }));
    notes.push(`grid recommended ${result.recommendation?.runId ?? "no run (none could be scored)"}`);
  } else notes.push("default grid not run at this size");
  const peakMB = (process.resourceUsage().maxRSS * 1024) / 2 ** 20;
  process.stdout.write(JSON.stringify({ n, stages, peakMB, notes }) + "\n");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
