/**
 * Scores written back to the database a dataset reads from, as
 * `<table>(customer_id, segment, segment_name, model_version, scored_at)`.
 *
 * How a run goes, so that a failure never leaves a half-written assignment in place:
 * 1. the table is created if it does not exist (and refused if it exists with other columns), and
 *    a staging table `<table>__staging` is created afresh (a failed run's leftover is dropped);
 * 2. rows go into the staging table in batches of WRITE_BATCH, one transaction per batch, as
 *    upserts (INSERT … ON CONFLICT (customer_id) DO UPDATE), so a batch sent twice changes nothing;
 * 3. one transaction replaces the table's rows by the staging table's (DELETE, INSERT … SELECT):
 *    the table itself stays, with its grants, the views on it and a distributed table's
 *    distribution; then the staging table is dropped.
 * Readers see the previous assignment until step 3 commits, and the new one after; an error before
 * then leaves the previous rows untouched. Re-running with the same model and data writes the
 * same rows (scored_at aside). Upserts are PostgreSQL's, as Citus and YugabyteDB speak them;
 * Redshift has no ON CONFLICT, so writing back to it is refused (export a CSV instead).
 */
import type pg from "pg";
import { WorkbenchError } from "../errors.ts";
import type { DatasetEntry } from "../manifest/types.ts";
import { firstLine } from "./connection.ts";
import { connectionUrl } from "./postgres.ts";
import { identifier } from "./sqlText.ts";

/** The segments table's columns, as created and as checked in a table that exists. */
const SEGMENT_COLUMNS = ["customer_id", "segment", "segment_name", "model_version", "scored_at"];
const COLUMNS = "customer_id VARCHAR NOT NULL, segment INTEGER NOT NULL, segment_name VARCHAR NOT NULL, model_version VARCHAR NOT NULL, scored_at TIMESTAMP WITH TIME ZONE NOT NULL";

/**
 * What can be written back, checked before anything is computed: a PostgreSQL-family database
 * (Redshift has no INSERT … ON CONFLICT), and a table that is not the one the data is read from.
 */
export function checkWritable(entry: DatasetEntry): void {
  const sql = entry.sql!;
  if (sql.dialect === "redshift") {
    throw new WorkbenchError("--write-back needs INSERT … ON CONFLICT, which Redshift does not have", {
      hint: "Export the segments as CSV (npm run --silent export -- --dataset NAME --out segments.csv) and load them with COPY from S3"
    });
  }
  if (sql.table !== undefined && sql.table.toLowerCase() === sql.segmentsTable.toLowerCase()) {
    throw new WorkbenchError(`"sql.segmentsTable" of dataset "${entry.name}" is the table its data is read from (${sql.table})`, {
      hint: 'Name another table, e.g. "segmentsTable": "customer_segments"'
    });
  }
}

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
    checkWritable(entry);
    const { url, where } = connectionUrl(sql.env, entry.name);
    const { default: pgModule } = await import("pg");
    const client = new pgModule.Client({ connectionString: url, application_name: "segmentation-workbench" });
    client.on("error", () => {});
    const writer = new SegmentWriter(client, sql.segmentsTable, where, batch);
    await writer.step("connecting", () => client.connect());
    await writer.step("creating the tables", async () => {
      await client.query(`CREATE TABLE IF NOT EXISTS ${identifier(writer.target)} (${COLUMNS}, PRIMARY KEY (customer_id))`);
      // A table of that name that is not a segments table (the log itself, a typo) is never emptied.
      const { fields } = await client.query({ text: `SELECT * FROM ${identifier(writer.target)} WHERE 1 = 0` });
      const names = fields.map((f) => f.name).sort().join(", ");
      if (names !== SEGMENT_COLUMNS.slice().sort().join(", ")) {
        throw new WorkbenchError(`${writer.target} is not a segments table: its columns are ${names}`, {
          hint: `Name another table in "sql.segmentsTable" of dataset "${entry.name}" (default customer_segments); the workbench writes only a table with the columns ${SEGMENT_COLUMNS.join(", ")}`
        });
      }
      await client.query(`DROP TABLE IF EXISTS ${identifier(writer.staging)}`);
      await client.query(`CREATE TABLE ${identifier(writer.staging)} (${COLUMNS}, PRIMARY KEY (customer_id))`);
    });
    return writer;
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

  /**
   * Replaces the table's rows by the staging table's in one transaction, keeping the table itself
   * (its grants, the views on it, a distributed table's distribution), then drops the staging table.
   */
  async commit(): Promise<WriteBackResult> {
    const { client, target, staging } = this;
    await this.step("replacing the previous assignment", async () => {
      await client.query("BEGIN");
      await client.query(`DELETE FROM ${identifier(target)}`);
      await client.query(`INSERT INTO ${identifier(target)} (${SEGMENT_COLUMNS.join(", ")}) SELECT ${SEGMENT_COLUMNS.join(", ")} FROM ${identifier(staging)}`);
      await client.query("COMMIT");
      await client.query(`DROP TABLE ${identifier(staging)}`);
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
      if (error instanceof WorkbenchError) throw error;
      throw new WorkbenchError(`writing the segments to ${this.target} at ${this.where} failed while ${what}: ${firstLine(error)}; the previous assignment is unchanged`, {
        hint: "Check that the user may create and drop a table in that schema and write the segments table, then run the command again"
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
