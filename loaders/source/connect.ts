/**
 * A connection to where a dataset's rows are, when they are not in a text file: DuckDB over a
 * Parquet file, or a PostgreSQL-protocol server. Kept apart from the readers so that what only
 * fingerprints a database (the loaders' freshness stamps) does not depend on them.
 */
import { statSync } from "node:fs";
import { join, relative } from "node:path";
import type { DatasetEntry } from "../manifest/types.ts";
import { dataFilePath, projectRoot } from "../paths.ts";
import type { SqlConnection } from "./connection.ts";
import { identifier, literal, subquery } from "./sqlText.ts";

/** A Parquet file (DuckDB) or a database: read through SQL, not by the text reader. */
export function readThroughSql(entry: DatasetEntry): boolean {
  return entry.format === "sql" || entry.format === "parquet";
}

/** A connection to where the entry's data is, the FROM item naming it, and whether its rows have an order. */
export async function connect(entry: DatasetEntry, path?: string): Promise<{ connection: SqlConnection; relation: string; ordered: boolean }> {
  if (entry.format === "parquet") {
    const file = path ?? dataFilePath(entry.file, entry.name);
    // A folder is a Parquet dataset in part files, as Spark writes one.
    const parts = isFolder(file) ? join(file, "**", "*.parquet") : file;
    const { openDuckDb } = await import("./duckdb.ts");
    return { connection: await openDuckDb(relative(projectRoot(), file) || file), relation: `read_parquet(${literal(parts)})`, ordered: true };
  }
  const sql = entry.sql!;
  const label = sql.table ? `table ${sql.table}` : `the query of dataset "${entry.name}"`;
  const { openPostgres } = await import("./postgres.ts");
  const connection = await openPostgres(sql.env, entry.name, label, sql.dialect);
  return { connection, relation: sql.table ? identifier(sql.table) : subquery(sql.query!, "source_rows"), ordered: false };
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
