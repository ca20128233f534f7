/**
 * A dataset whose transactions sit in PostgreSQL, and one in a Parquet file, build the report of
 * their CSV twin: every page's JSON — segments, value models, drift between snapshots, the model —
 * is the same but for where the data is from. The twin is the CDNOW 1/10 sample (2,357
 * customers, ordered by customer as a database's customers are put).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readDataset } from "../loaders/io/read.ts";
import { parseManifest } from "../loaders/manifest/load.ts";
import { reportArchive } from "../loaders/report/report.ts";
import { archiveMembers } from "./helpers/archive.ts";
import { sampleLogText } from "./helpers/cdnow.ts";
import { isoDay, loadPostgres, startPostgres, writeParquet, type TwinColumn } from "./helpers/sqlTwins.ts";

const dir = mkdtempSync(join(tmpdir(), "source-report-"));
const root = join(dir, "project");
let postgres: Awaited<ReturnType<typeof startPostgres>>;
const URL_ENV = "WORKBENCH_TEST_REPORT_URL";
const saved = { root: process.env.WORKBENCH_ROOT, epoch: process.env.SOURCE_DATE_EPOCH };

const experiment = { seed: 3, algorithms: ["kmeans", "gmm"], grid: { kmeans: { k: [3, 4] }, gmm: { k: [3] } } };
const common = { kind: "transactions", columns: { "2": "id", "3": "date", "5": "amount" }, snapshots: { cadence: "quarterly", last: 3 }, experiment };
const manifest = {
  datasets: {
    csv: { title: "Sample", file: "sample.txt", format: "whitespace", header: false, dateFormat: "YYYYMMDD", ...common },
    parquet: { title: "Sample", file: "sample.parquet", format: "parquet", ...common },
    postgres: { title: "Sample", sql: { env: URL_ENV, table: "cdnow_sample" }, ...common }
  }
};

beforeAll(async () => {
  mkdirSync(join(root, "data"), { recursive: true });
  writeFileSync(join(root, "data", "sample.txt"), sampleLogText());
  writeFileSync(join(root, "data", "manifest.json"), JSON.stringify(manifest));
  const csv = parseManifest(manifest, "manifest").datasets[0];
  const log = readDataset(csv, join(root, "data", "sample.txt"));
  const columns: TwinColumn[] = [
    { name: "2", type: "VARCHAR", values: Array.from(log.table.array("2") as string[]) },
    { name: "3", type: "DATE", values: Array.from(log.table.array("3") as Float64Array, isoDay) },
    { name: "5", type: "DOUBLE PRECISION", values: Array.from(log.table.array("5") as Float64Array) }
  ];
  await writeParquet(join(root, "data", "sample.parquet"), columns);
  postgres = await startPostgres();
  await loadPostgres(postgres.url, "cdnow_sample", columns);
  process.env[URL_ENV] = postgres.url;
  process.env.WORKBENCH_ROOT = root;
  process.env.SOURCE_DATE_EPOCH = "1764000000";
}, 120_000);

afterAll(async () => {
  await postgres?.stop();
  for (const [key, value] of [["WORKBENCH_ROOT", saved.root], ["SOURCE_DATE_EPOCH", saved.epoch]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  delete process.env[URL_ENV];
  rmSync(dir, { recursive: true, force: true });
});

/** The report's pages as JSON, run timings zeroed, and what names the data's place set aside. */
function pages(archive: Buffer, name: string): { pages: Record<string, unknown>; place: unknown } {
  const out = archiveMembers(archive, join(dir, name));
  const place = { dataset: out["overview.json"].dataset, model: { dataset: out["model.json"].dataset, modelVersion: out["model.json"].modelVersion, entry: out["model.json"].entry } };
  for (const key of ["dataset"]) delete out["overview.json"][key];
  for (const key of ["dataset", "modelVersion", "entry"]) delete out["model.json"][key];
  return { pages: out, place };
}

/**
 * Where two reports differ: texts, labels and counts must be equal; other numbers to 1e-9
 * relative — a database adds a customer's amounts in another order than the file path, which
 * can change a sum's last bit (CDNOW: at most 2e-15 relative). Skipped: the data's fingerprint,
 * and UMAP's coordinates, which its stochastic optimisation moves with any change in the last bit
 * (the map's points keep their segments, which are compared).
 */
function differences(a: unknown, b: unknown, path: string, out: string[] = []): string[] {
  if (out.length > 20) return out;
  if (typeof a === "number" && typeof b === "number") {
    if (a !== b && !(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)))) out.push(`${path}: ${a} ≠ ${b}`);
  } else if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${path}: ${a.length} items ≠ ${b.length}`);
    else a.forEach((x, i) => differences(x, b[i], `${path}[${i}]`, out));
  } else if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !["fingerprint", "umap"].includes(k));
    for (const k of keys) differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, out);
  } else if (a !== b) out.push(`${path}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`);
  return out;
}

describe("a log in PostgreSQL and in Parquet", () => {
  it("builds the report of its CSV twin, value models and drift included", async () => {
    const csv = pages(await reportArchive("csv"), "csv");
    // The comparison covers what matters: value models fitted, both drift snapshots segmented.
    const value = csv.pages["value.json"] as any;
    expect(value.value.current.customers).toBe(2357);
    const drift = csv.pages["drift.json"] as any;
    expect(drift.snapshots.map((s: { date: string }) => s.date)).toEqual(["1998-01-01", "1998-04-01", "1998-07-01"]);
    for (const name of ["parquet", "postgres"]) {
      const twin = pages(await reportArchive(name), name);
      for (const [file, json] of Object.entries(csv.pages)) expect(differences(twin.pages[file], json, `${name}: ${file}`)).toEqual([]);
      expect(twin.place).not.toEqual(csv.place);
    }
  }, 600_000);
});
