/**
 * A column of a database table or Parquet file, checked against its role before anything is read:
 * it must exist (names are case-sensitive there) and hold what the role needs — numbers for
 * numbers, a DATE or TIMESTAMP for dates; anything can be read as text.
 */
import { WorkbenchError } from "../errors.ts";
import { typeOfRole, type ColumnRole, type ColumnType, type DatasetEntry } from "../manifest/types.ts";
import type { SqlTypeClass } from "./connection.ts";

/** How the column is read (its role's type). */
export function checkedColumn(label: string, entry: DatasetEntry, types: Map<string, SqlTypeClass>, name: string, role: ColumnRole): ColumnType {
  const type = types.get(name);
  const field = `datasets.${entry.name}.columns.${name}`;
  if (type === undefined) {
    throw new WorkbenchError(`${label} has no column "${name}"`, {
      field,
      expected: `one of ${[...types.keys()].map((n) => `"${n}"`).join(", ")}`,
      hint: "Fix the column name in data/manifest.json (names are case-sensitive)"
    });
  }
  const kind = typeOfRole(role);
  if (kind !== "string" && type !== kind) {
    throw new WorkbenchError(`column "${name}" of ${label} holds ${type === "other" ? "values of another type" : `${type}s`}, but its role "${role}" needs ${kind === "date" ? "a DATE or TIMESTAMP column" : "numbers"}`, {
      field,
      hint: kind === "date" ? "Convert it in a query, e.g. \"query\": \"SELECT customer, TO_DATE(day_text, 'YYYYMMDD') AS day, ... FROM ...\"" : "Cast it in a query, or give the column another role"
    });
  }
  return kind;
}
