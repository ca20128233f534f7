/**
 * The same rows as a text file, a Parquet file and a PostgreSQL table, for the tests that hold
 * the three sources to the same features and reports. Parquet files are written by DuckDB from
 * a temporary CSV with declared column types; PostgreSQL is PGlite (PostgreSQL compiled to
 * WebAssembly, in the test process) behind pglite-socket, which speaks the wire protocol to `pg`
 * as a server would — or a real server when WORKBENCH_TEST_POSTGRES_URL names one (.ci/run).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";

export type SqlType = "VARCHAR" | "DATE" | "DOUBLE PRECISION" | "INTEGER";

export interface TwinColumn {
  name: string;
  type: SqlType;
  /** Dates as YYYY-MM-DD; null for a missing value. */
  values: Array<string | number | null>;
}

function csvField(v: string | number | null): string {
  if (v === null) return "";
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Writes `columns` as a Parquet file at `path`, with their declared types. */
export async function writeParquet(path: string, columns: TwinColumn[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "twin-"));
  try {
    const csv = join(dir, "rows.csv");
    const n = columns[0].values.length;
    const lines = [columns.map((c) => c.name).join(",")];
    for (let i = 0; i < n; i++) lines.push(columns.map((c) => csvField(c.values[i])).join(","));
    writeFileSync(csv, lines.join("\n") + "\n");
    const instance = await DuckDBInstance.create(":memory:", { autoinstall_known_extensions: "false", autoload_known_extensions: "false" });
    const connection = await instance.connect();
    const types = columns.map((c) => `'${c.name}': '${c.type === "DOUBLE PRECISION" ? "DOUBLE" : c.type}'`).join(", ");
    await connection.run(`COPY (SELECT * FROM read_csv('${csv}', header = true, columns = {${types}}, nullstr = '', quote = '"')) TO '${path}' (FORMAT parquet)`);
    connection.closeSync();
    instance.closeSync();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A PostgreSQL server for a test: PGlite on a local port, or WORKBENCH_TEST_POSTGRES_URL. */
export async function startPostgres(): Promise<{ url: string; stop: () => Promise<void> }> {
  const external = process.env.WORKBENCH_TEST_POSTGRES_URL;
  if (external) return { url: external, stop: async () => {} };
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0 });
  await server.start();
  const port = (server as unknown as { server: { address(): { port: number } } }).server.address().port;
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      await db.close();
    }
  };
}

/**
 * The test file's server (startPostgres), its URL in process.env[env] for the manifests that name
 * it, and a scratch folder; both gone after the file's tests. Returns the server's URL, once started.
 */
export function postgresForTests(env: string, dir: string): () => string {
  let server: Awaited<ReturnType<typeof startPostgres>> | undefined;
  beforeAll(async () => {
    server = await startPostgres();
    process.env[env] = server.url;
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    delete process.env[env];
    rmSync(dir, { recursive: true, force: true });
  });
  return () => server!.url;
}

/** Creates (or replaces) `table` with `columns`, inserting rows in batches. */
export async function loadPostgres(url: string, table: string, columns: TwinColumn[], batch = 20_000): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS "${table}"`);
    await client.query(`CREATE TABLE "${table}" (${columns.map((c) => `"${c.name}" ${c.type}`).join(", ")})`);
    const n = columns[0].values.length;
    const arrays = columns.map((c, j) => `CAST($${j + 1} AS ${c.type}[])`).join(", ");
    for (let start = 0; start < n; start += batch) {
      await client.query(
        `INSERT INTO "${table}" SELECT * FROM unnest(${arrays})`,
        columns.map((c) => c.values.slice(start, start + batch))
      );
    }
  } finally {
    await client.end();
  }
}

export function isoDay(ms: number): string | null {
  return Number.isNaN(ms) ? null : new Date(ms).toISOString().slice(0, 10);
}
