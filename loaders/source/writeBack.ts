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

/** Writes all `rows` (see SegmentWriter for how). */
export async function writeSegments(entry: DatasetEntry, rows: SegmentRows, { batch = WRITE_BATCH }: { batch?: number } = {}): Promise<WriteBackResult> {
  const writer = await SegmentWriter.open(entry, batch);
  try {
    await writer.add(rows);
    return await writer.commit();
  } finally {
    await writer.close();
  }
}

/** A write-back in progress: open (staging table created), add rows any number of times, commit (swap). */
export class SegmentWriter {
  private rows = 0;
  private batches = 0;
  private constructor(
    private readonly client: pg.Client,
    private readonly target: string,
    private readonly where: string,
    private readonly batch: number
  ) {}

  static async open(entry: DatasetEntry, batch = WRITE_BATCH): Promise<SegmentWriter> {
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
    const writer = new SegmentWriter(client, sql.segmentsTable, where, batch);
    await writer.step("connecting", () => client.connect());
    await writer.step("creating the staging table", async () => {
      await client.query(`DROP TABLE IF EXISTS ${identifier(writer.staging)}`);
      await client.query(
        `CREATE TABLE ${identifier(writer.staging)} (customer_id VARCHAR NOT NULL, segment INTEGER NOT NULL, segment_name VARCHAR NOT NULL, model_version VARCHAR NOT NULL, scored_at TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT ${identifier(`${writer.bare}__staging_pkey`)} PRIMARY KEY (customer_id))`
      );
    });
    return writer;
  }

  private get bare(): string {
    return this.target.split(".").pop()!;
  }

  private get staging(): string {
    return `${this.target}__staging`;
  }

  /** Upserts rows into the staging table, a transaction per batch. */
  async add(rows: SegmentRows): Promise<void> {
    for (let start = 0; start < rows.ids.length; start += this.batch) {
      const end = Math.min(start + this.batch, rows.ids.length);
      await this.step(`writing rows ${this.rows + 1}–${this.rows + end - start}`, () => upsertBatch(this.client, this.staging, rows, start, end));
      this.rows += end - start;
      this.batches++;
    }
  }

  /** Swaps the staging table in, in one transaction. */
  async commit(): Promise<WriteBackResult> {
    const { client, target, bare } = this;
    await this.step("swapping in the new table", async () => {
      await client.query("BEGIN");
      await client.query(`DROP TABLE IF EXISTS ${identifier(target)}`);
      await client.query(`ALTER TABLE ${identifier(this.staging)} RENAME TO ${identifier(bare)}`);
      await client.query(`ALTER TABLE ${identifier(target)} RENAME CONSTRAINT ${identifier(`${bare}__staging_pkey`)} TO ${identifier(`${bare}_pkey`)}`);
      await client.query("COMMIT");
    });
    return { table: target, rows: this.rows, batches: this.batches };
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {});
  }

  private async step(what: string, run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (error) {
      await this.client.query("ROLLBACK").catch(() => {});
      await this.close();
      throw new WorkbenchError(`writing the segments to ${this.target} at ${this.where} failed while ${what}: ${firstLine(error)}; the previous assignment is unchanged`, {
        hint: "Check that the user may create, rename and drop tables in that schema, then run the command again"
      });
    }
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
