/**
 * A transaction log in a Parquet file or a PostgreSQL table gives the customers, features,
 * purchase days and report of its CSV twin: the SQL of loaders/source computes what
 * customerFeatures computes, where the data lives. PostgreSQL is PGlite behind its wire-protocol
 * socket unless WORKBENCH_TEST_POSTGRES_URL names a server (.ci/run starts Debian's).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { customerFeatures, parseSnapshot, type CustomerFeatures } from "../loaders/features/rfm.ts";
import { readDataset } from "../loaders/io/read.ts";
import type { DatasetTable } from "../loaders/io/types.ts";
import { parseManifest } from "../loaders/manifest/load.ts";
import type { DatasetEntry } from "../loaders/manifest/types.ts";
import { openSource } from "../loaders/source/open.ts";
import { pushedDownFeatures, type PushedDownLog } from "../loaders/source/pushdown.ts";
import { cdnowLog } from "./helpers/cdnow.ts";
import { isoDay, loadPostgres, postgresForTests, writeParquet, type TwinColumn } from "./helpers/sqlTwins.ts";

const dir = mkdtempSync(join(tmpdir(), "source-features-"));
const URL_ENV = "WORKBENCH_TEST_SOURCE_URL";
const postgresUrl = postgresForTests(URL_ENV, dir);

/** A manifest entry as a user writes it, validated by the manifest's parser. */
function entryOf(raw: Record<string, unknown>): DatasetEntry {
  return parseManifest({ datasets: { twin: { title: "Twin", kind: "transactions", ...raw } } }, "test").datasets[0];
}

/** The twin's columns from a log read from text: ids as texts, dates as DATE, numbers as DOUBLE PRECISION. */
function twinColumns(log: DatasetTable): TwinColumn[] {
  return log.columns.filter((c) => c.role !== "ignore" && c.role !== "personal").map((c) => {
    const values = log.table.array(c.name) as ArrayLike<unknown>;
    if (c.type === "date") return { name: c.name, type: "DATE" as const, values: Array.from(values as Float64Array, isoDay) };
    if (c.type === "number") return { name: c.name, type: "DOUBLE PRECISION" as const, values: Array.from(values as Float64Array, (v) => (Number.isNaN(v) ? null : v)) };
    return { name: c.name, type: "VARCHAR" as const, values: Array.from(values as Array<string | null>) };
  });
}

/** The log's twins: a Parquet file and a PostgreSQL table, each read through its manifest entry. */
async function twins(name: string, log: DatasetTable, raw: Record<string, unknown>, options: { snapshots?: string[] } = {}) {
  const columns = twinColumns(log);
  const parquet = join(dir, `${name}.parquet`);
  await writeParquet(parquet, columns);
  await loadPostgres(postgresUrl(), name, columns);
  const open = { purchases: true, snapshots: () => options.snapshots ?? [] };
  return {
    parquet: (await openSource(entryOf({ ...raw, format: "parquet", file: `${name}.parquet` }), { ...open, path: parquet })) as PushedDownLog,
    postgres: (await openSource(entryOf({ ...raw, sql: { env: URL_ENV, table: name } }), open)) as PushedDownLog
  };
}

/** Same customers in the same order, same report, features equal but for the last bits of sums. */
function expectSameFeatures(sql: CustomerFeatures, file: CustomerFeatures): void {
  expect(sql.snapshot).toBe(file.snapshot);
  expect(sql.customers).toBe(file.customers);
  expect(sql.report).toEqual(file.report);
  const names = file.dataset.columns.map((c) => c.name);
  expect(sql.dataset.columns.map((c) => c.name)).toEqual(names);
  for (const c of file.dataset.columns) {
    const a = Array.from(file.dataset.table.array(c.name) as ArrayLike<number | string>);
    const b = Array.from(sql.dataset.table.array(c.name) as ArrayLike<number | string>);
    if (c.type === "string") expect(b).toEqual(a);
    else {
      // A sum in another order can differ in its last bit (CDNOW: at most 2e-15 relative).
      const worst = a.reduce((m: number, x, i) => Math.max(m, Math.abs((x as number) - (b[i] as number)) / Math.max(1, Math.abs(x as number))), 0);
      expect(worst, c.name).toBeLessThan(1e-12);
    }
  }
  expect(Array.from(sql.purchases.customer)).toEqual(Array.from(file.purchases.customer));
  expect(Array.from(sql.purchases.day)).toEqual(Array.from(file.purchases.day));
  const amounts = Array.from(file.purchases.amount);
  Array.from(sql.purchases.amount).forEach((x, i) => expect(Math.abs(x - amounts[i])).toBeLessThan(1e-9));
}

describe("CDNOW in Parquet and in PostgreSQL", () => {
  it("gives the 23,570 customers, features, purchase days and notes of the text file", async () => {
    const log = cdnowLog();
    const raw = { columns: { customer_id: "id", date: "date", number_of_cds: "quantity", dollar_value: "amount" } };
    const file = customerFeatures(log, {});
    expect(file.customers).toBe(23_570);
    const { parquet, postgres } = await twins("cdnow", log, raw);
    for (const twin of [parquet, postgres]) {
      expect(twin.rows).toBe(log.rows);
      expectSameFeatures(pushedDownFeatures(twin, undefined), file);
    }
  }, 300_000);

  it("reads a folder of Parquet part files, as Spark writes them, as one file", async () => {
    const log = cdnowLog();
    const columns = twinColumns(log);
    const folder = join(dir, "spark.parquet");
    mkdirSync(join(folder, "date=all"), { recursive: true });
    const half = Math.floor(log.rows / 2);
    await writeParquet(join(folder, "part-00000.parquet"), columns.map((c) => ({ ...c, values: c.values.slice(0, half) })));
    await writeParquet(join(folder, "date=all", "part-00001.parquet"), columns.map((c) => ({ ...c, values: c.values.slice(half) })));
    const raw = { columns: { customer_id: "id", date: "date", number_of_cds: "quantity", dollar_value: "amount" } };
    const parts = (await openSource(entryOf({ ...raw, format: "parquet", file: "spark.parquet" }), { path: folder, purchases: true })) as PushedDownLog;
    expect(parts.rows).toBe(log.rows);
    expectSameFeatures(pushedDownFeatures(parts, undefined), customerFeatures(log, {}));
  }, 300_000);
});

/** A log with everything that goes wrong in real ones. */
function hostileLog(): string {
  const rows = ["customer,day,invoice,qty,price,paid"];
  let r = 7;
  const next = () => (r = (r * 48271) % 2147483647) / 2147483647;
  for (let i = 0; i < 3000; i++) {
    const c = `c${Math.floor(next() * 400)}`;
    const day = `2023-${String(1 + Math.floor(next() * 12)).padStart(2, "0")}-${String(1 + Math.floor(next() * 28)).padStart(2, "0")}`;
    const cancelled = next() < 0.08;
    const qty = Math.floor(next() * 5) - (next() < 0.05 ? 3 : 0);
    const price = Math.round(next() * 5000) / 100;
    const paid = next() < 0.03 ? "" : (Math.round(qty * price * 100) / 100).toString();
    const id = next() < 0.02 ? "" : c;
    const date = next() < 0.02 ? "" : next() < 0.01 ? "2099-01-01" : day;
    rows.push(`${id},${date},${cancelled ? "C" : ""}${1000 + i},${next() < 0.02 ? "" : qty},${price},${paid}`);
  }
  // One customer who only cancelled, one who returned more than they bought.
  rows.push("only-cancel,2023-05-01,C9001,1,10,10", "returner,2023-05-01,9002,1,10,10", "returner,2023-06-01,9003,-5,10,-50");
  // Sorted by customer, so the file's order of first appearance is the id order a database's customers are put in.
  const [header, ...data] = rows;
  const id = (row: string) => row.slice(0, row.indexOf(","));
  data.sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
  return [header, ...data].join("\n") + "\n";
}

describe("a log with missing values, cancellations, returns and future dates", () => {
  const columns = { customer: "id", day: "date", invoice: "invoice", qty: "quantity", price: "ignore", paid: "amount" };
  const variants: Array<[string, Record<string, unknown>]> = [
    ["amounts, returns kept", { columns }],
    ["amounts, cancellations by invoice prefix and negative quantity", { columns, cancellations: { invoicePrefix: "C", negativeQuantity: true } }],
    ["quantity × price, cancellations by prefix", { columns: { ...columns, price: "price", paid: "ignore" }, cancellations: { invoicePrefix: "C" } }]
  ];
  it.each(variants)("%s: the same customers, features and notes from SQL as from the file", async (name, raw) => {
    writeFileSync(join(dir, "hostile.csv"), hostileLog());
    const slug = name.replace(/[^a-z]+/g, "_");
    const entry = entryOf({ ...raw, format: "csv", file: "hostile.csv" });
    const log = readDataset(entry, join(dir, "hostile.csv"));
    // Every id, date, amount and quantity problem occurs (the test would prove little otherwise).
    const today = parseSnapshot("2024-06-01");
    const file = customerFeatures(log, { today });
    expect(file.report.missingCustomer).toBeGreaterThan(0);
    expect(file.report.missingDate).toBeGreaterThan(0);
    expect(file.report.future).toBeGreaterThan(0);
    expect(file.report.missingAmount + file.report.missingQuantity).toBeGreaterThan(0);
    const explicit = customerFeatures(log, { snapshot: "2023-07-01" });
    expect(explicit.report.afterSnapshot).toBeGreaterThan(0);

    const columnsRead = twinColumns(log);
    const parquetPath = join(dir, `${slug}.parquet`);
    await writeParquet(parquetPath, columnsRead);
    await loadPostgres(postgresUrl(), slug, columnsRead);
    const runDay = process.env.SOURCE_DATE_EPOCH;
    process.env.SOURCE_DATE_EPOCH = String(today * 86_400);
    try {
      const open = { purchases: true, snapshots: () => ["2023-07-01"] };
      const parquet = (await openSource(entryOf({ ...raw, format: "parquet", file: `${slug}.parquet` }), { ...open, path: parquetPath })) as PushedDownLog;
      const postgresLog = (await openSource(entryOf({ ...raw, sql: { env: URL_ENV, query: `SELECT * FROM "${slug}";` } }), open)) as PushedDownLog;
      for (const twin of [parquet, postgresLog]) {
        expectSameFeatures(pushedDownFeatures(twin, undefined), file);
        const at = pushedDownFeatures(twin, "2023-07-01");
        expectSameFeatures({ ...at, purchases: explicit.purchases }, explicit);
      }
    } finally {
      if (runDay === undefined) delete process.env.SOURCE_DATE_EPOCH;
      else process.env.SOURCE_DATE_EPOCH = runDay;
    }
  }, 120_000);
});

describe("DuckDB's memory limit", () => {
  it("refuses a WORKBENCH_DUCKDB_MEMORY that is not a size, naming it, before DuckDB starts", async () => {
    const log = cdnowLog();
    const parquet = join(dir, "memory.parquet");
    await writeParquet(parquet, twinColumns(log));
    const entry = entryOf({ columns: { customer_id: "id", date: "date", number_of_cds: "quantity", dollar_value: "amount" }, format: "parquet", file: "memory.parquet" });
    const saved = process.env.WORKBENCH_DUCKDB_MEMORY;
    try {
      process.env.WORKBENCH_DUCKDB_MEMORY = "lots";
      await expect(openSource(entry, { path: parquet })).rejects.toThrow(/WORKBENCH_DUCKDB_MEMORY is not a memory size; found "lots", expected a number and a unit, such as 512MB or 2GB/);
      process.env.WORKBENCH_DUCKDB_MEMORY = "768MB";
      expect(((await openSource(entry, { path: parquet })) as PushedDownLog).rows).toBe(log.rows);
    } finally {
      if (saved === undefined) delete process.env.WORKBENCH_DUCKDB_MEMORY;
      else process.env.WORKBENCH_DUCKDB_MEMORY = saved;
    }
  }, 120_000);
});
