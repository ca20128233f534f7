import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO, runScript } from "./helpers/project.ts";

const tmp = mkdtempSync(join(tmpdir(), "cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const segment = (...args: string[]) => runScript(REPO, "segment.ts", args);
const json = (args: string[]) => {
  const r = segment(...args);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
};

// A small customer file: two obvious groups, one row with a missing spend.
const customers = join(tmp, "customers.csv");
writeFileSync(
  customers,
  ["id,spend,visits,plan,tier", ...Array.from({ length: 40 }, (_, i) => `c${i},${i < 20 ? 10 + i : 500 + i},${i < 20 ? 1 : 9},${i % 2 ? "a" : "b"},${i < 20 ? "low" : "high"}`), "c40,,2,a,low"].join("\n")
);

describe("npm run segment", () => {
  it("runs a manifest dataset with one algorithm and carries every metric", () => {
    const out = json(["--dataset", "wholesale", "--algorithm", "kmeans", "--k", "3"]);
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

  it("runs a flag-only CSV, dropping or imputing the missing value as asked", () => {
    const base = ["--input", customers, "--id", "id", "--features", "spend,visits", "--label", "tier", "--algorithm", "kmeans", "--k", "2"];
    const imputed = json(base);
    expect(imputed.n).toBe(41);
    expect(imputed.features).toEqual(["spend", "visits"]);
    expect(imputed.runs[0].metrics.ari).toBe(1);
    const dropped = json([...base, "--missing", "drop"]);
    expect(dropped.n).toBe(40);
    expect(dropped.rows).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it("one-hot encodes categorical columns and takes every other column as numeric by default", () => {
    const out = json(["--input", customers, "--id", "id", "--categorical", "plan,tier", "--missing", "drop", "--algorithm", "gmm", "--k", "2"]);
    expect(out.features).toEqual(["spend", "visits", "plan=a", "plan=b", "tier=high", "tier=low"]);
  });

  it("runs a transaction log given its columns", () => {
    const log = join(tmp, "log.csv");
    writeFileSync(log, "who,when,paid\n" + Array.from({ length: 30 }, (_, i) => `u${i % 10},2024-01-${String(1 + (i % 28)).padStart(2, "0")},${5 + i}`).join("\n") + "\n");
    const out = json(["--input", log, "--customer", "who", "--date", "when", "--amount", "paid", "--algorithm", "hierarchical", "--k", "2"]);
    expect(out.n).toBe(10);
    expect(out.features).toContain("recency");
    expect(out.ids).toHaveLength(10);
  });

  it("gives the same output for the same seed, except the timings", () => {
    const args = ["--input", customers, "--features", "spend,visits", "--seed", "5"];
    const strip = (o: any) => JSON.stringify({ ...o, runs: o.runs.map((r: any) => ({ ...r, seconds: 0 })) });
    expect(strip(json(args))).toBe(strip(json(args)));
  });

  it.each([
    [["--dataset", "wholesale", "--algorithm", "kmeans", "--k", "0"], /--k must be a whole number ≥ 1; found "0"/],
    [["--dataset", "wholesale", "--algorithm", "kmeans", "--k", "441"], /--k is larger than the number of customers; found "441", expected at most 440/],
    [["--dataset", "wholesale", "--algorithm", "dbscan", "--eps", "0"], /--eps must be a number > 0; found "0"/],
    [["--dataset", "wholesale", "--algorithm", "dbscan", "--eps=-2"], /--eps must be a number > 0/],
    [["--input", customers, "--features", "spend,nope"], /column "nope": a column named in data\/manifest.json is not in the file/],
    [["--input", join(tmp, "missing.csv")], /missing\.csv: data file not found/],
    [["--dataset", "nosuch"], /no such dataset in data\/manifest.json; found "nosuch", expected one of wholesale, marketing, cdnow/],
    [["--dataset", "wholesale", "--algorithm", "spectral"], /--algorithm: unknown algorithm; found "spectral"/],
    [["--dataset", "wholesale", "--scale", "unit"], /--scale: unknown value; found "unit"/],
    [["--dataset", "wholesale", "--colour"], /Unknown option '--colour'/],
    [["--input", customers, "--features", "spend,plan"], /line 2, column "plan": is not a number; found "b"/]
  ])("rejects %j with a one-line message and exit 1", (args, message) => {
    const r = segment(...args);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    // Progress lines may come first; the error is the last line, alone, with no stack trace.
    const lines = r.stderr.trim().split("\n");
    expect(lines.pop()).toMatch(message);
    expect(lines.filter((l) => l.startsWith("error") || /^\s+at /.test(l))).toEqual([]);
  });

  it("works through npm as documented", () => {
    const r = spawnSync("npm", ["run", "--silent", "segment", "--", "--dataset", "cdnow", "--algorithm", "kmeans", "--k", "4"], {
      cwd: REPO,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.n).toBe(23570);
    expect(out.features).toEqual(expect.arrayContaining(["recency", "frequency", "monetary", "tenure"]));
  }, 60_000);
});
