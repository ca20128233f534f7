/**
 * DuckDB in the process, for Parquet files: it aggregates out of core under a memory limit,
 * spilling to a temporary folder, and its Parquet reader is built in, so nothing is downloaded
 * (extension auto-install and auto-load are off: a query that would need one fails instead).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance, DuckDBTypeId } from "@duckdb/node-api";
import { WorkbenchError } from "../errors.ts";
import { ChunkSink, firstLine, type SqlConnection, type SqlTypeClass } from "./connection.ts";

/** DuckDB's memory limit unless WORKBENCH_DUCKDB_MEMORY says otherwise (e.g. "512MB"). */
export const DUCKDB_MEMORY = "1GB";

const NUMBER_TYPES = new Set<number>([
  DuckDBTypeId.TINYINT, DuckDBTypeId.SMALLINT, DuckDBTypeId.INTEGER, DuckDBTypeId.BIGINT, DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UTINYINT, DuckDBTypeId.USMALLINT, DuckDBTypeId.UINTEGER, DuckDBTypeId.UBIGINT, DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.FLOAT, DuckDBTypeId.DOUBLE, DuckDBTypeId.DECIMAL
]);
const DATE_TYPES = new Set<number>([
  DuckDBTypeId.DATE, DuckDBTypeId.TIMESTAMP, DuckDBTypeId.TIMESTAMP_S, DuckDBTypeId.TIMESTAMP_MS, DuckDBTypeId.TIMESTAMP_NS, DuckDBTypeId.TIMESTAMP_TZ
]);

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

function typeClass(id: number): SqlTypeClass {
  if (NUMBER_TYPES.has(id)) return "number";
  if (DATE_TYPES.has(id)) return "date";
  return id === DuckDBTypeId.VARCHAR ? "text" : "other";
}
