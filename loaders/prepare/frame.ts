/**
 * The working state of preparation: the kept rows' columns as typed arrays, read from the
 * arquero table once. Shared by fitting (prepare.ts) and applying a fitted preparation (fitted.ts).
 */
import type { ColumnTable } from "arquero";
import type { DatasetTable } from "../io/types.ts";

const DAY_MS = 86_400_000;

export type Feature =
  | {
      kind: "number";
      name: string;
      source: string;
      values: Float64Array;
      /** The values as read (profiles show them): the same array as `values` until a step replaces those. */
      raw: Float64Array;
      /** Date features: the day (epoch ms) the days are counted back from. */
      origin?: number;
    }
  | { kind: "category"; name: string; source: string; values: Array<string | null> };

/** The working state between steps: columns of the kept rows. */
export interface Frame {
  n: number;
  rows: Int32Array;
  features: Feature[];
  id: Array<string | null> | null;
  label: Array<string | null> | null;
  outcome: Array<string | null> | null;
  profile: Array<{ name: string; values: Float64Array }>;
}


/**
 * The columns of `rows` by role. A date column becomes "days since <column>", counted back from
 * `origins[column]` when given (applying a fitted preparation), else from its latest date.
 */
export function toFrame(table: ColumnTable, rows: Int32Array, columns: DatasetTable["columns"], notes: string[], origins: Record<string, number> = {}): Frame {
  const features: Feature[] = [];
  const profile: Frame["profile"] = [];
  let id: Frame["id"] = null;
  let label: Frame["label"] = null;
  let outcome: Frame["outcome"] = null;
  for (const c of columns) {
    switch (c.role) {
      case "numeric": {
        const values = numberColumn(table, c.name, rows);
        // raw is the same array: later steps replace a feature's values, never write into them.
        features.push({ kind: "number", name: c.name, source: c.name, values, raw: values });
        break;
      }
      case "date": {
        const dates = numberColumn(table, c.name, rows);
        let latest = -Infinity;
        for (const v of dates) if (v > latest) latest = v;
        if (origins[c.name] !== undefined) latest = origins[c.name];
        const name = `days since ${c.name}`;
        const values = dates.map((v) => (latest - v) / DAY_MS);
        features.push({ kind: "number", name, source: c.name, values, raw: values, origin: latest });
        notes.push(
          Number.isFinite(latest)
            ? `date column "${c.name}" used as the numeric feature "${name}", counted from its latest date ${new Date(latest).toISOString().slice(0, 10)}`
            : `date column "${c.name}" has no dates`
        );
        break;
      }
      case "categorical":
        features.push({ kind: "category", name: c.name, source: c.name, values: stringColumn(table, c.name, rows) });
        break;
      case "id":
        id = stringColumn(table, c.name, rows);
        break;
      case "label":
        label = stringColumn(table, c.name, rows);
        break;
      case "outcome":
        outcome = stringColumn(table, c.name, rows);
        break;
      case "profile":
        profile.push({ name: c.name, values: numberColumn(table, c.name, rows) });
        break;
      default:
        break; // personal, ignore (and transaction roles, which a customer table does not use)
    }
  }
  return { n: rows.length, rows, features, id, label, outcome, profile };
}

/** The rows of `frame` where keep[i] is 1, as a new frame. */
export function filterFrame(frame: Frame, keep: Uint8Array): Frame {
  let m = 0;
  for (let i = 0; i < keep.length; i++) m += keep[i];
  const idx = new Int32Array(m);
  for (let i = 0, k = 0; i < keep.length; i++) if (keep[i]) idx[k++] = i;
  // Plain loops: Float64Array.from(array, fn) is ~50× slower on 1M rows.
  const pickN = (a: Float64Array) => {
    const out = new Float64Array(m);
    for (let k = 0; k < m; k++) out[k] = a[idx[k]];
    return out;
  };
  const pickS = <T>(a: T[]) => {
    const out = new Array<T>(m);
    for (let k = 0; k < m; k++) out[k] = a[idx[k]];
    return out;
  };
  const rows = new Int32Array(m);
  for (let k = 0; k < m; k++) rows[k] = frame.rows[idx[k]];
  return {
    n: m,
    rows,
    features: frame.features.map((f) =>
      f.kind === "number" ? { ...f, values: pickN(f.values), raw: pickN(f.raw) } : { ...f, values: pickS(f.values) }
    ),
    id: frame.id && pickS(frame.id),
    label: frame.label && pickS(frame.label),
    outcome: frame.outcome && pickS(frame.outcome),
    profile: frame.profile.map((p) => ({ name: p.name, values: pickN(p.values) }))
  };
}

/** Values of `rows` as numbers, NaN where missing (null/undefined); always a fresh array. */
function numberColumn(table: ColumnTable, name: string, rows: Int32Array): Float64Array {
  const col = table.column(name)!;
  const out = new Float64Array(rows.length);
  if (col instanceof Float64Array) {
    for (let i = 0; i < rows.length; i++) out[i] = col[rows[i]];
    return out;
  }
  for (let i = 0; i < rows.length; i++) {
    const v = col.at(rows[i]);
    out[i] = v === null || v === undefined ? NaN : Number(v);
  }
  return out;
}

function stringColumn(table: ColumnTable, name: string, rows: Int32Array): Array<string | null> {
  const col = table.column(name)!;
  const out = new Array<string | null>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const v = col.at(rows[i]);
    out[i] = v === null || v === undefined ? null : String(v);
  }
  return out;
}


/** Customer id per row; without an id column, the 1-based data row number. */
export function frameIds(frame: Frame): string[] {
  const rows = frame.rows;
  return frame.id ? frame.id.map((v, i) => v ?? `(row ${rows[i] + 1})`) : Array.from(rows, (r) => String(r + 1));
}
