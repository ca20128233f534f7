/**
 * Sources (issue 11): a transaction log's features computed where the data lives ("pushdown",
 * loaders/source) at the sizes the issue names.
 *
 * 1. Parquet: a seeded log (default 20M transactions of 2M customers) written by DuckDB into a
 *    temporary folder, then `openSource` in a child process of its own (its peak RSS is its own),
 *    for the features alone and with purchase days (the value models' path), at DuckDB's default
 *    memory limit and at 512MB. The reference, run the same way, is DuckDB alone: the same
 *    queries with their results counted, not collected. Target: < 60 s and < 1.5 GB peak RSS.
 * 2. PostgreSQL: a throwaway Debian PostgreSQL server (initdb as user postgres, fsync off) with a
 *    seeded table (default 10M transactions of 1M customers) generated inside the server, then
 *    pushdown (`openSource`) against pulling the raw rows through pg-cursor into typed columns and
 *    running `customerFeatures` on them in JavaScript, alternately. Both must give the same features.
 *
 *   node --import tsx --expose-gc bench/sources.ts [--parquet-rows N] [--pg-rows N]
 *       [--rounds R] [--only parquet|postgres] [--pg-port P] [--duck-memory 1GB,512MB]
 *
 * Customers are a tenth of the rows. "rows received" counts the result rows the client read (all
 * queries); for the raw path, "purchase days" are those customerFeatures derives in JavaScript.
 * Times are seconds; "in process" is the `openSource` call (or
 * the raw pull + customerFeatures), "process" is the child from spawn to exit (Node + tsx start
 * included). Ratios, not absolute times, compare across machines.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type pg from "pg";
import type { CustomerFeatures } from "../loaders/features/rfm.ts";
import type { DatasetEntry } from "../loaders/manifest/types.ts";
import type { ResultColumn, ValueKind } from "../loaders/source/connection.ts";

const SELF = import.meta.filename;
const PGBIN = "/usr/lib/postgresql/15/bin";
const PG_ENV = "BENCH_PG_URL";
const COLUMNS = { customer_id: "id", date: "date", amount: "amount", quantity: "quantity" } as const;
/** The log's two years end before the run date, so no row is left out as "in the future". */
const FIRST_DATE = "2024-01-01";
const DAYS = 730;

interface ChildResult {
  job: string;
  /** The measured call, in process. */
  seconds: number;
  peakMB: number;
  customers: number;
  purchases: number;
  /** Rows the client received from the database (result rows, all queries). */
  rowsFetched: number;
  /** Bytes the client received on the database connection (PostgreSQL only). */
  bytesRead?: number;
  /** Sums of the features, to hold two paths to the same numbers. */
  check: { frequency: number; monetary: number; recency: number; tenure: number };
}

interface Run {
  /** Absent when the child failed. */
  r?: ChildResult;
  /** The first line of the child's error. */
  error?: string;
  processSeconds: number;
}

interface Row extends Run {
  source: string;
  path: string;
  memory?: string;
}

// ---------------------------------------------------------------- the child side

async function child(job: string, spec: { entry: DatasetEntry; path?: string; purchases?: boolean }): Promise<ChildResult> {
  if (job === "noop") return { job, seconds: 0, peakMB: peakMB(), customers: 0, purchases: 0, rowsFetched: 0, check: zeroCheck() };
  if (job === "duck-reference") return duckReference(spec.entry, spec.path!);
  const counters = await countTraffic();
  if (job === "pushdown") {
    const { openSource } = await import("../loaders/source/open.ts");
    const t = performance.now();
    const log = await openSource(spec.entry, { path: spec.path, purchases: spec.purchases ?? false });
    const seconds = (performance.now() - t) / 1000;
    if ("table" in log) throw new Error("internal: expected a pushed-down log");
    const f = log.features.get("")!;
    return { job, seconds, peakMB: peakMB(), customers: f.customers, purchases: f.purchases.customer.length, rowsFetched: counters.rows, bytesRead: counters.bytes(), check: checksum(f) };
  }
  if (job === "raw") return rawPull(spec.entry, counters);
  throw new Error(`unknown job ${job}`);
}

function peakMB(): number {
  return (process.resourceUsage().maxRSS * 1024) / 2 ** 20;
}

function zeroCheck(): ChildResult["check"] {
  return { frequency: 0, monetary: 0, recency: 0, tenure: 0 };
}

function checksum(f: CustomerFeatures): ChildResult["check"] {
  const sum = (name: string) => {
    const a = f.dataset.table.array(name) as ArrayLike<number>;
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i];
    return s;
  };
  return { frequency: sum("frequency"), monetary: sum("monetary"), recency: sum("recency"), tenure: sum("tenure") };
}

/** Counts the rows pg-cursor and DuckDB's results hand over, and the bytes pg's sockets receive, in this process. */
async function countTraffic(): Promise<{ rows: number; bytes: () => number | undefined }> {
  const counters = { rows: 0, bytes: 0, seen: false };
  const { DuckDBResult } = await import("@duckdb/node-api");
  const fetchChunk = DuckDBResult.prototype.fetchChunk;
  DuckDBResult.prototype.fetchChunk = async function (this: InstanceType<typeof DuckDBResult>) {
    const chunk = await fetchChunk.call(this);
    counters.rows += chunk?.rowCount ?? 0;
    return chunk;
  };
  const { default: Cursor } = await import("pg-cursor");
  const { default: pgModule } = await import("pg");
  const read = Cursor.prototype.read;
  Cursor.prototype.read = async function (this: InstanceType<typeof Cursor>, n: number) {
    const rows = await read.call(this, n);
    counters.rows += rows?.length ?? 0;
    return rows;
  } as typeof read;
  const end = pgModule.Client.prototype.end;
  pgModule.Client.prototype.end = function (this: pg.Client, ...args: unknown[]) {
    const stream = (this as unknown as { connection?: { stream?: { bytesRead?: number } } }).connection?.stream;
    if (stream?.bytesRead !== undefined) {
      counters.bytes += stream.bytesRead;
      counters.seen = true;
    }
    return (end as (...a: unknown[]) => Promise<void>).apply(this, args);
  } as typeof end;
  return {
    get rows() {
      return counters.rows;
    },
    bytes: () => (counters.seen ? counters.bytes : undefined)
  };
}

/** DuckDB alone: the queries pushDown sends for the features (bounds, row counts, customers), their rows counted, not collected. */
async function duckReference(entry: DatasetEntry, path: string): Promise<ChildResult> {
  const { openDuckDb } = await import("../loaders/source/duckdb.ts");
  const { logColumns } = await import("../loaders/source/pushdown.ts");
  const { boundsSql, customersSql, rowCountsSql } = await import("../loaders/source/transactionSql.ts");
  const { literal } = await import("../loaders/source/sqlText.ts");
  const { runDay } = await import("../loaders/features/rfm.ts");
  const t = performance.now();
  // The workbench's own DuckDB connection (memory limit, spill folder), and its reading of the columns.
  const connection = await openDuckDb(path);
  try {
    const { log } = await logColumns(connection, entry, `read_parquet(${literal(path)})`);
    let lastDay = NaN;
    const bounds = ["transactions", "missingCustomer", "missingDate", "future", "firstDay", "lastDay"].map((name): [string, "number"] => [name, "number"]);
    let rowsFetched = await connection.stream(boundsSql(log, runDay()), bounds, Infinity, (chunk) => {
      lastDay = (chunk.lastDay as Float64Array)[0];
    });
    rowsFetched += await connection.stream(rowCountsSql(log, lastDay + 1), [], Infinity, () => {});
    const customers = await connection.stream(customersSql(log, lastDay + 1), [], Infinity, () => {});
    rowsFetched += customers;
    const seconds = (performance.now() - t) / 1000;
    return { job: "duck-reference", seconds, peakMB: peakMB(), customers, purchases: 0, rowsFetched, check: zeroCheck() };
  } finally {
    await connection.close();
  }
}

/**
 * Pulling the raw rows: every transaction through pg-cursor (the workbench's own connection,
 * so the same batch size and type parsing) into typed columns as the file reader delivers them
 * (ids as text, dates as epoch ms), then customerFeatures in JavaScript.
 */
async function rawPull(entry: DatasetEntry, counters: { rows: number; bytes: () => number | undefined }): Promise<ChildResult> {
  const aq = await import("arquero");
  const { openPostgres } = await import("../loaders/source/postgres.ts");
  const { customerFeatures } = await import("../loaders/features/rfm.ts");
  const { readAll } = await import("../loaders/source/connection.ts");
  const t = performance.now();
  const connection = await openPostgres(entry.sql!.env, entry.name, `table ${entry.sql!.table}`, entry.sql!.dialect);
  const sql = `SELECT "customer_id", "date", "amount", "quantity" FROM "${entry.sql!.table}"`;
  const kinds: Array<[string, ValueKind]> = [
    ["customer_id", "text"],
    ["date", "number"],
    ["amount", "number"],
    ["quantity", "number"]
  ];
  let raw: Record<string, ResultColumn>;
  try {
    raw = await readAll(connection, sql, kinds);
  } finally {
    await connection.close();
  }
  const n = (raw.date as Float64Array).length;
  const f = customerFeatures({
    entry,
    file: connection.label,
    table: aq.table(raw),
    columns: [
      { name: "customer_id", role: "id", type: "string", missing: 0 },
      { name: "date", role: "date", type: "date", missing: 0 },
      { name: "amount", role: "amount", type: "number", missing: 0 },
      { name: "quantity", role: "quantity", type: "number", missing: 0 }
    ],
    lines: Int32Array.from({ length: n }, (_, i) => i + 2),
    rows: n,
    notes: []
  });
  const seconds = (performance.now() - t) / 1000;
  return { job: "raw", seconds, peakMB: peakMB(), customers: f.customers, purchases: f.purchases.customer.length, rowsFetched: counters.rows, bytesRead: counters.bytes(), check: checksum(f) };
}

// ---------------------------------------------------------------- the parent side

/** What to undo however the bench ends (a signal included): temporary folders, the server. */
const cleanups = new Set<() => void>();
/** The child being measured, stopped by its id when the bench is interrupted. */
let running: ChildProcess | undefined;
/** Where children put temporary files (DuckDB's spill folder): inside the bench's own folder. */
let childTmp = tmpdir();

function cleanUp(): void {
  for (const undo of [...cleanups].reverse()) {
    cleanups.delete(undo);
    undo();
  }
}

async function runChild(job: string, spec: object, env: Record<string, string> = {}): Promise<Run> {
  const t = performance.now();
  const child = spawn(process.execPath, ["--import", "tsx", "--expose-gc", SELF, "--child", job, JSON.stringify(spec)], {
    // Dates count by their UTC day (pg parses a DATE at local midnight).
    env: { ...process.env, TZ: "UTC", TMPDIR: childTmp, ...env },
    stdio: ["ignore", "pipe", "pipe"]
  });
  running = child;
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
  child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  const [status, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on("close", (code, sig) => resolve([code, sig])));
  running = undefined;
  const processSeconds = (performance.now() - t) / 1000;
  if (status !== 0) {
    const found = /\w*Error: .*/.exec(stderr)?.[0] ?? `status ${status}, signal ${signal}`;
    const message = found.length > 140 ? `${found.slice(0, 140)}…` : found;
    console.error(`  FAILED after ${processSeconds.toFixed(1)} s: ${message}`);
    return { error: message, processSeconds };
  }
  const r = JSON.parse(stdout.trim().split("\n").pop()!) as ChildResult;
  console.error(`  ${r.seconds.toFixed(2)} s in process, ${processSeconds.toFixed(2)} s process, peak ${r.peakMB.toFixed(0)} MB`);
  return { r, processSeconds };
}

/** The faster of two runs; a run that failed only when none succeeded. */
function faster(a: Run | undefined, b: Run): Run {
  if (!a || !a.r) return b.r || !a ? b : a;
  return b.r && b.r.seconds < a.r.seconds ? b : a;
}

async function benchEntry(raw: object): Promise<DatasetEntry> {
  const { parseManifest } = await import("../loaders/manifest/load.ts");
  return parseManifest({ datasets: { tx: raw } }, "bench").datasets[0];
}

async function parquetBench(rows: number, rounds: number, memories: string[], out: Row[]): Promise<void> {
  const customers = Math.max(1, Math.round(rows / 10));
  const dir = mkdtempSync(join(tmpdir(), "bench-sources-"));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  cleanups.add(remove);
  childTmp = dir;
  try {
    const file = join(dir, "tx.parquet");
    const t = performance.now();
    await writeParquetLog(file, rows, customers, dir);
    console.error(`parquet: ${rows.toLocaleString("en-US")} rows of ${customers.toLocaleString("en-US")} customers written in ${((performance.now() - t) / 1000).toFixed(1)} s (${(statSync(file).size / 2 ** 20).toFixed(0)} MB)`);
    const entry = await benchEntry({ title: "tx", kind: "transactions", format: "parquet", file: "tx.parquet", columns: COLUMNS });
    const baseline = await runChild("noop", {});
    out.push({ source: "–", path: "Node + tsx, nothing else (baseline)", ...baseline });
    for (const memory of memories) {
      const env = { WORKBENCH_DUCKDB_MEMORY: memory };
      const jobs: Array<[string, string, object]> = [
        ["duck-reference", "reference: DuckDB alone, the same queries, rows counted", { entry, path: file }],
        ["pushdown", "openSource, features", { entry, path: file, purchases: false }],
        ["pushdown", "openSource, features + purchase days", { entry, path: file, purchases: true }]
      ];
      const best = new Map<number, Run>();
      for (let round = 0; round < rounds; round++) {
        for (const [k, [job, path, spec]] of jobs.entries()) {
          console.error(`parquet ${memory}: ${path} (round ${round + 1}/${rounds})`);
          best.set(k, faster(best.get(k), await runChild(job, spec, env)));
        }
      }
      jobs.forEach(([, path], k) => out.push({ source: `Parquet ${rows.toLocaleString("en-US")}`, path, memory, ...best.get(k)! }));
    }
  } finally {
    childTmp = tmpdir();
    cleanups.delete(remove);
    remove();
  }
}

/** The log as DuckDB writes it: seeded, so every run reads the same rows. */
async function writeParquetLog(file: string, rows: number, customers: number, dir: string): Promise<void> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:", { autoinstall_known_extensions: "false", autoload_known_extensions: "false", memory_limit: "1GB", temp_directory: join(dir, "spill"), threads: "1" });
  const c = await instance.connect();
  // One thread: random() after setseed is then one sequence, the same on every run.
  await c.run("SELECT setseed(0.42)");
  await c.run(`COPY (
    SELECT CAST(1 + floor(random() * ${customers}) AS INTEGER) AS customer_id,
      CAST(DATE '${FIRST_DATE}' + CAST(floor(random() * ${DAYS}) AS INTEGER) AS DATE) AS date,
      CAST(round(1 + random() * 199, 2) AS DOUBLE) AS amount,
      CAST(1 + floor(random() * 5) AS INTEGER) AS quantity
    FROM range(${rows}) AS g(i)
  ) TO '${file.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)`);
  c.closeSync();
  instance.closeSync();
}

// ------------------------------------------ a throwaway PostgreSQL server

async function freePort(preferred: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number | null>((resolve) => {
      const s = createServer();
      s.once("error", () => resolve(null));
      s.listen(port, "127.0.0.1", () => {
        const got = (s.address() as { port: number }).port;
        s.close(() => resolve(got));
      });
    });
  return (await tryPort(preferred)) ?? (await tryPort(0))!;
}

function asPostgres(args: string[], what: string): void {
  const r = spawnSync("runuser", ["-u", "postgres", "--", ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${what} failed (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
}

function startServer(port: number): { url: string; stop: () => void } {
  if (!existsSync(join(PGBIN, "initdb"))) throw new Error(`no PostgreSQL at ${PGBIN} (apt-get install postgresql)`);
  const base = mkdtempSync(join(tmpdir(), "bench-sources-pg-"));
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    if (existsSync(join(base, "data", "postmaster.pid"))) spawnSync("runuser", ["-u", "postgres", "--", join(PGBIN, "pg_ctl"), "-D", join(base, "data"), "-m", "fast", "-w", "stop"], { stdio: "ignore" });
    rmSync(base, { recursive: true, force: true });
  };
  // Stopped and deleted however this process ends.
  cleanups.add(stop);
  try {
    const pw = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
    chownSync(base, Number(pw.stdout), Number(gid.stdout));
    asPostgres([join(PGBIN, "initdb"), "-D", join(base, "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"], "initdb");
    const options = [
      `-p ${port}`,
      `-k ${base}`,
      "-c listen_addresses=127.0.0.1",
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c shared_buffers=256MB",
      "-c work_mem=64MB",
      "-c maintenance_work_mem=256MB",
      "-c max_wal_size=4GB"
    ].join(" ");
    asPostgres([join(PGBIN, "pg_ctl"), "-D", join(base, "data"), "-l", join(base, "log"), "-w", "-t", "60", "-o", options, "start"], "pg_ctl start");
  } catch (error) {
    stop();
    throw error;
  }
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    stop: () => {
      cleanups.delete(stop);
      stop();
    }
  };
}

async function postgresBench(rows: number, rounds: number, port: number, out: Row[]): Promise<void> {
  const customers = Math.max(1, Math.round(rows / 10));
  const server = startServer(await freePort(port));
  try {
    const { default: pgModule } = await import("pg");
    const client = new pgModule.Client({ connectionString: server.url });
    await client.connect();
    let t = performance.now();
    try {
      // Generated inside the server, seeded: random() after setseed is one sequence in this session.
      await client.query("SELECT setseed(0.42)");
      await client.query(`CREATE TABLE tx AS
        SELECT CAST(1 + floor(random() * ${customers}) AS INTEGER) AS customer_id,
          CAST(DATE '${FIRST_DATE}' + CAST(floor(random() * ${DAYS}) AS INTEGER) AS DATE) AS date,
          CAST(round(CAST(1 + random() * 199 AS NUMERIC), 2) AS DOUBLE PRECISION) AS amount,
          CAST(1 + floor(random() * 5) AS INTEGER) AS quantity
        FROM generate_series(1, ${rows}) AS g(i)`);
      const loaded = (performance.now() - t) / 1000;
      t = performance.now();
      await client.query("VACUUM ANALYZE tx");
      const size = (await client.query("SELECT pg_total_relation_size('tx') AS b")).rows[0].b;
      console.error(`postgres: ${rows.toLocaleString("en-US")} rows of ${customers.toLocaleString("en-US")} customers loaded in ${loaded.toFixed(1)} s, VACUUM ANALYZE ${((performance.now() - t) / 1000).toFixed(1)} s, table ${(Number(size) / 2 ** 20).toFixed(0)} MB`);
    } finally {
      await client.end();
    }
    const entry = await benchEntry({ title: "tx", kind: "transactions", sql: { env: PG_ENV, table: "tx" }, columns: COLUMNS });
    const env = { [PG_ENV]: server.url };
    const jobs: Array<[string, string]> = [
      ["pushdown", "pushdown: openSource, features"],
      ["raw", "raw rows through pg-cursor + customerFeatures"]
    ];
    const best = new Map<string, Run>();
    for (let round = 0; round < rounds; round++) {
      // Alternate which goes first, so neither always reads a warmer cache.
      const order = round % 2 === 0 ? jobs : [...jobs].reverse();
      for (const [job, path] of order) {
        console.error(`postgres: ${path} (round ${round + 1}/${rounds})`);
        best.set(job, faster(best.get(job), await runChild(job, { entry }, env)));
      }
    }
    for (const [job, path] of jobs) out.push({ source: `PostgreSQL 15, ${rows.toLocaleString("en-US")}`, path, ...best.get(job)! });
    const a = best.get("pushdown")!.r;
    const b = best.get("raw")!.r;
    if (!a || !b) return;
    const same = a.customers === b.customers && a.check.frequency === b.check.frequency && a.check.recency === b.check.recency && a.check.tenure === b.check.tenure && Math.abs(a.check.monetary - b.check.monetary) <= 1e-6 * Math.abs(b.check.monetary);
    console.log(`\nPostgreSQL: pushdown and raw rows give ${same ? "the same" : "DIFFERENT"} features (${a.customers} / ${b.customers} customers; Σ monetary ${a.check.monetary.toFixed(2)} / ${b.check.monetary.toFixed(2)}).`);
    console.log(`PostgreSQL: raw / pushdown = ${(b.seconds / a.seconds).toFixed(2)} in time, ${(b.peakMB / a.peakMB).toFixed(2)} in client peak RSS, ${(b.rowsFetched / a.rowsFetched).toFixed(1)} in rows received${a.bytesRead && b.bytesRead ? `, ${(b.bytesRead / a.bytesRead).toFixed(1)} in bytes received` : ""}.`);
  } finally {
    server.stop();
  }
}

// ---------------------------------------------------------------- main

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function table(rows: Row[]): string {
  const n = (x: number) => x.toLocaleString("en-US");
  const s = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
  const header = ["source", "path", "DuckDB memory", "in process (s)", "process (s)", "peak RSS (MB)", "customers", "purchase days", "rows received", "bytes received"];
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];
  for (const { source, path, memory, r, error, processSeconds } of rows) {
    if (!r) {
      lines.push(`| ${[source, path, memory ?? "–", `failed: ${error}`, s(processSeconds), ...header.slice(5).map(() => "–")].join(" | ")} |`);
      continue;
    }
    lines.push(`| ${[source, path, memory ?? "–", r.job === "noop" ? "–" : s(r.seconds), s(processSeconds), r.peakMB.toFixed(0), r.customers ? n(r.customers) : "–", r.purchases ? n(r.purchases) : "–", r.rowsFetched ? n(r.rowsFetched) : "–", r.bytesRead ? `${(r.bytesRead / 2 ** 20).toFixed(1)} MB` : "–"].join(" | ")} |`);
  }
  return lines.join("\n");
}

if (process.argv[2] === "--child") {
  const result = await child(process.argv[3], JSON.parse(process.argv[4]));
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(0);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  process.on("exit", cleanUp);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      if (running?.pid !== undefined && running.exitCode === null) running.kill("SIGTERM");
      cleanUp();
      process.exit(130);
    });
  }
  const parquetRows = Number(option("--parquet-rows") ?? 20_000_000);
  const pgRows = Number(option("--pg-rows") ?? 10_000_000);
  const rounds = Number(option("--rounds") ?? 1);
  const only = option("--only");
  const memories = (option("--duck-memory") ?? "1GB,512MB").split(",");
  const rows: Row[] = [];
  const loadAtStart = loadavg()[0];
  if (only !== "postgres" && parquetRows > 0) await parquetBench(parquetRows, rounds, memories, rows);
  if (only !== "parquet" && pgRows > 0) {
    try {
      await postgresBench(pgRows, rounds, Number(option("--pg-port") ?? 55439), rows);
    } catch (error) {
      // No server here (not root, no Debian PostgreSQL): the Parquet rows still stand.
      const message = String(error instanceof Error ? error.message : error).split("\n")[0];
      console.error(`postgres: ${message}`);
      rows.push({ source: `PostgreSQL 15, ${pgRows.toLocaleString("en-US")}`, path: "server could not be started", error: message, processSeconds: 0 });
    }
  }
  console.log(`\n# Sources: features computed where the data lives (best of ${rounds})\n\n${table(rows)}`);
  // Two shared cores: other work on the machine shows in the times, so say how busy it was.
  console.log(`\nLoad average (1 min) at start ${loadAtStart.toFixed(2)}, at end ${loadavg()[0].toFixed(2)}.`);
  const features = rows.filter((r) => r.source.startsWith("Parquet") && r.path === "openSource, features");
  for (const f of features) {
    if (!f.r) {
      console.log(`\nParquet target (< 60 s, < 1.5 GB peak RSS) at DuckDB memory ${f.memory}: MISSED (failed: ${f.error}).`);
      continue;
    }
    const ok = f.r.seconds < 60 && f.r.peakMB < 1536;
    console.log(`\nParquet target (< 60 s, < 1.5 GB peak RSS) at DuckDB memory ${f.memory}: ${ok ? "met" : "MISSED"} (${f.r.seconds.toFixed(1)} s, ${f.r.peakMB.toFixed(0)} MB).`);
  }
  process.exit(0);
}
