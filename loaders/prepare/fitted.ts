/**
 * A fitted preparation: what prepare() learned from the training customers (fills, fences,
 * transforms, categories, kept columns, scaling), so new customers can be put in the same
 * feature space. Fitting and applying share `encodeFrame` and `toMatrices`, so a training
 * customer prepared either way gets the same row, bit for bit.
 *
 * Rules at apply time (documented in the README, "The model file"):
 * - every customer is kept: no row is dropped for a missing value or an outlier; exact
 *   duplicate rows and repeated ids are dropped as in fitting (first kept);
 * - a missing number gets the training median, a missing category the training mode, whatever
 *   the training's `missing` setting was;
 * - with outliers "cap", values are capped at the training fences; otherwise kept;
 * - a category not seen in training gets 0 in every one of its column's indicators (it is
 *   no closer to one known category than to another) and is counted in a note;
 * - date features count days back from the training's latest date, or from `asOf` when given
 *   (scoring a later file: the date it describes), so a customer's features never depend on the
 *   other rows of the file;
 * - only the columns the kept features come from are read (and the id, if the file has it: without
 *   it customers are numbered by row).
 */
import { WorkbenchError } from "../errors.ts";
import type { DatasetTable } from "../io/types.ts";
import type { ColumnRole, ColumnType, PrepareOptions } from "../manifest/types.ts";
import { makeMatrix, type FeatureMatrix } from "../matrix.ts";
import { asColumnTable, dedupeRows } from "./dedupe.ts";
import { frameIds, toFrame, type Frame } from "./frame.ts";
import { countMissingNumbers, countMissingStrings, fillNumbers, fillStrings } from "./missing.ts";
import { clip } from "./outliers.ts";
import { scaledValue } from "./scale.ts";
import { log1pColumn } from "./transform.ts";

export type FittedFeature =
  | {
      kind: "number";
      /** Feature name ("days since <col>" for a date column) and the file column it comes from. */
      name: string;
      source: string;
      /** Training median, for missing values. */
      fill: number;
      /** Training fences, applied when `cap`; null for a two-valued column (no outliers). */
      lower: number | null;
      upper: number | null;
      cap: boolean;
      log1p: boolean;
      /** Date features: the training's latest date (epoch ms), which days are counted back from. */
      origin?: number;
    }
  | { kind: "category"; name: string; source: string; fill: string; categories: string[] };

export interface FittedPreparation {
  /** The file columns the preparation reads, with their roles and types (as the reader needs them). */
  columns: Array<{ name: string; role: ColumnRole; type: ColumnType }>;
  options: PrepareOptions;
  features: FittedFeature[];
  /** Matrix columns in order, and how each is scaled: (value − center) / scale. */
  scaling: Array<{ column: string; center: number; scale: number }>;
}

/** A feature column as the matrix sees it: after transforms and encoding, before scaling. */
export interface EncodedColumn {
  name: string;
  /** Transformed values (log1p where fitted). */
  values: Float64Array;
  /** The same in original units (after fill and capping). */
  original: Float64Array;
  indicator: boolean;
}

/**
 * Fills, caps, log1p-transforms and one-hot encodes the frame's features as fitted. Returns the
 * encoded columns and, per categorical column, how many values were categories not seen in training.
 */
export function encodeFrame(
  features: readonly FittedFeature[],
  frame: Frame,
  where: (row: number) => { file?: string; line?: number }
): { columns: EncodedColumn[]; unseen: Array<{ column: string; count: number }> } {
  const columns: EncodedColumn[] = [];
  const unseen: Array<{ column: string; count: number }> = [];
  for (const f of features) {
    const source = frame.features.find((x) => x.name === f.name);
    if (!source || source.kind !== f.kind) throw new Error(`feature ${f.name} missing from the frame`);
    if (f.kind === "number") {
      // A copy only where there is something to fill (nothing here writes into a column).
      const given = source.values as Float64Array;
      let values = countMissingNumbers(given) ? fillNumbers(given, f.fill) : given;
      if (f.cap && f.lower !== null && f.upper !== null) values = clip(values, f.lower, f.upper);
      columns.push({ name: f.name, values: f.log1p ? log1pColumn(values, f.name, where) : values, original: values, indicator: false });
    } else {
      const values = fillStrings(source.values as Array<string | null>, f.fill);
      const index = new Map(f.categories.map((c, j) => [c, j]));
      const hot = f.categories.map(() => new Float64Array(values.length));
      let missed = 0;
      for (let i = 0; i < values.length; i++) {
        const j = index.get(values[i]);
        if (j === undefined) missed++;
        else hot[j][i] = 1;
      }
      if (missed) unseen.push({ column: f.name, count: missed });
      f.categories.forEach((c, j) => columns.push({ name: oneHotName(f.name, c), values: hot[j], original: hot[j], indicator: true }));
    }
  }
  return { columns, unseen };
}

/** The matrix column of one category: "Column=value". */
export function oneHotName(column: string, category: string): string {
  return `${column}=${category}`;
}

/** The scaled matrix and the same columns in original units, row-major, from the encoded columns. */
export function toMatrices(
  scaling: FittedPreparation["scaling"],
  columns: readonly EncodedColumn[],
  n: number
): { matrix: FeatureMatrix; unscaled: FeatureMatrix } {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const kept = scaling.map((s) => byName.get(s.column)!);
  const d = kept.length;
  const data = new Float64Array(n * d);
  const unscaledData = new Float64Array(n * d);
  // Row by row: d sequential reads, contiguous writes (column-wise strided writes thrash the
  // cache), scaled on the way rather than through a copy per column.
  for (let i = 0, o = 0; i < n; i++) {
    for (let j = 0; j < d; j++, o++) {
      data[o] = scaledValue(kept[j].values[i], scaling[j]);
      unscaledData[o] = kept[j].original[i];
    }
  }
  const names = scaling.map((s) => s.column);
  return { matrix: makeMatrix(names, n, data), unscaled: makeMatrix(names.slice(), n, unscaledData) };
}

export interface AppliedData {
  matrix: FeatureMatrix;
  unscaled: FeatureMatrix;
  /** 0-based data row of the input for each matrix row. */
  rows: Int32Array;
  /** Customer id per row; without an id column, the 1-based data row number. */
  ids: string[];
  notes: string[];
}

/** Per date column, the day (epoch ms) training counted its days back from. */
export function dateOrigins(fitted: FittedPreparation): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of fitted.features) if (f.kind === "number" && f.origin !== undefined) out[f.source] = f.origin;
  return out;
}

/**
 * Puts new customers (a table read with `fitted.columns`) in the fitted feature space. `asOf`:
 * per date column, the day (epoch ms) its days are counted back from instead of the training's
 * (scoring a later file, or a later snapshot).
 */
export function applyPreparation(fitted: FittedPreparation, dataset: DatasetTable, { asOf = {} }: { asOf?: Record<string, number> } = {}): AppliedData {
  const file = dataset.file;
  const present = new Set(dataset.columns.map((c) => c.name));
  for (const c of fitted.columns) {
    if (!present.has(c.name) && c.role !== "id") {
      throw new WorkbenchError(`column "${c.name}" is missing`, {
        file,
        column: c.name,
        hint: `The model was fitted on a table with the columns ${fitted.columns.map((x) => x.name).join(", ")}; score a file of the same layout`
      });
    }
  }
  const notes: string[] = [];
  const table = asColumnTable(dataset.table);
  const idColumn = fitted.columns.find((c) => c.role === "id" && present.has(c.name))?.name;
  const missingId = fitted.columns.find((c) => c.role === "id" && !present.has(c.name));
  if (missingId) notes.push(`no "${missingId.name}" column: customers are numbered by their row in the file`);
  // Without ids every row is a customer to score, so identical rows are all kept.
  const dedupe = dedupeRows(table, idColumn, { exact: idColumn !== undefined });
  if (dedupe.exactRows) notes.push(`${dedupe.exactRows} exact duplicate row(s) dropped`);
  if (dedupe.duplicateIds) notes.push(`${dedupe.duplicateIds} row(s) with an already seen ${idColumn} dropped (first kept)`);
  const columns = fitted.columns.filter((c) => present.has(c.name)).map((c) => dataset.columns.find((x) => x.name === c.name)!);
  const origins = dateOrigins(fitted);
  for (const column of Object.keys(origins)) origins[column] = asOf[column] ?? origins[column];
  const frame = toFrame(table, dedupe.rows, columns, [], origins);
  if (frame.n === 0) throw new WorkbenchError("the file has no customers to score", { file, hint: "Check the file and its header row" });

  for (const f of fitted.features) {
    const source = frame.features.find((x) => x.name === f.name)!;
    const missing = source.kind === "number" ? countMissingNumbers(source.values) : countMissingStrings(source.values);
    if (missing) notes.push(`${missing} missing value(s) of "${f.name}" filled with the training ${f.kind === "number" ? "median" : "most common value"}`);
  }
  const where = (i: number) => ({ file, line: dataset.lines[frame.rows[i]] });
  const encoded = encodeFrame(fitted.features, frame, where);
  for (const u of encoded.unseen) {
    notes.push(`${u.count} value(s) of "${u.column}" are categories not seen in training; they get 0 in every ${u.column} indicator`);
  }
  const { matrix, unscaled } = toMatrices(fitted.scaling, encoded.columns, frame.n);
  return { matrix, unscaled, rows: frame.rows, ids: frameIds(frame), notes };
}
