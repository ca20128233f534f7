/**
 * Scoring a database dataset where it lives: its customers come a chunk at a time, and each gets
 * the segment the same model gives it from the dataset's CSV twin; the segments are written back,
 * once for all, in the database's table. Memory stays bounded by the chunk, whatever the number
 * of customers (the benchmark measures it at 10 million; here chunks of a few hundred customers
 * prove chunking changes no segment).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportCommand } from "../loaders/cli/exportCommand.ts";
import { scoreCommand } from "../loaders/cli/scoreCommand.ts";
import { segmentCommand } from "../loaders/cli/segmentCommand.ts";
import { readDataset } from "../loaders/io/read.ts";
import { parseManifest } from "../loaders/manifest/load.ts";
import type { ModelFile } from "../loaders/model/modelFile.ts";
import { scoreInPlace, sumNotes } from "../loaders/source/scoreInPlace.ts";
import { sampleLogText } from "./helpers/cdnow.ts";
import { runCommand } from "./helpers/cli.ts";
import { isoDay, loadPostgres, startPostgres, type TwinColumn } from "./helpers/sqlTwins.ts";

const dir = mkdtempSync(join(tmpdir(), "source-score-"));
const root = join(dir, "project");
let postgres: Awaited<ReturnType<typeof startPostgres>>;
const URL_ENV = "WORKBENCH_TEST_SCORE_URL";
const experiment = { seed: 5, algorithms: ["kmeans"], grid: { kmeans: { k: [4] } } };
const log = { kind: "transactions", columns: { "2": "id", "3": "date", "5": "amount" }, experiment };
const people = { kind: "customers", columns: { id: "id", plan: "categorical", spend: "numeric", visits: "numeric", joined: "date" }, experiment };
const manifest = {
  datasets: {
    log_csv: { title: "Log", file: "sample.txt", format: "whitespace", header: false, dateFormat: "YYYYMMDD", ...log },
    log_pg: { title: "Log", sql: { env: URL_ENV, table: "score_log", segmentsTable: "log_segments" }, ...log },
    people_csv: { title: "People", file: "people.csv", format: "csv", ...people },
    people_pg: { title: "People", sql: { env: URL_ENV, query: "SELECT * FROM score_people", segmentsTable: "crm.people_segments" }, ...people }
  }
};

function peopleCsv(): string {
  const rows = ["id,plan,spend,visits,joined"];
  let r = 11;
  const next = () => (r = (r * 48271) % 2147483647) / 2147483647;
  for (let i = 0; i < 1500; i++) {
    const plan = next() < 0.03 ? "" : ["basic", "plus", "pro"][Math.floor(next() * 3)];
    const spend = next() < 0.03 ? "" : (Math.round(next() * next() * 90000) / 100).toString();
    rows.push(`p${String(i).padStart(5, "0")},${plan},${spend},${Math.floor(next() * 40)},2023-${String(1 + Math.floor(next() * 12)).padStart(2, "0")}-15`);
  }
  return rows.join("\n") + "\n";
}

const entries = parseManifest(manifest, "manifest").datasets;
const entry = (name: string) => entries.find((e) => e.name === name)!;

beforeAll(async () => {
  mkdirSync(join(root, "data"), { recursive: true });
  writeFileSync(join(root, "data", "sample.txt"), sampleLogText());
  writeFileSync(join(root, "data", "people.csv"), peopleCsv());
  writeFileSync(join(root, "data", "manifest.json"), JSON.stringify(manifest));
  postgres = await startPostgres();
  process.env[URL_ENV] = postgres.url;
  const sample = readDataset(entry("log_csv"), join(root, "data", "sample.txt"));
  await loadPostgres(postgres.url, "score_log", [
    { name: "2", type: "VARCHAR", values: Array.from(sample.table.array("2") as string[]) },
    { name: "3", type: "DATE", values: Array.from(sample.table.array("3") as Float64Array, isoDay) },
    { name: "5", type: "DOUBLE PRECISION", values: Array.from(sample.table.array("5") as Float64Array) }
  ]);
  const table = readDataset(entry("people_csv"), join(root, "data", "people.csv"));
  const columns: TwinColumn[] = [
    { name: "id", type: "VARCHAR", values: Array.from(table.table.array("id") as string[]) },
    { name: "plan", type: "VARCHAR", values: Array.from(table.table.array("plan") as Array<string | null>) },
    { name: "spend", type: "DOUBLE PRECISION", values: Array.from(table.table.array("spend") as Float64Array, (v) => (Number.isNaN(v) ? null : v)) },
    { name: "visits", type: "DOUBLE PRECISION", values: Array.from(table.table.array("visits") as Float64Array) },
    { name: "joined", type: "DATE", values: Array.from(table.table.array("joined") as Float64Array, isoDay) }
  ];
  await loadPostgres(postgres.url, "score_people", columns);
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  await client.query("CREATE SCHEMA IF NOT EXISTS crm");
  await client.end();
}, 120_000);

afterAll(async () => {
  await postgres?.stop();
  delete process.env[URL_ENV];
  rmSync(dir, { recursive: true, force: true });
});

async function written(table: string): Promise<Map<string, { segment: number; name: string; version: string }>> {
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT customer_id, segment, segment_name, model_version FROM ${table}`);
    return new Map(rows.map((r) => [r.customer_id, { segment: r.segment, name: r.segment_name, version: r.model_version }]));
  } finally {
    await client.end();
  }
}

/** The CSV twin scored through the CLI with the model it saves: each customer's displayed segment. */
async function csvSegments(name: string): Promise<{ model: ModelFile; segments: Map<string, number> }> {
  const path = join(dir, `${name}-model.json`);
  const r = await runCommand(scoreCommand, ["--dataset", name, "--save-model", path], { root, cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as { ids: string[]; labels: number[] };
  const model = JSON.parse(readFileSync(path, "utf8")) as ModelFile;
  const bySegment = new Map(model.segments.map((s) => [s.label, s.segment]));
  return { model, segments: new Map(out.ids.map((id, i) => [id, bySegment.get(out.labels[i])!])) };
}

describe("scoring a database dataset where it lives", () => {
  it("gives a log's customers, a few hundred at a time, the segments of its CSV twin, and writes them back", async () => {
    const { model, segments } = await csvSegments("log_csv");
    const saved = process.env.WORKBENCH_ROOT;
    process.env.WORKBENCH_ROOT = root;
    try {
      const result = await scoreInPlace(model, entry("log_pg"), { chunkRows: 300 });
      expect(result.customers).toBe(2357);
      expect(result.written).toEqual({ table: "log_segments", rows: 2357, batches: 1 });
      expect(result.segments.reduce((n, s) => n + s.customers, 0)).toBe(2357);
      expect(result.notes.at(-1)).toMatch(/6919 transaction row\(s\) grouped into 6696 purchase\(s\) \(one per customer and day\) by 2357 customer\(s\)/);
    } finally {
      if (saved === undefined) delete process.env.WORKBENCH_ROOT;
      else process.env.WORKBENCH_ROOT = saved;
    }
    const table = await written("log_segments");
    expect(table.size).toBe(2357);
    for (const [id, segment] of segments) expect(table.get(id)?.segment, id).toBe(segment);
    expect(new Set([...table.values()].map((r) => r.version))).toEqual(new Set([model.modelVersion]));
  }, 300_000);

  it("does the same for a customer table with missing values and a date feature, through the command", async () => {
    const { model, segments } = await csvSegments("people_csv");
    const modelPath = join(dir, "people_csv-model.json");
    const r = await runCommand(scoreCommand, ["--model", modelPath, "--dataset", "people_pg", "--write-back"], { root, cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ customers: 1500, noise: 0, written: { table: "crm.people_segments", rows: 1500 } });
    expect(out.notes.join("\n")).toMatch(/missing value\(s\) of "plan" filled/);
    const table = await written("crm.people_segments");
    for (const [id, segment] of segments) expect(table.get(id)?.segment, id).toBe(segment);
    expect(model.segments.map((s) => s.name)).toContain([...table.values()][0].name);
  }, 300_000);

  it("asks for --write-back, and refuses it for a file", async () => {
    const r = await runCommand(scoreCommand, ["--model", join(dir, "people_csv-model.json"), "--dataset", "people_pg"], { root, cwd: dir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/scoring dataset "people_pg" where it lives writes the segments to its database: add --write-back/);
    const f = await runCommand(scoreCommand, ["--dataset", "people_csv", "--write-back"], { root, cwd: dir });
    expect(f.stderr).toMatch(/--write-back writes to the database a dataset reads from/);
    // A model fitted on a database has no text layout for --input; one of the other kind is refused.
    const saved = await runCommand(scoreCommand, ["--dataset", "people_pg", "--save-model", join(dir, "pg-model.json")], { root, cwd: dir });
    expect(saved.code, saved.stderr).toBe(0);
    const input = await runCommand(scoreCommand, ["--model", join(dir, "pg-model.json"), "--input", join(root, "data", "people.csv")], { root, cwd: dir });
    expect(input.stderr).toMatch(/was fitted on a database table, so it has no text layout to read --input with/);
    const kind = await runCommand(scoreCommand, ["--model", join(dir, "pg-model.json"), "--dataset", "log_pg", "--write-back"], { root, cwd: dir });
    expect(kind.stderr).toMatch(/was fitted on a customer table, and dataset "log_pg" is a transaction log/);
  }, 60_000);
});

describe("the other commands on a database dataset", () => {
  it("segment and export read it as the report does", async () => {
    const seg = await runCommand(segmentCommand, ["--dataset", "log_pg"], { root, cwd: dir });
    expect(seg.code, seg.stderr).toBe(0);
    expect(JSON.parse(seg.stdout).n).toBe(2357);
    const out = join(dir, "segments.csv");
    const exported = await runCommand(exportCommand, ["--dataset", "log_pg", "--out", out], { root, cwd: dir });
    expect(exported.code, exported.stderr).toBe(0);
    expect(readFileSync(out, "utf8").trim().split("\n").length).toBe(2358);
  }, 300_000);
});

describe("notes of chunks", () => {
  it("adds up counted notes and keeps the others once", () => {
    expect(sumNotes([["3 missing value(s) of \"plan\" filled", "date features counted back from 2024-01-01"], ["2 missing value(s) of \"plan\" filled", "date features counted back from 2024-01-01"]])).toEqual([
      '5 missing value(s) of "plan" filled',
      "date features counted back from 2024-01-01"
    ]);
  });
});
