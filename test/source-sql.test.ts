/**
 * The SQL the workbench sends stays in the portable subset (loaders/source/sqlText.ts) that
 * PostgreSQL, Citus, YugabyteDB and (with its day-number dialect) Redshift all run; the manifest
 * and the sources refuse what they cannot read with a message that says how to fix it; a customer
 * table in a database or a Parquet file reads as its CSV twin; scores written back are batched
 * upserts swapped in at the end.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { readDataset } from "../loaders/io/read.ts";
import { findDataset, loadManifest, parseManifest } from "../loaders/manifest/load.ts";
import type { DatasetEntry } from "../loaders/manifest/types.ts";
import { databaseFingerprint } from "../loaders/source/fingerprint.ts";
import { openSource } from "../loaders/source/open.ts";
import { idOrder } from "../loaders/source/pushdown.ts";
import { portableViolations, SQL_DIALECTS } from "../loaders/source/sqlText.ts";
import { boundsSql, changeSql, customersSql, purchaseDaysSql, type LogColumns } from "../loaders/source/transactionSql.ts";
import { writeSegments } from "../loaders/source/writeBack.ts";
import { loadPostgres, postgresForTests, writeParquet, type TwinColumn } from "./helpers/sqlTwins.ts";

const dir = mkdtempSync(join(tmpdir(), "source-sql-"));
const URL_ENV = "WORKBENCH_TEST_SQL_URL";
const postgresUrl = postgresForTests(URL_ENV, dir);

function entryOf(raw: Record<string, unknown>, kind = "transactions"): DatasetEntry {
  return parseManifest({ datasets: { d: { title: "D", kind, ...raw } } }, "data/manifest.json").datasets[0];
}

const LOG_COLUMNS = { customer: "id", day: "date", paid: "amount", qty: "quantity", invoice: "invoice" };

describe("the SQL the workbench writes", () => {
  const log = (dialect: LogColumns["dialect"]): LogColumns => ({
    relation: '"sales"."orders"',
    id: "customer",
    date: "day",
    amount: "paid",
    quantity: "qty",
    invoice: "invoice",
    cancellations: { invoicePrefix: "C'", negativeQuantity: true },
    dialect,
    idText: true
  });
  it.each(SQL_DIALECTS)("stays in the portable subset (%s)", (dialect) => {
    const queries = [boundsSql(log(dialect), 19_000), boundsSql(log(dialect), null), customersSql(log(dialect), 19_000), purchaseDaysSql(log(dialect), 19_000), changeSql('"orders"', "day")];
    for (const sql of queries) expect(portableViolations(sql), sql).toEqual([]);
    // Redshift has no date - date; the others need no DATEDIFF.
    expect(queries.some((q) => q.includes("DATEDIFF"))).toBe(dialect === "redshift");
  });

  it("escapes a quote in a prefix and in a name", () => {
    const sql = customersSql({ ...log("postgres"), id: 'cust"id' }, 1);
    expect(sql).toContain(`= 'C'''`);
    expect(sql).toContain(`"cust""id"`);
  });

  it("the subset check catches what would not run everywhere", () => {
    expect(portableViolations("SELECT x::int FROM t")).toContain("a :: cast (write CAST(x AS type))");
    expect(portableViolations("SELECT COUNT(DISTINCT d) FROM t").join()).toMatch(/DISTINCT/);
    expect(portableViolations("SELECT date_trunc('day', d) FROM t")).toContain("the function date_trunc");
    expect(portableViolations("SELECT CAST(x AS NUMERIC) FROM t")).toContain("a cast to NUMERIC");
    expect(portableViolations("SELECT a FROM t ORDER BY a")).toContain("ORDER BY");
    expect(portableViolations('SELECT "order by" FROM t WHERE x = \'LIMIT 1\'')).toEqual([]);
  });
});

describe("the manifest's sources", () => {
  it("takes a table or a query, with the connection string's variable and no secret", () => {
    const e = entryOf({ sql: { env: "SHOP_URL", table: "sales.orders" }, columns: LOG_COLUMNS });
    expect(e).toMatchObject({ format: "sql", file: "", sql: { env: "SHOP_URL", table: "sales.orders", dialect: "postgres", segmentsTable: "customer_segments" } });
    expect(entryOf({ sql: { env: "SHOP_URL", query: "SELECT 1", dialect: "redshift" }, columns: LOG_COLUMNS }).sql!.dialect).toBe("redshift");
  });

  it.each([
    [{ sql: { env: "SHOP_URL", table: "t" }, file: "x.csv", format: "csv", columns: LOG_COLUMNS }, /either a file or "sql", not both/],
    [{ sql: { table: "t" }, columns: LOG_COLUMNS }, /needs "env", the name of the environment variable/],
    [{ sql: { env: "postgresql://u:secret@h/db", table: "t" }, columns: LOG_COLUMNS }, /needs "env"/],
    [{ sql: { env: "SHOP_URL" }, columns: LOG_COLUMNS }, /needs a "table" or a "query"/],
    [{ sql: { env: "SHOP_URL", table: "t", query: "SELECT 1" }, columns: LOG_COLUMNS }, /needs a "table" or a "query" \(one of them\)/],
    [{ sql: { env: "SHOP_URL", table: "t" } }, /reads only the columns the manifest names/],
    [{ format: "parquet", file: "x.parquet", dateFormat: "YYYYMMDD", columns: LOG_COLUMNS }, /field "datasets.d.dateFormat": applies to text files only/],
    [{ format: "parquet", file: "x.parquet", columns: LOG_COLUMNS, snapshots: ["2024-01-01", "2024-04-01"] }, null]
  ])("checks %j", (raw, message) => {
    if (message === null) expect(() => entryOf(raw)).not.toThrow();
    else expect(() => entryOf(raw)).toThrow(message);
  });

  it("refuses snapshot files for a customer table in a database", () => {
    expect(() => entryOf({ sql: { env: "U", table: "t" }, columns: { id: "id", x: "numeric" }, snapshots: [{ date: "2024-01-01", file: "a.csv" }] }, "customers")).toThrow(
      /snapshots of a customer table are earlier files of the same text layout/
    );
  });
});

describe("reading a database", () => {
  beforeAll(async () => {
    await loadPostgres(postgresUrl(), "orders", [
      { name: "customer", type: "VARCHAR", values: ["a", "b"] },
      { name: "day", type: "VARCHAR", values: ["2024-01-01", "2024-01-02"] },
      { name: "paid", type: "DOUBLE PRECISION", values: [1, 2] }
    ]);
  });
  const open = (raw: Record<string, unknown>) => openSource(entryOf({ sql: { env: URL_ENV, table: "orders" }, ...raw }));

  it("says which variable is not set, and how to set it", async () => {
    await expect(openSource(entryOf({ sql: { env: "WORKBENCH_UNSET_URL", table: "t" }, columns: LOG_COLUMNS }))).rejects.toThrow(
      /reads from a database whose connection string is in \$WORKBENCH_UNSET_URL, which is not set\. Set it, e\.g\. export WORKBENCH_UNSET_URL=postgresql:/
    );
  });

  it("names the server it cannot reach, without the password", async () => {
    process.env.WORKBENCH_DOWN_URL = "postgresql://me:hunter2@127.0.0.1:1/shop";
    try {
      const error = await openSource(entryOf({ sql: { env: "WORKBENCH_DOWN_URL", table: "t" }, columns: LOG_COLUMNS })).catch((e: Error) => e);
      expect(String(error)).toMatch(/cannot connect to the database of dataset "d" at 127\.0\.0\.1:1\/shop \(\$WORKBENCH_DOWN_URL\)/);
      expect(String(error)).not.toContain("hunter2");
    } finally {
      delete process.env.WORKBENCH_DOWN_URL;
    }
  });

  it("names a missing column and the columns there are", async () => {
    await expect(open({ columns: { customer: "id", when: "date", paid: "amount" } })).rejects.toThrow(/table orders has no column "when".*expected one of "customer", "day", "paid"/);
  });

  it("asks for a DATE column, and shows how to convert a text one in a query", async () => {
    await expect(open({ columns: { customer: "id", day: "date", paid: "amount" } })).rejects.toThrow(/column "day" of table orders holds texts, but its role "date" needs a DATE or TIMESTAMP column\. Convert it in a query/);
    const log = await openSource(entryOf({ sql: { env: URL_ENV, query: "SELECT customer, CAST(day AS DATE) AS day, paid FROM orders" }, columns: { customer: "id", day: "date", paid: "amount" } }));
    expect(log.rows).toBe(2);
  });

  it("runs a query with a trailing comment and semicolons, and nothing but that one query", async () => {
    const columns = { customer: "id", day: "date", paid: "amount" };
    const log = await openSource(entryOf({ sql: { env: URL_ENV, query: "SELECT customer, CAST(day AS DATE) AS day, paid FROM orders -- every order\n;;" }, columns }));
    expect(log.rows).toBe(2);
    const smuggled = "SELECT customer, CAST(day AS DATE) AS day, paid FROM orders) AS s; CREATE TABLE smuggled(x INTEGER); SELECT * FROM (SELECT customer, CAST(day AS DATE) AS day, paid FROM orders";
    await expect(openSource(entryOf({ sql: { env: URL_ENV, query: smuggled }, columns }))).rejects.toThrow(/could not read the query of dataset "d"/);
    const client = new pg.Client({ connectionString: postgresUrl() });
    await client.connect();
    try {
      expect((await client.query("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_name = 'smuggled'")).rows[0].n).toBe("0");
    } finally {
      await client.end();
    }
  });

  it("passes on the database's own error for a bad query", async () => {
    await expect(openSource(entryOf({ sql: { env: URL_ENV, query: "SELECT * FROM no_such_table" }, columns: LOG_COLUMNS }))).rejects.toThrow(/could not read the query of dataset "d": relation "no_such_table" does not exist/);
  });
});

describe("a customer table in PostgreSQL or Parquet", () => {
  it("reads as its CSV twin: the same columns, values, missing counts and rows", async () => {
    const csvEntry = findDataset(loadManifest(), "marketing");
    const csv = readDataset(csvEntry);
    const columns: TwinColumn[] = csv.columns
      .filter((c) => c.role !== "ignore" && c.role !== "personal")
      .map((c) => {
        const values = csv.table.array(c.name) as ArrayLike<unknown>;
        if (c.type === "date") return { name: c.name, type: "DATE", values: Array.from(values as Float64Array, (v) => (Number.isNaN(v) ? null : new Date(v).toISOString().slice(0, 10))) };
        if (c.type === "number") return { name: c.name, type: "DOUBLE PRECISION", values: Array.from(values as Float64Array, (v) => (Number.isNaN(v) ? null : v)) };
        return { name: c.name, type: "VARCHAR", values: Array.from(values as Array<string | null>) };
      });
    await loadPostgres(postgresUrl(), "marketing", columns);
    const parquet = join(dir, "marketing.parquet");
    await writeParquet(parquet, columns);
    const { file: _f, format: _m, dateFormat: _d, ...raw } = JSON.parse(readFileSync("data/manifest.json", "utf8")).datasets.marketing;
    const twins = [
      await openSource(entryOf({ ...raw, sql: { env: URL_ENV, table: "marketing" } }, "customers")),
      await openSource(entryOf({ ...raw, format: "parquet", file: "marketing.parquet" }, "customers"), { path: parquet })
    ];
    // A database's rows have no order: they are put in id order. A Parquet file keeps its own.
    const byId = idOrder(csv.table.array("ID") as string[]);
    const orders = [byId, Int32Array.from({ length: csv.rows }, (_, i) => i)];
    twins.forEach((twin, t) => {
      if (!("table" in twin)) throw new Error("a customer table is read as rows");
      expect(twin.rows).toBe(csv.rows);
      expect(twin.columns).toEqual(csv.columns.filter((c) => c.role !== "ignore" && c.role !== "personal"));
      for (const c of twin.columns) {
        const expected = csv.table.array(c.name) as ArrayLike<unknown>;
        expect(Array.from(twin.table.array(c.name) as ArrayLike<unknown>), c.name).toEqual(Array.from(orders[t], (i) => expected[i]));
      }
    });
  }, 120_000);
});

describe("writing segments back", () => {
  const entry = () => entryOf({ sql: { env: URL_ENV, table: "orders", segmentsTable: "crm_segments" }, columns: { customer: "id", day: "date", paid: "amount" } });
  const rows = (n: number, version: string) => ({
    ids: Array.from({ length: n }, (_, i) => `c${i}`),
    segments: Array.from({ length: n }, (_, i) => 1 + (i % 3)),
    names: Array.from({ length: n }, (_, i) => ["Loyal", "At risk", "New"][i % 3]),
    modelVersion: version,
    scoredAt: "2024-07-01T00:00:00.000Z"
  });
  const table = async () => {
    const client = new pg.Client({ connectionString: postgresUrl() });
    await client.connect();
    try {
      return (await client.query("SELECT customer_id, segment, segment_name, model_version, CAST(scored_at AS VARCHAR) AS scored_at FROM crm_segments ORDER BY customer_id")).rows;
    } finally {
      await client.end();
    }
  };

  it("writes every customer in batches, and a rerun writes the same rows", async () => {
    const result = await writeSegments(entry(), rows(12_345, "v1"), { batch: 5_000 });
    expect(result).toEqual({ table: "crm_segments", rows: 12_345, batches: 3 });
    const first = await table();
    expect(first.length).toBe(12_345);
    expect(first.find((r) => r.customer_id === "c4")).toMatchObject({ segment: 2, segment_name: "At risk", model_version: "v1" });
    await writeSegments(entry(), rows(12_345, "v1"), { batch: 5_000 });
    expect(await table()).toEqual(first);
  }, 60_000);

  it("leaves the previous assignment whole when a run fails mid-way", async () => {
    await writeSegments(entry(), rows(100, "v1"));
    const before = await table();
    // The third batch breaks a constraint (a segment without a name): two batches are already written by then.
    const broken = rows(20_000, "v2");
    broken.names[12_000] = null as unknown as string;
    await expect(writeSegments(entry(), broken, { batch: 5_000 })).rejects.toThrow(/failed while writing rows 10001–15000: .*null value.*; the previous assignment is unchanged/);
    expect(await table()).toEqual(before);
    // The next run recovers: the staging table a failed run left is replaced.
    await writeSegments(entry(), rows(20_000, "v2"), { batch: 5_000 });
    const after = await table();
    expect(after.length).toBe(20_000);
    expect(new Set(after.map((r) => r.model_version))).toEqual(new Set(["v2"]));
  }, 60_000);

  it("keeps the table (its grants and views), and never empties one that is not a segments table", async () => {
    await writeSegments(entry(), rows(10, "v1"));
    // One connection at a time: PGlite serves one.
    const sql = async (text: string) => {
      const client = new pg.Client({ connectionString: postgresUrl() });
      await client.connect();
      try {
        return (await client.query(text)).rows;
      } finally {
        await client.end();
      }
    };
    await sql("CREATE OR REPLACE VIEW crm_view AS SELECT segment, COUNT(*) AS n FROM crm_segments GROUP BY segment");
    await writeSegments(entry(), rows(30, "v3"));
    expect((await sql("SELECT CAST(SUM(n) AS INTEGER) AS n FROM crm_view"))[0].n).toBe(30);
    await sql("DROP VIEW crm_view");
    const source = entryOf({ sql: { env: URL_ENV, table: "orders", segmentsTable: "orders" }, columns: { customer: "id", day: "date", paid: "amount" } });
    await expect(writeSegments(source, rows(1, "v"))).rejects.toThrow(/"sql.segmentsTable" of dataset "d" is the table its data is read from/);
    const other = entryOf({ sql: { env: URL_ENV, query: "SELECT * FROM orders", segmentsTable: "orders" }, columns: { customer: "id", day: "date", paid: "amount" } });
    await expect(writeSegments(other, rows(1, "v"))).rejects.toThrow(/orders is not a segments table: its columns are customer, day, paid/);
  }, 60_000);

  it("refuses Redshift, which has no upsert, and says what to do", async () => {
    const redshift = entryOf({ sql: { env: URL_ENV, table: "orders", dialect: "redshift" }, columns: { customer: "id", day: "date", paid: "amount" } });
    await expect(writeSegments(redshift, rows(1, "v"))).rejects.toThrow(/Redshift does not have.*Export the segments as CSV/);
  });
});

describe("a database's fingerprint", () => {
  it("stays while the table does, and changes with a new row or a newer date", async () => {
    const columns = (days: string[]): TwinColumn[] => [
      { name: "customer", type: "VARCHAR", values: days.map((_, i) => `c${i}`) },
      { name: "day", type: "DATE", values: days },
      { name: "paid", type: "DOUBLE PRECISION", values: days.map(() => 1) }
    ];
    const entry = entryOf({ sql: { env: URL_ENV, table: "fp_orders" }, columns: { customer: "id", day: "date", paid: "amount" } });
    await loadPostgres(postgresUrl(), "fp_orders", columns(["2024-01-01", "2024-01-02"]));
    const first = await databaseFingerprint(entry);
    expect(await databaseFingerprint(entry)).toBe(first);
    await loadPostgres(postgresUrl(), "fp_orders", columns(["2024-01-01", "2024-01-02", "2024-01-02"]));
    const more = await databaseFingerprint(entry);
    expect(more).not.toBe(first);
    await loadPostgres(postgresUrl(), "fp_orders", columns(["2024-01-01", "2024-01-03", "2024-01-02"]));
    expect(await databaseFingerprint(entry)).not.toBe(more);
    // Another query over the same rows is another dataset.
    const query = entryOf({ sql: { env: URL_ENV, query: "SELECT * FROM fp_orders" }, columns: { customer: "id", day: "date", paid: "amount" } });
    expect(await databaseFingerprint(query)).not.toBe(await databaseFingerprint(entry));
  });
});
