/**
 * A customer table in a database or a Parquet file, read column by column with the types its
 * roles need: numbers as DOUBLE PRECISION, dates as day numbers, everything else as text. Only
 * the manifest's columns are selected; personal and ignored ones never leave the database.
 */
import * as aq from "arquero";
import { WorkbenchError } from "../errors.ts";
import { DAY_MS } from "../features/rfm.ts";
import { checkColumnValues, NOT_LOADED } from "../io/read.ts";
import type { DatasetTable } from "../io/types.ts";
import type { ColumnRole, ColumnType, DatasetEntry } from "../manifest/types.ts";
import { checkedColumn } from "./columnCheck.ts";
import { readAll, type ResultColumn, type SqlConnection, type ValueKind } from "./connection.ts";
import { idOrder } from "./pushdown.ts";
import { dayNumber, quoted } from "./sqlText.ts";

export async function readCustomerTable(connection: SqlConnection, entry: DatasetEntry, relation: string, { ordered }: { ordered: boolean }): Promise<DatasetTable> {
  const select = await customerSelect(connection, entry, relation, { ordered });
  const raw = await readAll(connection, select.sql, select.kinds);
  const rows = (raw.c0 as ResultColumn).length;
  const order = select.idIndex >= 0 && !ordered ? idOrder(raw[`c${select.idIndex}`] as Array<string | null>) : Int32Array.from({ length: rows }, (_, i) => i);
  return customerRows(entry, connection.label, select.selected, raw, order, 0);
}

export interface SelectedColumn {
  name: string;
  role: ColumnRole;
  kind: ColumnType;
}

/** The query that reads the entry's columns (as c0, c1, …), checked against what the relation holds. */
export async function customerSelect(connection: SqlConnection, entry: DatasetEntry, relation: string, { ordered }: { ordered: boolean }) {
  const types = await connection.describe(relation);
  const wanted = Object.entries(entry.columns).filter(([, role]) => !NOT_LOADED.has(role));
  const id = wanted.find(([, role]) => role === "id")?.[0];
  if (!ordered && id === undefined) {
    throw new WorkbenchError(`a customer table in a database needs an id column: ${connection.label} has no row order to keep`, {
      field: `datasets.${entry.name}.columns`,
      hint: 'Give the customer id column the role "id"'
    });
  }
  const selected = wanted.map(([name, role]): SelectedColumn & { expression: string } => {
    const kind = checkedColumn(connection.label, entry, types, name, role);
    const expression = kind === "number" ? `CAST(${quoted(name)} AS DOUBLE PRECISION)` : kind === "date" ? dayNumber(quoted(name), connection.dialect) : `CAST(${quoted(name)} AS VARCHAR)`;
    return { name, role, kind, expression };
  });
  return {
    sql: `SELECT ${selected.map((c, j) => `${c.expression} AS c${j}`).join(", ")} FROM ${relation}`,
    kinds: selected.map((c, j): [string, ValueKind] => [`c${j}`, c.kind === "string" ? "text" : "number"]),
    selected,
    idIndex: selected.findIndex((c) => c.name === id)
  };
}

/**
 * Rows of customerSelect's result as a table, in `order`; `offset` numbers them after the rows
 * of earlier chunks. Dates come back as day numbers; an empty text is a missing value, as in a file.
 */
export function customerRows(entry: DatasetEntry, label: string, selected: SelectedColumn[], raw: Record<string, ResultColumn>, order: Int32Array, offset: number): DatasetTable {
  const data: Record<string, Float64Array | Array<string | null>> = {};
  const columns: DatasetTable["columns"] = [];
  selected.forEach((c, j) => {
    const values = raw[`c${j}`];
    let missing = 0;
    if (values instanceof Float64Array) {
      const out = Float64Array.from(order, (i) => (c.kind === "date" ? values[i] * DAY_MS : values[i]));
      for (const v of out) if (Number.isNaN(v)) missing++;
      data[c.name] = out;
    } else {
      const out = Array.from(order, (i) => (values[i] === "" ? null : values[i]));
      for (const v of out) if (v === null) missing++;
      data[c.name] = out;
    }
    columns.push({ name: c.name, role: c.role, type: c.kind, missing });
  });
  const lines = Int32Array.from(order, (_, i) => offset + i + 1);
  checkColumnValues(entry, data, label, lines);
  return { entry, file: label, table: aq.table(data), columns, lines, rows: order.length, notes: [] };
}
