/**
 * Scoring where the data lives, at scale: a customer table of N rows (default 10 million) in a
 * throwaway Debian PostgreSQL server (.ci/postgres.sh), a model fitted on a seeded 1% sample of it
 * (a dataset whose query keeps every hundredth customer), then `npm run score -- --model …
 * --dataset … --write-back` on all N customers in its own process, timed, with its peak resident
 * memory (GNU time). The command reads 50,000 customers at a time and writes the segments back in
 * batches, so its memory should not grow with N.
 *
 *   node --import tsx bench/scoreInPlace.ts [N]
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

const N = Number(process.argv[2] ?? 10_000_000);
const REPO = join(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "bench-score-"));
// Outside `dir`: the server runs as the user postgres, who cannot enter a folder only root may.
const pgDir = join(tmpdir(), `bench-score-postgres-${process.pid}`);
const env = { ...process.env, WORKBENCH_PG_DIR: pgDir };

const server = spawnSync(join(REPO, ".ci", "postgres.sh"), ["start"], { env, encoding: "utf8" });
if (server.status !== 0) throw new Error(`could not start PostgreSQL: ${server.stderr}`);
const url = server.stdout.trim();
try {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let t = performance.now();
  // Seeded, deterministic rows: the values are functions of the row number.
  await client.query(`CREATE TABLE people AS SELECT n, 'c' || n AS id,
      CASE n % 3 WHEN 0 THEN 'basic' WHEN 1 THEN 'plus' ELSE 'pro' END AS plan,
      CAST(((CAST(n AS BIGINT) * 7919) % 10007) * (1 + n % 5) AS DOUBLE PRECISION) / 10 AS spend,
      CAST((CAST(n AS BIGINT) * 104729) % 61 AS DOUBLE PRECISION) AS visits
    FROM generate_series(1, ${N}) AS n`);
  await client.end();
  const loadSeconds = (performance.now() - t) / 1000;

  const root = join(dir, "project");
  mkdirSync(join(root, "data"), { recursive: true });
  const columns = { id: "id", plan: "categorical", spend: "numeric", visits: "numeric" };
  const experiment = { seed: 42, algorithms: ["kmeans"], grid: { kmeans: { k: [5] } } };
  const manifest = {
    datasets: {
      sample: { title: "1% sample", kind: "customers", sql: { env: "BENCH_URL", query: "SELECT id, plan, spend, visits FROM people WHERE MOD(n, 100) = 0" }, columns, experiment, prepare: { transform: "log1p", outliers: "keep", scale: "zscore" } },
      everyone: { title: "Everyone", kind: "customers", sql: { env: "BENCH_URL", table: "people", segmentsTable: "customer_segments" }, columns, experiment }
    }
  };
  writeFileSync(join(root, "data", "manifest.json"), JSON.stringify(manifest));
  const run = (args: string[]) => {
    const r = spawnSync("/usr/bin/time", ["-v", process.execPath, "--import", "tsx", join(REPO, "loaders", "cli", "score.ts"), ...args], {
      cwd: REPO,
      env: { ...process.env, BENCH_URL: url, WORKBENCH_ROOT: root },
      encoding: "utf8",
      maxBuffer: 1 << 28
    });
    if (r.status !== 0) throw new Error(`score ${args.join(" ")} failed:\n${r.stderr.slice(-3000)}`);
    const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)![1]) / 1024 / 1024;
    const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/.exec(r.stderr)![1].split(":").reduce((s, x) => s * 60 + Number(x), 0);
    return { wall, rss, stdout: r.stdout };
  };
  t = performance.now();
  const fit = run(["--dataset", "sample", "--save-model", join(dir, "model.json")]);
  const scored = run(["--model", join(dir, "model.json"), "--dataset", "everyone", "--write-back"]);
  const out = JSON.parse(scored.stdout);
  console.log(`# Scoring in place: ${N.toLocaleString("en-US")} customers in PostgreSQL\n`);
  console.log("| step | seconds | peak memory (GB) |\n| --- | --- | --- |");
  console.log(`| create the table (in PostgreSQL) | ${loadSeconds.toFixed(1)} | – |`);
  console.log(`| fit on the 1% sample (${(N / 100).toLocaleString("en-US")} customers, report of k-means k=5) | ${fit.wall.toFixed(1)} | ${fit.rss.toFixed(2)} |`);
  console.log(`| score all ${N.toLocaleString("en-US")} and write them back (${out.written.batches} batches) | ${scored.wall.toFixed(1)} | ${scored.rss.toFixed(2)} |`);
  console.log(`\nsegments: ${out.segments.map((s: { segment: number; customers: number }) => `${s.segment}: ${s.customers}`).join(", ")}`);
} finally {
  spawnSync(join(REPO, ".ci", "postgres.sh"), ["stop"], { env });
  rmSync(dir, { recursive: true, force: true });
}
