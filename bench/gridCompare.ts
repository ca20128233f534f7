/**
 * The DEFAULT GRID against scikit-learn doing the same runs with the same caps
 * (bench/grid_sklearn.py), on the planted customers of bench/stages.ts written as a CSV:
 *
 *   node --import tsx bench/gridCompare.ts [N]      (default N = 100,000)
 *
 * Ours is the whole `npm run --silent segment -- --input FILE --id id` (the default grid, its
 * metrics and the recommendation's stability checks, as bench/wholeProcess.ts spawns it); theirs
 * gets the engine's five DBSCAN eps values, its min_samples and the run ids whose stability the
 * engine checked, so both do the same runs. Alternately, best of 2 each. Two timings per side:
 * - whole process: spawn to exit (ours includes npm, the bundle's start, read, prepare and writing
 *   the JSON of every run's labels; theirs Python's start, imports and pandas' read);
 * - grid only: ours from the stderr line "N customers × d features" (read and prepare done) to the
 *   first byte of the JSON on stdout, so it includes JSON.stringify of the output (estimated below);
 *   theirs is the script's own `seconds` (z-scoring, eps-suggestion work, fits, metrics, stability).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { plantedCustomers } from "../loaders/synthetic.ts";
import { haveSklearn } from "./sklearn.ts";

export const GRID_COMPARE_HEADER =
  "| data | ours whole (s) | sklearn whole (s) | ratio | ours grid (s) | sklearn grid (s) | ratio |\n|---|---|---|---|---|---|---|";

const ROOT = join(import.meta.dirname, "..");
// The data of bench/stages.ts (its constants; that file runs a bench when imported).
const D = 8;
const K = 6;
const SEPARATION = 3;
const SEED = 42;
const ROUNDS = 2;

interface Timed {
  whole: number;
  /** Seconds from spawn to the end of read + prepare (ours), else null. */
  prepared: number | null;
  /** Seconds from spawn to the first stdout byte. */
  firstOut: number;
  stdout: string;
}

/** Runs a command, timing its exit, its first stdout byte and the stderr line that ends preparation. */
function run(command: string, args: string[]): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const since = () => (performance.now() - t) / 1000;
    const child = spawn(command, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let prepared: number | null = null;
    let firstOut = NaN;
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      if (!out.length) firstOut = since();
      out.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString("utf8");
      // segmentCommand.ts prints "<n> customers × <d> features" once the matrix is prepared.
      if (prepared === null && /\d+ customers × \d+ features/.test(err)) prepared = since();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const whole = since();
      if (code !== 0) reject(new Error(`${command} ${args.join(" ")} failed (${code}):\n${err.slice(-2000)}`));
      else resolve({ whole, prepared, firstOut, stdout: Buffer.concat(out).toString("utf8") });
    });
  });
}

// Run as a script (bench/run.ts imports the header only).
if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 100_000);
  const dir = mkdtempSync(join(tmpdir(), "bench-grid-"));
  try {
    const csv = join(dir, "customers.csv");
    {
      // As bench/stages.ts: same generator, seed, id column and 4 decimals.
      const { matrix } = plantedCustomers({ n, d: D, k: K, seed: SEED, separation: SEPARATION });
      const lines = [`id,${Array.from({ length: D }, (_, j) => `f${j + 1}`).join(",")}`];
      for (let i = 0; i < n; i++) lines.push(`c${i},${Array.from(matrix.data.subarray(i * D, (i + 1) * D), (v) => v.toFixed(4)).join(",")}`);
      writeFileSync(csv, lines.join("\n") + "\n");
    }
    // launch.mjs rebuilds its bundle when loaders/ changed: do that before timing anything.
    spawnSync("npm", ["run", "--silent", "segment", "--", "--help"], { cwd: ROOT, stdio: "ignore" });

    const python = (await haveSklearn()) && spawnSync("/usr/bin/python3", ["-c", "import pandas"]).status === 0;
    const ours: Timed[] = [];
    const theirs: Timed[] = [];
    let doc: any;
    let pyArgs: string[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      ours.push(await run("npm", ["run", "--silent", "segment", "--", "--input", csv, "--id", "id"]));
      if (r === 0) {
        doc = JSON.parse(ours[0].stdout);
        const dbscan = doc.runs.filter((x: any) => x.algorithm === "dbscan");
        pyArgs = [
          join(ROOT, "bench", "grid_sklearn.py"),
          csv,
          "--eps", dbscan.map((x: any) => x.params.eps).join(","),
          "--min-samples", String(dbscan[0].params.minPoints),
          "--stability-runs", Object.keys(doc.recommended?.stability ?? {}).join(";"),
          "--seed", String(SEED)
        ];
      }
      if (python) theirs.push(await run("/usr/bin/python3", pyArgs));
    }
    const label = `${n.toLocaleString("en-US")} × ${D} planted, default grid (${doc.runs.length} runs + metrics + stability)`;

    const best = <T>(xs: T[], f: (x: T) => number) => Math.min(...xs.map(f));
    const f = (x: number) => x.toFixed(2);
    const oursWhole = best(ours, (x) => x.whole);
    const oursGrid = best(ours, (x) => x.firstOut - (x.prepared ?? 0));
    console.log(`ours whole: ${ours.map((x) => f(x.whole)).join(", ")} s; to prepared matrix: ${ours.map((x) => f(x.prepared ?? NaN)).join(", ")} s; grid: ${ours.map((x) => f(x.firstOut - (x.prepared ?? 0))).join(", ")} s`);
    console.log(`ours recommended: ${doc.recommended?.runId ?? "none"} (stability checked: ${JSON.stringify(doc.recommended?.stability ?? {})})`);
    if (!python) {
      console.log(`| ${label} | ${f(oursWhole)} | – (install python3-sklearn and python3-pandas) | – | ${f(oursGrid)} | – | – |`);
    } else {
      const py = theirs.map((x) => JSON.parse(x.stdout));
      const theirWhole = best(theirs, (x) => x.whole);
      const theirGrid = best(py, (x) => x.seconds);
      const fitSum = doc.runs.reduce((a: number, x: any) => a + x.seconds, 0);
      const t = performance.now();
      JSON.stringify(doc);
      const stringify = (performance.now() - t) / 1000;
      const fastest = py.reduce((a, b) => (a.seconds <= b.seconds ? a : b));

      console.log(`data: ${n.toLocaleString("en-US")} × ${D} planted customers (${K} segments, separation ${SEPARATION}, seed ${SEED}); ${doc.runs.length} runs; best of ${ROUNDS}`);
      console.log(`ours sum of run fit seconds (2 threads): ${f(fitSum)} s; JSON.stringify of the output here: ${f(stringify)} s (inside ours' grid time)`);
      console.log(`sklearn whole: ${theirs.map((x) => f(x.whole)).join(", ")} s; read: ${py.map((x) => f(x.read_seconds)).join(", ")} s; grid: ${py.map((x) => f(x.seconds)).join(", ")} s`);
      console.log(`sklearn phases (fastest): ${Object.entries(fastest.phases).map(([k, v]) => `${k} ${f(v as number)}`).join(", ")} s`);
      // EPS_FACTORS (registry/algorithms.ts) are 0.5, 0.75, 1, 1.5, 2 × the suggestion: the third is it.
      console.log(`eps: ${pyArgs[3]} (engine's, used by both); suggestion: engine ${pyArgs[3].split(",")[2]}, sklearn's same work ${fastest.epsSuggested.toPrecision(3)}`);
      console.log(`sklearn, same checks: ${JSON.stringify(fastest.stability)} → ${fastest.recommended}`);
      console.log(`| ${label} | ${f(oursWhole)} | ${f(theirWhole)} | ${f(oursWhole / theirWhole)} | ${f(oursGrid)} | ${f(theirGrid)} | ${f(oursGrid / theirGrid)} |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
