import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { WorkbenchError } from "../loaders/errors.ts";
import { planRuns } from "../loaders/experiment/grid.ts";
import { runId } from "../loaders/registry/algorithms.ts";
import { prepareDataset } from "../loaders/experiment/pipeline.ts";
import { runOne } from "../loaders/experiment/runner.ts";
import { findDataset, loadManifest } from "../loaders/manifest/load.ts";
import { makeMatrix } from "../loaders/matrix.ts";
import { parseSegmentArgs } from "../loaders/cli/segmentArgs.ts";
import { segmentCommand } from "../loaders/cli/segmentCommand.ts";
import { runCommand } from "./helpers/cli.ts";
import { REPO, runScript, type RunResult } from "./helpers/project.ts";

const tmp = mkdtempSync(join(tmpdir(), "cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
/** The segment command in-process; `root` is the project (WORKBENCH_ROOT), `cwd` where npm was run. */
const segmentAsync = (args: string[], root = REPO, cwd = REPO) => runCommand(segmentCommand, args, { root, cwd });
const json = async (args: string[]) => {
  const r = await segmentAsync(args);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
};
const io = { out: () => {}, err: () => {}, cwd: REPO };
/** A failed run's error line: the last stderr line, alone (progress lines may come first), no stack trace. */
const errorLine = (r: RunResult) => {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trim().split("\n");
  const last = lines.pop()!;
  expect(lines.filter((l) => l.startsWith("error") || /^\s+at /.test(l))).toEqual([]);
  return last;
};

// A small customer file: two obvious groups, one row with a missing spend.
const customers = join(tmp, "customers.csv");
writeFileSync(
  customers,
  ["id,spend,visits,plan,tier", ...Array.from({ length: 40 }, (_, i) => `c${i},${i < 20 ? 10 + i : 500 + i},${i < 20 ? 1 : 9},${i % 2 ? "a" : "b"},${i < 20 ? "low" : "high"}`), "c40,,2,a,low"].join("\n")
);
// A transaction log: 10 customers, 30 purchases in January 2024.
const log = join(tmp, "log.csv");
writeFileSync(log, "who,when,paid\n" + Array.from({ length: 30 }, (_, i) => `u${i % 10},2024-01-${String(1 + (i % 28)).padStart(2, "0")},${5 + i}`).join("\n") + "\n");
const logFlags = ["--input", log, "--customer", "who", "--date", "when", "--amount", "paid"];

describe("npm run segment", () => {
  it("runs a manifest dataset with one algorithm and carries every metric", async () => {
    const out = await json(["--dataset", "wholesale", "--algorithm", "kmeans", "--k", "3"]);
    expect(out.n).toBe(440);
    expect(out.rows).toHaveLength(440);
    expect(out.runs).toHaveLength(1);
    const run = out.runs[0];
    expect(run.algorithm).toBe("kmeans");
    expect(run.params.k).toBe(3);
    expect(run.labels).toHaveLength(out.rows.length);
    expect(new Set(run.labels)).toEqual(new Set([0, 1, 2]));
    for (const m of ["inertia", "silhouette", "daviesBouldin", "calinskiHarabasz", "ari", "randIndex", "nmi", "homogeneity", "completeness", "vMeasure", "purity", "matchedAccuracy"]) {
      expect(run.metrics[m], m).toBeTypeOf("number");
    }
    expect(run.seconds).toBeTypeOf("number");
  });

  it("reads --missing-values codes as missing, and names the text that turned a column of numbers into texts", async () => {
    const file = join(tmp, "na.csv");
    writeFileSync(file, ["id,spend,visits", ...Array.from({ length: 40 }, (_, i) => `c${i},${i === 7 ? "NA" : (i * 37) % 500},${i % 9}`)].join("\n") + "\n");
    const before = await segmentAsync(["--input", file, "--algorithm", "kmeans", "--k", "2"]);
    expect(before.stderr).toMatch(/note: column "spend": 39 of its 40 values are numbers; the first that is not, "NA", is on line 9\. If it marks a missing value, list it in "missingValues" \(--missing-values on the command line\)/);
    const out = await json(["--input", file, "--missing-values", "NA", "--algorithm", "kmeans", "--k", "2"]);
    expect(out.features).toEqual(["spend", "visits"]);
    expect(out.notes.join(" ")).toMatch(/1 missing value\(s\) of "spend" filled with its median/);
  });

  it("runs a flag-only CSV, dropping or imputing the missing value as asked", async () => {
    const base = ["--input", customers, "--id", "id", "--features", "spend,visits", "--label", "tier", "--algorithm", "kmeans", "--k", "2"];
    const imputed = await json(base);
    expect(imputed.n).toBe(41);
    expect(imputed.features).toEqual(["spend", "visits"]);
    expect(imputed.runs[0].metrics.ari).toBe(1);
    const dropped = await json([...base, "--missing", "drop"]);
    expect(dropped.n).toBe(40);
    expect(dropped.rows).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it("one-hot encodes categorical columns and takes every other column as numeric by default", async () => {
    const out = await json(["--input", customers, "--id", "id", "--categorical", "plan,tier", "--missing", "drop", "--algorithm", "gmm", "--k", "2"]);
    expect(out.features).toEqual(["spend", "visits", "plan=a", "plan=b", "tier=high", "tier=low"]);
  });

  it("runs a transaction log given its columns", async () => {
    const out = await json([...logFlags, "--algorithm", "hierarchical", "--k", "2"]);
    expect(out.n).toBe(10);
    expect(out.features).toContain("recency");
    expect(out.ids).toHaveLength(10);
  });

  it("gives the same output for the same seed, except the timings", async () => {
    const args = ["--input", customers, "--features", "spend,visits", "--seed", "5"];
    const strip = (o: any) => JSON.stringify({ ...o, runs: o.runs.map((r: any) => ({ ...r, seconds: 0 })) });
    expect(strip(await json(args))).toBe(strip(await json(args)));
  });

  it.each([
    [["--dataset", "wholesale", "--algorithm", "kmeans", "--k", "0"], /--k must be a whole number ≥ 1; found "0"/],
    [["--dataset", "wholesale", "--algorithm", "kmeans", "--k", "441"], /--k is larger than the number of customers; found "441", expected at most 440/],
    [["--dataset", "wholesale", "--algorithm", "dbscan", "--eps=-2"], /--eps must be a number > 0/],
    [["--input", customers, "--features", "spend,nope"], /customers\.csv, line 1, column "nope": a column named on the command line \(--id\/--features\/--categorical\/--label\) is not in the file; found "header id, spend, visits, plan, tier"\. Fix the column name on the command line, or the file's header$/],
    [[...logFlags.slice(0, 4), "--date", "day", "--amount", "paid"], /log\.csv, line 1, column "day": a column named on the command line \(--customer\/--date\/--amount\/--quantity\/--price\/--invoice\) is not in the file/],
    [["--input", join(tmp, "missing.csv")], /missing\.csv: data file not found. Check the --input path$/],
    [["--dataset", "nosuch"], /no such dataset in data\/manifest.json; found "nosuch", expected one of wholesale, marketing, cdnow/],
    [["--dataset", "wholesale", "--colour"], /Unknown option '--colour'/],
    [["--input", "/", "--id", "x"], /^error: \/: is a folder, not a data file\. Check the --input path$/],
    [["--input", "x".repeat(300) + ".csv"], /: the path is too long for the file system\. Check the --input path$/],
    [["--input", customers, "--features", "spend,plan"], /line 2, column "plan": is not a number; found "b".* or give the column another role on the command line$/],
    [[...logFlags, "--date-format", "DD/MM/YYYY"], /line 2, column "when": is not a valid date; found "2024-01-01".*set --date-format to the format the file uses$/],
    [["--dataset", "wholesale", "--features", "Fresh"], /^error: --features cannot be used with --dataset\. .*edit its entry there, or give the file with --input/],
    [["--dataset", "wholesale", "--k", "3"], /^error: --k needs --algorithm\. Name the algorithm it is for, e\.g\. --algorithm kmeans --k 3$/],
    [["--dataset", "wholesale", "--algorithm", "dbscan", "--k", "3"], /^error: --k does not apply to --algorithm dbscan\. It is for kmeans, gmm, hierarchical and minibatch$/],
    [["--dataset", "wholesale", "--seed", ""], /^error: --seed needs a value; found ""$/]
  ])("rejects %j with a one-line message and exit 1", async (args, message) => {
    const line = errorLine(await segmentAsync(args));
    expect(line).toMatch(message);
    // An --input file is described by flags: messages must not send the user to the manifest.
    if (args.includes("--input")) expect(line).not.toMatch(/manifest|"cli"/);
  });

  // Flag errors found before any data is read: the same WorkbenchError the cases above show
  // becoming one line and exit 1, checked in-process to keep the file fast.
  it.each([
    [["--dataset", "wholesale", "--algorithm", "dbscan", "--eps", "0"], /--eps must be a number > 0; found "0"/],
    [["--dataset", "wholesale", "--algorithm", "spectral"], /--algorithm: unknown algorithm; found "spectral"/],
    [["--dataset", "wholesale", "--scale", "unit"], /--scale: unknown value; found "unit"/],
    [[...logFlags, "--date-format", "QQ"], /^--date-format: unknown date format; found "QQ"/],
    // Column and format flags with --dataset: the manifest entry's columns are its contract.
    [["--dataset", "wholesale", "--categorical", "Region"], /^--categorical cannot be used with --dataset/],
    [["--dataset", "wholesale", "--label", "Channel"], /^--label cannot be used with --dataset/],
    [["--dataset", "wholesale", "--id", "Region"], /^--id cannot be used with --dataset/],
    [["--dataset", "wholesale", "--format", "tsv"], /^--format cannot be used with --dataset/],
    [["--dataset", "cdnow", "--customer", "id"], /^--customer cannot be used with --dataset/],
    [["--dataset", "cdnow", "--quantity", "n"], /^--quantity cannot be used with --dataset/],
    [["--dataset", "cdnow", "--date-format", "YYYYMMDD"], /^--date-format cannot be used with --dataset/],
    // Algorithm flags: only with --algorithm, and only those of that algorithm.
    [["--dataset", "wholesale", "--linkage", "ward"], /^--linkage needs --algorithm/],
    [["--dataset", "wholesale", "--min-points", "5"], /^--min-points needs --algorithm/],
    [["--dataset", "wholesale", "--algorithm", "kmeans", "--linkage", "ward", "--eps", "2"], /^--linkage does not apply to --algorithm kmeans\. It is for hierarchical$/],
    [["--dataset", "wholesale", "--algorithm", "kmeans", "--eps", "2"], /^--eps does not apply to --algorithm kmeans\. It is for dbscan$/],
    [["--dataset", "wholesale", "--algorithm", "gmm", "--min-points", "5"], /^--min-points does not apply to --algorithm gmm/],
    [["--dataset", "wholesale", "--algorithm", "hierarchical", "--n-init", "3"], /^--n-init does not apply to --algorithm hierarchical\. It is for kmeans, gmm and minibatch$/],
    [["--dataset", "wholesale", "--algorithm", "dbscan", "--max-iter", "30"], /^--max-iter does not apply to --algorithm dbscan/],
    [["--dataset", "wholesale", "--algorithm", "hierarchical", "--linkage", "median"], /^--linkage: unknown linkage; found "median", expected ward, average, complete, single$/],
    // --snapshot is a transaction-log setting; values must be values.
    [["--dataset", "wholesale", "--snapshot", "1998-01-01"], /^--snapshot is for transaction logs only; found "1998-01-01"\. Dataset "wholesale" is a customer table$/],
    [["--input", customers, "--features", "spend", "--snapshot", "2024-01-01"], /^--snapshot is for transaction logs only\. Give --customer, --date and --amount/],
    [["--dataset", "cdnow", "--snapshot", "1998-02-30"], /^--snapshot: invalid date; found "1998-02-30"/],
    [["--dataset", "wholesale", "--seed", "1.5"], /^--seed must be a whole number; found "1\.5"$/],
    [["--dataset", "wholesale", "--algorithm", "kmeans", "--k", " "], /^--k needs a value/],
    [["--dataset", "wholesale", "--algorithm", ""], /^--algorithm needs a value/],
    [["--dataset", "wholesale", "--missing="], /^--missing needs a value/],
    // Flags that would be silently ignored or overwritten for an --input file.
    [["--input", customers, "--features", "spend", "--categorical", "spend"], /^column "spend" is named by both --categorical and --features/],
    [["--input", customers, "--id", "id", "--label", "id"], /^column "id" is named by both --id and --label/],
    [[...logFlags, "--features", "paid"], /^--features is for customer tables, not transaction logs/],
    [[...logFlags, "--label", "who"], /^--label is for customer tables, not transaction logs/],
    [["--input", customers, "--quantity", "visits"], /^--quantity is for transaction logs only/],
    [["--input", customers, "--date-format", "YYYYMMDD"], /^--date-format is for transaction logs only/]
  ])("rejects %j before reading the data, in one line naming the flag", (args, message) => {
    let error: unknown;
    try {
      parseSegmentArgs(args, io);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WorkbenchError);
    const text = (error as Error).message;
    expect(text).toMatch(message);
    expect(text).not.toContain("\n");
    if (args.includes("--input")) expect(text).not.toMatch(/manifest|"cli"/);
  });

  it("reads a relative --input from the folder npm was run in (INIT_CWD), not the project", async () => {
    // A customers.csv in the caller's folder and a different one in the project root.
    const caller = join(tmp, "caller");
    mkdirSync(caller, { recursive: true });
    writeFileSync(join(caller, "mine.csv"), "id,spend\na,1\nb,2\nc,30\nd,31\n");
    const r = await segmentAsync(["--input", "mine.csv", "--algorithm", "kmeans", "--k", "2"], REPO, caller);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).ids).toEqual(["a", "b", "c", "d"]);
    // And through npm itself, started in the caller's folder.
    const npm = spawnSync("npm", ["--prefix", REPO, "run", "--silent", "segment", "--", "--input", "mine.csv", "--algorithm", "kmeans", "--k", "2"], { cwd: caller, encoding: "utf8" });
    expect(npm.status, npm.stderr).toBe(0);
    expect(JSON.parse(npm.stdout).ids).toEqual(["a", "b", "c", "d"]);
  });

  it("takes a negative seed, as any whole number", async () => {
    const a = await json(["--input", customers, "--features", "spend,visits", "--algorithm", "kmeans", "--k", "2", "--seed", "-1"]);
    expect(a.runs[0].labels).toHaveLength(41);
    expect((await json(["--input", customers, "--features", "spend,visits", "--algorithm", "kmeans", "--k", "2", "--seed=-1"])).runs[0].labels).toEqual(a.runs[0].labels);
  });

  it("says on stderr and in the JSON what preparation did: duplicates, dropped columns, inferred roles", async () => {
    const file = join(tmp, "dupes.csv");
    const rows = ["id,spend,flat,plan"];
    for (let i = 0; i < 30; i++) rows.push(`c${i},${i < 15 ? i : 100 + i},7,${i % 2 ? "a" : "b"}`);
    for (let i = 0; i < 30; i++) rows.push(`c${i},${500 + i},7,a`); // the same ids again
    writeFileSync(file, rows.join("\n") + "\n");
    const r = await segmentAsync(["--input", file, "--algorithm", "kmeans", "--k", "2"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.n).toBe(30);
    expect(out.notes).toEqual(expect.arrayContaining([
      'column "id" read as id (inferred: named like an identifier; repeated ids are dropped as duplicates)',
      "30 row(s) with an already seen id dropped (first kept)",
      'column "flat" dropped (zero variance: every value is 7); it cannot separate customers',
      'column "plan" read as categorical (inferred: text with 2 distinct values)'
    ]));
    for (const note of out.notes) expect(r.stderr).toContain(`note: ${note}\n`);
  });

  it("infers a Telco-style table's fifteen text columns without --categorical", async () => {
    const file = join(tmp, "telco.csv");
    const texts = Array.from({ length: 15 }, (_, j) => `Text${j}`);
    const rows = [["customerID", ...texts, "tenure", "MonthlyCharges", "Churn"].join(",")];
    for (let i = 0; i < 60; i++) rows.push([`${1000 + i}-ABCD`, ...texts.map((_, j) => ((i + j) % 3 ? "Yes" : "No")), i % 24, 20 + (i % 7) * 10, i % 5 ? "No" : "Yes"].join(","));
    writeFileSync(file, rows.join("\n") + "\n");
    const out = await json(["--input", file, "--label", "Churn", "--algorithm", "kmeans", "--k", "3"]);
    expect(out.ids[0]).toBe("1000-ABCD");
    expect(out.features).toEqual([...texts.flatMap((t) => [`${t}=No`, `${t}=Yes`]), "tenure", "MonthlyCharges"]);
    expect(out.runs[0].metrics.ari).toBeTypeOf("number");
  });

  it("warns about dates in the future and negative amounts in a log", async () => {
    const file = join(tmp, "future.csv");
    writeFileSync(file, "who,when,paid\nu1,2024-01-01,10\nu2,2024-01-05,-4\nu1,2099-01-01,3\nu3,2024-02-01,8\nu2,2024-02-11,9\n");
    const r = await segmentAsync(["--input", file, "--customer", "who", "--date", "when", "--amount", "paid", "--algorithm", "kmeans", "--k", "2"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/note: 1 transaction\(s\) dated after today \(\d{4}-\d{2}-\d{2}\) left out/);
    expect(r.stderr).toMatch(/note: 1 transaction\(s\) with a negative amount \(returns\) counted as purchases/);
    expect(r.stderr).toMatch(/snapshot 2024-02-12/);
    expect(JSON.parse(r.stdout).notes.join("\n")).toMatch(/dated after today/);
  });

  it("names the column whose values are too large to compare customers on, and the customer whose amounts overflow", async () => {
    const wide = join(tmp, "wide.csv");
    writeFileSync(wide, ["id,x,y", ...Array.from({ length: 30 }, (_, i) => `c${i},${i + 1}e160,${i}`)].join("\n") + "\n");
    for (const scale of ["zscore", "none"]) {
      const line = errorLine(await segmentAsync(["--input", wide, "--algorithm", "kmeans", "--k", "2", "--scale", scale]));
      expect(line).toMatch(/wide\.csv, column "x": values too large to compare customers on \(their (mean or spread|size) overflows a double\)\. Express the column in larger units \(thousands, millions\), or use --transform log1p$/);
    }
    const big = join(tmp, "big.csv");
    writeFileSync(big, "who,when,paid\na,2024-01-01,1e308\na,2024-01-05,1e308\nb,2024-01-02,3\n");
    expect(errorLine(await segmentAsync(["--input", big, "--customer", "who", "--date", "when", "--amount", "paid"]))).toMatch(/big\.csv, column "paid": the amounts of customer a add up beyond ±1\.8e308\./);
  });

  it("exits 1 with the one-line error and no stack trace as a real process", () => {
    const r = runScript(REPO, "segment.ts", ["--input", join(tmp, "nope.csv")]);
    expect(errorLine(r)).toMatch(/^error: .*nope\.csv: data file not found\. Check the --input path$/);
  });

  it("works through npm as documented, with the site's run: same id, seed and labels", () => {
    const r = spawnSync("npm", ["run", "--silent", "segment", "--", "--dataset", "cdnow", "--algorithm", "kmeans", "--k", "4"], {
      cwd: REPO,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.n).toBe(23570);
    expect(out.features).toEqual(expect.arrayContaining(["recency", "frequency", "monetary", "tenure"]));
    // The site's run: the one the build plans from the manifest entry, fitted alone (a run's
    // labels depend only on the seed and its id, not on the other runs of the grid).
    const { cli, site } = siteRun("cdnow", out, "kmeans k=4");
    expect(cli.labels).toEqual(site.labels);
    expect(cli.metrics.silhouette).toBe(site.metrics.silhouette);
  }, 60_000);

  it("gives the Gaussian mixture and Ward runs the site's ids and labels", async () => {
    for (const [algorithm, id] of [["gmm", "gmm full k=3"], ["hierarchical", "hierarchical ward k=3"]]) {
      const r = await segmentAsync(["--dataset", "wholesale", "--algorithm", algorithm, "--k", "3"]);
      expect(r.code, r.stderr).toBe(0);
      const { cli, site } = siteRun("wholesale", JSON.parse(r.stdout), id);
      expect(cli.labels, id).toEqual(site.labels);
    }
  });

  it("runs the site's DBSCAN eps grid when --eps is not given", async () => {
    const r = await segmentAsync(["--dataset", "wholesale", "--algorithm", "dbscan"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const entry = findDataset(loadManifest(), "wholesale");
    const planned = planRuns(prepareDataset(entry).prepared.matrix, entry.experiment).runs.filter((p) => p.algorithm === "dbscan");
    expect(out.runs.map((x: { id: string }) => x.id)).toEqual(planned.map((p) => p.id));
    expect(out.runs).toHaveLength(5);
  });
});

/** The CLI's run `id` and the same run as the site plans it for the manifest dataset, fitted in-process. */
function siteRun(dataset: string, out: any, id: string) {
  const entry = findDataset(loadManifest(), dataset);
  const { prepared } = prepareDataset(entry);
  const planned = planRuns(prepared.matrix, entry.experiment).runs.find((p) => p.id === id);
  expect(planned, `the site's grid has ${id}`).toBeDefined();
  const cli = out.runs.find((r: { id: string }) => r.id === id);
  expect(cli, `the CLI ran ${id}`).toBeDefined();
  expect(cli.params).toEqual(planned!.params);
  const site = runOne(prepared.matrix, prepared.label, planned!, entry.experiment.seed);
  return { cli, site: { labels: Array.from(site.labels), metrics: site.metrics } };
}

describe("npm run segment --dataset with the manifest's experiment settings", () => {
  // A project root of its own: Wholesale with a grid, a pinned recommendation and a chosen metric.
  const root = join(tmp, "project");
  mkdirSync(join(root, "data"), { recursive: true });
  copyFileSync(join(REPO, "data", "wholesale_customers.csv"), join(root, "data", "wholesale_customers.csv"));
  const wholesale = JSON.parse(readFileSync(join(REPO, "data", "manifest.json"), "utf8")).datasets.wholesale;
  const experiment = {
    seed: 7,
    grid: { kmeans: { k: [2, 3], nInit: 2 }, gmm: { k: [2, 3], covariance: ["diag"] } },
    recommend: { algorithm: "kmeans", k: 3, metric: "calinskiHarabasz" }
  };
  const tooLarge = { ...wholesale, experiment: { seed: 7, grid: { kmeans: { k: [3, 500] } } } };
  writeFileSync(join(root, "data", "manifest.json"), JSON.stringify({ datasets: { wholesale: { ...wholesale, experiment }, toolarge: tooLarge } }));
  const run = async (...args: string[]) => {
    const r = await segmentAsync(args, root);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };

  it("with --algorithm, drops the manifest's pinned recommendation and keeps its metric", async () => {
    // The manifest pins kmeans k=3; the user asked for the mixture only.
    const out = await run("--dataset", "wholesale", "--algorithm", "gmm", "--k", "2");
    expect(out.runs.map((r: { id: string }) => r.id)).toEqual(["gmm diag k=2"]);
    expect(out.recommended.runId).toBe("gmm diag k=2");
    expect(out.recommended.rule).toMatch(/calinskiHarabasz/);
    expect(out.recommended.rule).not.toMatch(/pinned/);
  });

  it("with --algorithm, keeps the manifest's grid settings for it unless a flag overrides them", async () => {
    const grid = await run("--dataset", "wholesale", "--algorithm", "kmeans");
    expect(grid.runs.map((r: { id: string; params: object }) => [r.id, r.params])).toEqual([
      ["kmeans k=2", { k: 2, nInit: 2 }],
      ["kmeans k=3", { k: 3, nInit: 2 }]
    ]);
    const flags = await run("--dataset", "wholesale", "--algorithm", "kmeans", "--k", "4", "--n-init", "1", "--seed", "3");
    expect(flags.runs.map((r: { id: string; params: object }) => [r.id, r.params])).toEqual([["kmeans k=4", { k: 4, nInit: 1 }]]);
  });

  it("rejects a k in the manifest's grid larger than the number of customers, naming it", async () => {
    const line = errorLine(await segmentAsync(["--dataset", "toolarge", "--algorithm", "kmeans"], root));
    expect(line).toMatch(/^error: invalid parameter experiment\.grid\.kmeans\.k; found "500", expected at most 440, the number of customers$/);
  });
});

describe("run ids and k lists (experiment/grid.ts, shared by the CLI and the site)", () => {
  // Five customers on a line, one feature.
  const tiny = makeMatrix(["x"], 5, Float64Array.from([0, 1, 2, 10, 11]));

  it("names runs as the site does, with the algorithms' defaults (full covariance, Ward linkage)", () => {
    expect(runId("kmeans", { k: 4, nInit: 3 })).toBe("kmeans k=4");
    expect(runId("gmm", { k: 3 })).toBe("gmm full k=3");
    expect(runId("gmm", { k: 3, covariance: "diag" })).toBe("gmm diag k=3");
    expect(runId("hierarchical", { k: 3 })).toBe("hierarchical ward k=3");
    expect(runId("hierarchical", { k: 2, linkage: "single" })).toBe("hierarchical single k=2");
    expect(runId("dbscan", { eps: 0.5, minPoints: 4 })).toBe("dbscan eps=0.5");
  });

  it("cuts the default k list to the number of customers", () => {
    const { runs } = planRuns(tiny, { seed: 1, algorithms: ["kmeans", "hierarchical"] });
    expect(runs.map((r) => r.id)).toEqual(["kmeans k=2", "kmeans k=3", "kmeans k=4", "kmeans k=5", ...[2, 3, 4, 5].map((k) => `hierarchical ward k=${k}`)]);
  });

  it.each(["kmeans", "gmm", "hierarchical"] as const)("rejects a listed %s k above the number of customers", (algorithm) => {
    const plan = () => planRuns(tiny, { seed: 1, algorithms: [algorithm], grid: { [algorithm]: { k: [2, 6] } } });
    expect(plan).toThrow(WorkbenchError);
    expect(plan).toThrow(`invalid parameter experiment.grid.${algorithm}.k; found "6", expected at most 5, the number of customers`);
  });
});
