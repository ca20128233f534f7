/**
 * The whole process, as a user runs it: `npm run segment` on a CSV of overlapping blobs (the
 * k-means bench's data, written as text with every digit) against pandas + scikit-learn doing
 * the same job (bench/whole_process.py). Both are timed from process start to exit, alternately,
 * best of `rounds`. Ours also runs the recommendation's bootstrap stability check, which the
 * Python job does not. Ours is also timed started as `node loaders/cli/launch.mjs segment`, what
 * npm runs: npm's own start (about 0.4 s here) is not the command's.
 *
 *   node --import tsx bench/wholeProcess.ts [n]      prints the header and one row
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { overlappingBlobs } from "./kmeansOverlap.ts";
import { haveSklearn } from "./sklearn.ts";

const ROOT = join(import.meta.dirname, "..");

export const WHOLE_PROCESS_HEADER =
  "| data | ours: `npm run segment` (s) | pandas + scikit-learn (s) | ratio | ours without npm: `node loaders/cli/launch.mjs segment` (s) | ratio |\n|---|---|---|---|---|---|";

/** The blobs as a CSV with an id column: what a user would hand to --input. */
function writeCsv(path: string, n: number, d: number, seed: number): void {
  const m = overlappingBlobs(n, d, 8, seed);
  const lines = [["id", ...m.names].join(",")];
  for (let i = 0; i < n; i++) lines.push(`c${i},${Array.from(m.data.subarray(i * d, (i + 1) * d)).join(",")}`);
  writeFileSync(path, lines.join("\n") + "\n");
}

/** Seconds from start to exit; stdout goes to `out` (our JSON is printed, as users redirect it). */
function timed(command: string, args: string[], out: string): number {
  const fd = openSync(out, "w");
  try {
    const t = performance.now();
    const r = spawnSync(command, args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", fd, "pipe"] });
    if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${r.stderr}`);
    return (performance.now() - t) / 1000;
  } finally {
    closeSync(fd);
  }
}

export async function wholeProcessBench({ n = 1_000_000, d = 8, rounds = 3, seed = 42 } = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "bench-whole-"));
  const label = `${n.toLocaleString("en-US")} × ${d} overlapping, k-means k = 8`;
  try {
    const csv = join(dir, "customers.csv");
    writeCsv(csv, n, d, seed);
    const python = (await haveSklearn()) && spawnSync("/usr/bin/python3", ["-c", "import pandas"]).status === 0;
    const ours: number[] = [];
    const direct: number[] = [];
    const theirs: number[] = [];
    const job = ["--input", csv, "--id", "id", "--scale", "none", "--algorithm", "kmeans", "--k", "8", "--n-init", "1"];
    for (let r = 0; r < rounds; r++) {
      if (python) theirs.push(timed("/usr/bin/python3", [join(ROOT, "bench", "whole_process.py"), csv, join(dir, "py.json")], join(dir, "py.out")));
      ours.push(timed("npm", ["run", "--silent", "segment", "--", ...job], join(dir, "ours.json")));
      direct.push(timed(process.execPath, [join(ROOT, "loaders", "cli", "launch.mjs"), "segment", ...job], join(dir, "ours.json")));
    }
    const a = Math.min(...ours);
    const c = Math.min(...direct);
    if (!python) return `| ${label} | ${a.toFixed(2)} | – (install python3-sklearn and python3-pandas) | – | ${c.toFixed(2)} | – |`;
    const b = Math.min(...theirs);
    return `| ${label} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(a / b).toFixed(2)} | ${c.toFixed(2)} | ${(c / b).toFixed(2)} |`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 1_000_000);
  console.log(`${WHOLE_PROCESS_HEADER}\n${await wholeProcessBench({ n })}`);
}
