/**
 * DuckDB in the process, for Parquet files: it aggregates out of core under a memory limit,
 * spilling to a temporary folder, and its Parquet reader is built in, so nothing is downloaded
 * (extension auto-install and auto-load are off: a query that would need one fails instead).
 * The package (a native library) is loaded on first use: loaded with the CLI, it cost every
 * command about 0.15 s at start.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDBTypeId as TypeIds } from "@duckdb/node-api";
import { WorkbenchError } from "../errors.ts";
import { ChunkSink, firstLine, type SqlConnection, type SqlTypeClass } from "./connection.ts";

/** DuckDB's memory limit unless WORKBENCH_DUCKDB_MEMORY says otherwise (e.g. "512MB"). */
export const DUCKDB_MEMORY = "1GB";

/** The class of a DuckDB column type id, given the package's type ids. */
function typeClasses(T: typeof TypeIds): (id: number) => SqlTypeClass {
  const numbers = new Set<number>([
    T.TINYINT, T.SMALLINT, T.INTEGER, T.BIGINT, T.HUGEINT, T.UTINYINT, T.USMALLINT, T.UINTEGER, T.UBIGINT, T.UHUGEINT, T.FLOAT, T.DOUBLE, T.DECIMAL
  ]);
  const dates = new Set<number>([T.DATE, T.TIMESTAMP, T.TIMESTAMP_S, T.TIMESTAMP_MS, T.TIMESTAMP_NS, T.TIMESTAMP_TZ]);
  return (id) => (numbers.has(id) ? "number" : dates.has(id) ? "date" : id === T.VARCHAR ? "text" : "other");
}

/** DuckDB's memory limit: WORKBENCH_DUCKDB_MEMORY if set (checked, so a typo is named here and not by DuckDB), else DUCKDB_MEMORY. */
export function duckDbMemory(): string {
  const given = process.env.WORKBENCH_DUCKDB_MEMORY;
  if (!given) return DUCKDB_MEMORY;
  if (!/^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$/i.test(given)) {
    throw new WorkbenchError("WORKBENCH_DUCKDB_MEMORY is not a memory size", {
      found: given,
      expected: "a number and a unit, such as 512MB or 2GB",
      hint: "Fix or unset the environment variable (DuckDB's default here is 1GB)"
    });
  }
  return given.trim();
}

export async function openDuckDb(label: string): Promise<SqlConnection> {
  const memory = duckDbMemory();
  const { DuckDBInstance, DuckDBTypeId } = await import("@duckdb/node-api");
  const typeClass = typeClasses(DuckDBTypeId);
  const spill = mkdtempSync(join(tmpdir(), "workbench-duckdb-"));
  const instance = await DuckDBInstance.create(":memory:", {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
    memory_limit: memory,
    temp_directory: spill
  });
  const connection = await instance.connect();
  // Timestamps with a time zone count by their UTC date, as dates in files do.
  await connection.run("SET TimeZone = 'UTC'");
  const run = async <T>(what: () => Promise<T>): Promise<T> => {
    try {
      return await what();
    } catch (error) {
      const outOfMemory = /Out of Memory/i.test(firstLine(error));
      throw new WorkbenchError(`DuckDB could not read ${label}: ${firstLine(error)}`, {
        hint: outOfMemory
          ? `Give DuckDB more memory than its ${memory}: WORKBENCH_DUCKDB_MEMORY=2GB npm run build (it spills to a temporary folder beyond it, but some steps need that much at once)`
          : "Check the file and the column names in data/manifest.json"
      });
    }
  };
  return {
    label,
    dialect: "duckdb",
    async stream(sql, kinds, chunkRows, onChunk) {
      return run(async () => {
        const result = await connection.stream(sql);
        const sink = new ChunkSink(kinds, chunkRows, onChunk);
        for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
          const rows = chunk.rowCount;
          const vectors = kinds.map((_, j) => chunk!.getColumnVector(j));
          await sink.add(rows, (out, at) => {
            vectors.forEach((vector, j) => {
              if (out.isNumber(j)) for (let i = 0; i < rows; i++) out.setNumber(j, at + i, vector.getItem(i));
              else for (let i = 0; i < rows; i++) out.setText(j, at + i, vector.getItem(i));
            });
          });
        }
        return sink.finish();
      });
    },
    async describe(relation: string) {
      return run(async () => {
        const result = await connection.run(`SELECT * FROM ${relation} WHERE 1 = 0`);
        const names = result.columnNames();
        const types = result.columnTypes();
        return new Map<string, SqlTypeClass>(names.map((name, j) => [name, typeClass(types[j].typeId)]));
      });
    },
    async close() {
      connection.closeSync();
      instance.closeSync();
      rmSync(spill, { recursive: true, force: true });
    }
  };
}
