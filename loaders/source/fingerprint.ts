/**
 * What a dataset's data is, as a hash, for the rebuild machinery (freshness/) and the report's
 * fingerprint. A file: its bytes. A database: the SQL that reads it, the row count and the newest
 * date (or timestamp) of its date column — a database has no file to hash, and reading every row
 * to find out whether anything changed would cost what the report costs. An update in place that
 * keeps both (a corrected amount) is not seen: `npm run build -- --force` rebuilds regardless.
 */
import { createHash } from "node:crypto";
import type { DatasetEntry, Manifest } from "../manifest/types.ts";
import { connect } from "./connect.ts";
import { readAll } from "./connection.ts";
import { changeSql } from "./transactionSql.ts";

export async function databaseFingerprint(entry: DatasetEntry): Promise<string> {
  const { connection, relation } = await connect(entry);
  try {
    const date = Object.entries(entry.columns).find(([, role]) => role === "date")?.[0];
    const r = await readAll(connection, changeSql(relation, date), [
      ["rows", "number"],
      ["newest", "text"]
    ]);
    return createHash("sha256")
      .update(JSON.stringify({ relation, rows: (r.rows as Float64Array)[0], newest: (r.newest as Array<string | null>)[0] }))
      .digest("hex");
  } finally {
    await connection.close();
  }
}

/** The fingerprints of the manifest's database datasets (only `dataset`'s when given), by name. */
export async function databaseFingerprints(manifest: Manifest, dataset?: string): Promise<Map<string, string>> {
  const prints = new Map<string, string>();
  for (const entry of manifest.datasets) {
    if (entry.format === "sql" && (dataset === undefined || entry.name === dataset)) prints.set(entry.name, await databaseFingerprint(entry));
  }
  return prints;
}
