/**
 * Where a dataset's rows come from: a text file (loaders/io), a Parquet file (DuckDB) or a table
 * or query in a PostgreSQL-protocol database. Text files are read in memory; a Parquet file or
 * a database computes a transaction log's features itself (pushdown.ts) and sends one row per
 * customer. The drivers are imported only for the datasets that need them.
 */
import { readDataset } from "../io/read.ts";
import type { CustomerFeatures } from "../features/rfm.ts";
import type { DatasetTable } from "../io/types.ts";
import type { DatasetEntry } from "../manifest/types.ts";
import { connect, readThroughSql } from "./connect.ts";
import type { PushedDownLog } from "./pushdown.ts";

/** A dataset as its source delivers it: a table of rows, or a log already aggregated per customer. */
export type SourceData = DatasetTable | PushedDownLog;

export interface OpenOptions {
  /** --input: a file named on the command line instead of data/<entry.file>. */
  path?: string;
  /** A log's purchase days are needed (the value models). */
  purchases?: boolean;
  /** Further snapshot dates a log's features are needed at (drift), given its features at its own snapshot. */
  snapshots?: (own: CustomerFeatures) => string[];
  progress?: (message: string) => void;
}

export function isPushedDown(data: SourceData): data is PushedDownLog {
  return !("table" in data);
}

export async function openSource(entry: DatasetEntry, options: OpenOptions = {}): Promise<SourceData> {
  if (!readThroughSql(entry)) return readDataset(entry, options.path, { progress: options.progress });
  const { connection, relation, ordered } = await connect(entry, options.path);
  try {
    if (entry.kind === "customers") {
      const { readCustomerTable } = await import("./customerTable.ts");
      return await readCustomerTable(connection, entry, relation, { ordered });
    }
    const { pushDown } = await import("./pushdown.ts");
    return await pushDown(connection, entry, relation, { purchases: options.purchases ?? false, snapshots: options.snapshots, progress: options.progress });
  } finally {
    await connection.close();
  }
}
