/**
 * A PostgreSQL-protocol server (PostgreSQL, Citus, YugabyteDB, Redshift, PGlite's socket) through
 * `pg`. Results are read with a cursor, a batch at a time, so a long result never sits in the
 * driver whole. The connection string comes from an environment variable the manifest names;
 * messages show its host and database, never its password. The driver is loaded on first use,
 * not with every command.
 */
import type pg from "pg";
import { WorkbenchError } from "../errors.ts";
import { ChunkSink, firstLine, type SqlConnection, type SqlTypeClass } from "./connection.ts";
import type { SqlDialect } from "./sqlText.ts";

/** How long connecting may take. */
export const CONNECT_TIMEOUT_MS = 15_000;

/** Rows fetched per round trip. */
export const CURSOR_BATCH = 10_000;

const NUMBER_OIDS = new Set([20, 21, 23, 700, 701, 1700]);
const DATE_OIDS = new Set([1082, 1114, 1184]);
const TEXT_OIDS = new Set([25, 1042, 1043, 19]);
/** bigint and numeric as JavaScript numbers (pg's default is a text, to keep every digit). */
const INT8 = 20;
const NUMERIC = 1700;

/** The URL in the environment variable `env`, checked; its host and database for messages. */
export function connectionUrl(env: string, dataset: string): { url: string; where: string } {
  const url = process.env[env];
  if (!url) {
    throw new WorkbenchError(`dataset "${dataset}" reads from a database whose connection string is in $${env}, which is not set`, {
      hint: `Set it, e.g. export ${env}=postgresql://user@host:5432/database (the password in ~/.pgpass or PGPASSWORD, not in the manifest)`
    });
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WorkbenchError(`$${env} is not a connection URL`, { expected: "postgresql://user@host:port/database", hint: `Fix $${env}` });
  }
  if (parsed.protocol !== "postgresql:" && parsed.protocol !== "postgres:") {
    throw new WorkbenchError(`$${env} is not a PostgreSQL connection URL`, { found: parsed.protocol, expected: "postgresql://user@host:port/database", hint: `Fix $${env}` });
  }
  return { url, where: `${parsed.hostname || "local socket"}${parsed.port ? `:${parsed.port}` : ""}${parsed.pathname || ""}` };
}

export async function openPostgres(env: string, dataset: string, label: string, dialect: SqlDialect): Promise<SqlConnection> {
  const { url, where } = connectionUrl(env, dataset);
  const { default: pgModule } = await import("pg");
  const { default: Cursor } = await import("pg-cursor");
  const client = new pgModule.Client({
    connectionString: url,
    application_name: "segmentation-workbench",
    // A firewalled host would otherwise hang until the system gives up.
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    types: { getTypeParser: (oid: number, format?: string) => (oid === INT8 || oid === NUMERIC ? Number : pgModule.types.getTypeParser(oid, format as "text")) }
  } as pg.ClientConfig);
  // A dropped connection is reported by the query it breaks; without a listener it would crash.
  client.on("error", () => {});
  try {
    await client.connect();
    // Timestamps count by their UTC date, as dates in files do.
    await client.query("SET timezone TO 'UTC'");
    // Every query of a run sees the same rows (a purchase committed between two of them would
    // otherwise be counted by one and not the other), and none can write.
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").catch(() => client.query("BEGIN READ ONLY").catch(() => client.query("BEGIN")));
  } catch (error) {
    await client.end().catch(() => {});
    const code = (error as { code?: string }).code;
    const hint =
      code === "28P01" || code === "28000" || /password/i.test(firstLine(error))
        ? `Check the user and password: in $${env}, in ~/.pgpass or in PGPASSWORD`
        : code === "3D000"
          ? `Check the database name at the end of $${env}`
          : `Check that the server runs and that $${env} names it (host and port)`;
    throw new WorkbenchError(`cannot connect to the database of dataset "${dataset}" at ${where} ($${env}): ${firstLine(error)}`, { hint });
  }
  const run = async <T>(what: () => Promise<T>): Promise<T> => {
    try {
      return await what();
    } catch (error) {
      if (error instanceof WorkbenchError) throw error;
      throw new WorkbenchError(`the database at ${where} could not read ${label}: ${firstLine(error)}`, {
        hint: "Check the table or query and the column names of the dataset in data/manifest.json"
      });
    }
  };
  return {
    label,
    dialect,
    async stream(sql, kinds, chunkRows, onChunk) {
      return run(async () => {
        const cursor = client.query(new Cursor(sql, [], { rowMode: "array" }));
        const sink = new ChunkSink(kinds, chunkRows, onChunk);
        try {
          for (let rows = await cursor.read(CURSOR_BATCH); rows.length > 0; rows = await cursor.read(CURSOR_BATCH)) {
            await sink.add(rows.length, (out, at) => {
              for (let j = 0; j < kinds.length; j++) {
                if (out.isNumber(j)) for (let i = 0; i < rows.length; i++) out.setNumber(j, at + i, rows[i][j]);
                else for (let i = 0; i < rows.length; i++) out.setText(j, at + i, rows[i][j]);
              }
            });
          }
        } finally {
          await cursor.close();
        }
        return sink.finish();
      });
    },
    async describe(relation: string) {
      return run(async () => {
        // The extended protocol runs one statement: a query in the manifest cannot smuggle a second.
        const result = await client.query({ text: `SELECT * FROM ${relation} WHERE 1 = 0`, values: [] });
        return new Map<string, SqlTypeClass>(result.fields.map((f) => [f.name, typeClass(f.dataTypeID)]));
      });
    },
    async close() {
      await client.query("ROLLBACK").catch(() => {});
      await client.end().catch(() => {});
    }
  };
}

function typeClass(oid: number): SqlTypeClass {
  if (NUMBER_OIDS.has(oid)) return "number";
  if (DATE_OIDS.has(oid)) return "date";
  return TEXT_OIDS.has(oid) ? "text" : "other";
}
