/**
 * What the workbench needs of a database: run a query and get its rows column by column, typed.
 * DuckDB (Parquet files, duckdb.ts) and PostgreSQL-protocol servers (postgres.ts) implement it.
 */
import type { SqlDialect } from "./sqlText.ts";

/** How a column of a result is delivered: numbers (NaN for NULL) or texts (null for NULL). */
export type ValueKind = "number" | "text";

/** What a column of a table holds, as far as the workbench reads it. */
export type SqlTypeClass = "number" | "text" | "date" | "other";

export type ResultColumn = Float64Array | Array<string | null>;

export interface SqlConnection {
  /** The data, as messages name it (never a password). */
  readonly label: string;
  readonly dialect: SqlDialect;
  /**
   * Runs a query and hands its rows on in chunks of `chunkRows` (the last one smaller; one empty
   * chunk for no rows), column by column; `kinds` names its output columns in order and how each
   * is read. Resolves to the number of rows.
   */
  stream(sql: string, kinds: Array<[name: string, kind: ValueKind]>, chunkRows: number, onChunk: (chunk: Record<string, ResultColumn>, rows: number) => void | Promise<void>): Promise<number>;
  /** The columns of a FROM item and what each holds. */
  describe(relation: string): Promise<Map<string, SqlTypeClass>>;
  close(): Promise<void>;
}

/** A query's whole result (a small one: counts, bounds, one row per customer). */
export async function readAll(connection: SqlConnection, sql: string, kinds: Array<[name: string, kind: ValueKind]>): Promise<Record<string, ResultColumn>> {
  let all: Record<string, ResultColumn> = {};
  await connection.stream(sql, kinds, Infinity, (chunk) => {
    all = chunk;
  });
  return all;
}

/** Gathers a driver's batches of rows into the chunks `stream` hands on. */
export class ChunkSink {
  private collector: ColumnCollector;
  private emitted = false;
  rows = 0;
  constructor(
    private readonly kinds: Array<[string, ValueKind]>,
    private readonly chunkRows: number,
    private readonly onChunk: (chunk: Record<string, ResultColumn>, rows: number) => void | Promise<void>
  ) {
    this.collector = new ColumnCollector(kinds);
  }

  /** Adds `rows` rows, which `fill` writes into the collector from row `at`. */
  async add(rows: number, fill: (collector: ColumnCollector, at: number) => void): Promise<void> {
    fill(this.collector, this.collector.reserve(rows));
    this.rows += rows;
    if (this.collector.size >= this.chunkRows) await this.flush();
  }

  async finish(): Promise<number> {
    if (this.collector.size > 0 || !this.emitted) await this.flush();
    return this.rows;
  }

  private async flush(): Promise<void> {
    const size = this.collector.size;
    const chunk = this.collector.result();
    this.collector = new ColumnCollector(this.kinds);
    this.emitted = true;
    await this.onChunk(chunk, size);
  }
}

/** Collects result rows into growing typed columns. */
export class ColumnCollector {
  private length = 0;
  private capacity = 1024;
  private readonly numbers: Array<Float64Array | null>;
  private readonly texts: Array<Array<string | null> | null>;
  constructor(private readonly kinds: Array<[string, ValueKind]>) {
    this.numbers = kinds.map(([, kind]) => (kind === "number" ? new Float64Array(this.capacity) : null));
    this.texts = kinds.map(([, kind]) => (kind === "text" ? [] : null));
  }

  /** Room for `rows` more rows; returns the index the first of them goes to. */
  reserve(rows: number): number {
    const at = this.length;
    if (at + rows > this.capacity) {
      while (at + rows > this.capacity) this.capacity *= 2;
      for (let j = 0; j < this.numbers.length; j++) {
        const old = this.numbers[j];
        if (!old) continue;
        const grown = new Float64Array(this.capacity);
        grown.set(old.subarray(0, at));
        this.numbers[j] = grown;
      }
    }
    this.length += rows;
    return at;
  }

  setNumber(column: number, row: number, value: unknown): void {
    this.numbers[column]![row] = value === null || value === undefined ? NaN : Number(value);
  }

  setText(column: number, row: number, value: unknown): void {
    this.texts[column]![row] = value === null || value === undefined ? null : String(value);
  }

  get size(): number {
    return this.length;
  }

  isNumber(column: number): boolean {
    return this.numbers[column] !== null;
  }

  result(): Record<string, ResultColumn> {
    const out: Record<string, ResultColumn> = {};
    this.kinds.forEach(([name], j) => {
      out[name] = this.numbers[j] ? this.numbers[j]!.slice(0, this.length) : this.texts[j]!;
    });
    return out;
  }
}

/** A driver error's first line: what the database said, without its detail dump. */
export function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split("\n")[0];
}
