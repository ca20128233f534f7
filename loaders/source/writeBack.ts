/**
 * Scores written back to the database a dataset reads from, as
 * `<table>(customer_id, segment, segment_name, model_version, scored_at)`.
 *
 * How a run goes, so that a failure never leaves a half-written assignment in place:
 * 1. a staging table `<table>__staging` is created afresh (a leftover from a failed run is dropped);
 * 2. rows go into it in batches of WRITE_BATCH, one transaction per batch, as upserts
 *    (INSERT … ON CONFLICT (customer_id) DO UPDATE), so a batch sent twice changes nothing;
 * 3. one transaction drops the old table and gives the staging table its name (and its key's).
 * Readers see the previous assignment until step 3 commits, and the new one after; an error before
 * then leaves the previous table untouched. Re-running with the same model and data writes the
 * same rows (scored_at aside). Upserts and renames are PostgreSQL's, as Citus and YugabyteDB
 * speak them; Redshift has no ON CONFLICT, so writing back to it is refused (export a CSV instead).
 */
import type pg from "pg";
import { WorkbenchError } from "../errors.ts";
import type { DatasetEntry } from "../manifest/types.ts";
import { firstLine } from "./duckdb.ts";
import { connectionUrl } from "./postgres.ts";
import { identifier } from "./sqlText.ts";

/** Rows per transaction: small enough that a failed batch costs little, big enough to keep round trips few. */
export const WRITE_BATCH = 5_000;

export interface SegmentRows {
  ids: string[];
  segments: number[];
  names: string[];
  modelVersion: string;
  /** ISO timestamp of the scoring run. */
  scoredAt: string;
}

export interface WriteBackResult {
  table: string;
  rows: number;
  batches: number;
}

export async function writeSegments(entry: DatasetEntry, rows: SegmentRows, { batch = WRITE_BATCH }: { batch?: number } = {}): Promise<WriteBackResult> {
  const sql = entry.sql;
  if (!sql) {
    throw new WorkbenchError(`--write-back writes to the database a dataset reads from; dataset "${entry.name}" reads a file`, {
      hint: "Export the segments instead: npm run --silent export -- --dataset NAME --out segments.csv"
    });
  }
  if (sql.dialect === "redshift") {
    throw new WorkbenchError("--write-back needs INSERT … ON CONFLICT, which Redshift does not have", {
      hint: "Export the segments as CSV (npm run export) and load them with COPY from S3"
    });
  }
  const { url, where } = connectionUrl(sql.env, entry.name);
  const { default: pgModule } = await import("pg");
  const client = new pgModule.Client({ connectionString: url, application_name: "segmentation-workbench" });
  client.on("error", () => {});
  const target = sql.segmentsTable;
  const bare = target.split(".").pop()!;
  const staging = `${target}__staging`;
  const step = async (what: string, run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw new WorkbenchError(`writing the segments to ${target} at ${where} failed while ${what}: ${firstLine(error)}; the previous assignment is unchanged`, {
        hint: "Check that the user may create, rename and drop tables in that schema, then run the command again"
      });
    }
  };
  try {
    await step("connecting", () => client.connect());
    await step("creating the staging table", async () => {
      await client.query(`DROP TABLE IF EXISTS ${identifier(staging)}`);
      await client.query(
        `CREATE TABLE ${identifier(staging)} (customer_id VARCHAR NOT NULL, segment INTEGER NOT NULL, segment_name VARCHAR NOT NULL, model_version VARCHAR NOT NULL, scored_at TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT ${identifier(`${bare}__staging_pkey`)} PRIMARY KEY (customer_id))`
      );
    });
    let batches = 0;
    for (let start = 0; start < rows.ids.length; start += batch) {
      const end = Math.min(start + batch, rows.ids.length);
      await step(`writing rows ${start + 1}–${end}`, () => upsertBatch(client, staging, rows, start, end));
      batches++;
    }
    await step("swapping in the new table", async () => {
      await client.query("BEGIN");
      await client.query(`DROP TABLE IF EXISTS ${identifier(target)}`);
      await client.query(`ALTER TABLE ${identifier(staging)} RENAME TO ${identifier(bare)}`);
      await client.query(`ALTER TABLE ${identifier(target)} RENAME CONSTRAINT ${identifier(`${bare}__staging_pkey`)} TO ${identifier(`${bare}_pkey`)}`);
      await client.query("COMMIT");
    });
    return { table: target, rows: rows.ids.length, batches };
  } finally {
    await client.end().catch(() => {});
  }
}

async function upsertBatch(client: pg.Client, table: string, rows: SegmentRows, start: number, end: number): Promise<void> {
  await client.query("BEGIN");
  await client.query(
    `INSERT INTO ${identifier(table)} (customer_id, segment, segment_name, model_version, scored_at)
     SELECT u.customer_id, u.segment, u.segment_name, $4, CAST($5 AS TIMESTAMP WITH TIME ZONE)
     FROM unnest(CAST($1 AS VARCHAR[]), CAST($2 AS INTEGER[]), CAST($3 AS VARCHAR[])) AS u(customer_id, segment, segment_name)
     ON CONFLICT (customer_id) DO UPDATE SET segment = EXCLUDED.segment, segment_name = EXCLUDED.segment_name,
       model_version = EXCLUDED.model_version, scored_at = EXCLUDED.scored_at`,
    [rows.ids.slice(start, end), rows.segments.slice(start, end), rows.names.slice(start, end), rows.modelVersion, rows.scoredAt]
  );
  await client.query("COMMIT");
}
