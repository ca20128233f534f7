/**
 * The preparation pipeline: a typed customer table in, the clustering matrix out, with a report
 * of every change for the data-quality page. Steps, in order:
 *   1. duplicates: exact duplicate rows, then repeated customer ids (first kept)
 *   2. date columns → "days since <col>" (relative to the column's latest date)
 *   3. missing values: median / mode imputation, or drop rows with any missing feature
 *   4. outliers on numeric features: iqr or zscore fences; keep (count), cap, or drop rows
 *   5. transform: log1p on all / skewed numeric features, or none
 *   6. one-hot encoding of categorical features
 *   7. zero-variance columns dropped
 *   8. scaling
 * The arquero table is read once (columns of the kept rows → typed arrays); every step after
 * that works on typed arrays. The input table is never modified.
 */
import type { DatasetTable } from "../io/types.ts";
import type { ColumnRole, PrepareOptions } from "../manifest/types.ts";
import type { FeatureMatrix } from "../matrix.ts";
import { WorkbenchError, checkParam } from "../errors.ts";
import { asColumnTable, dedupeRows } from "./dedupe.ts";
import {
  countMissingNumbers,
  countMissingStrings,
  fillNumbers,
  fillStrings,
  medianOfPresent,
  modeOf
} from "./missing.ts";
import { DEFAULT_THRESHOLD, clip, countOutside, outlierFences } from "./outliers.ts";
import { isSkewed } from "./transform.ts";
import { scaleParams } from "./scale.ts";
import type { ScaleParams } from "./scale.ts";
import { compareStrings, minMax } from "./stats.ts";
import { encodeFrame, oneHotName, toMatrices, type FittedFeature, type FittedPreparation } from "./fitted.ts";
import { filterFrame, frameIds, toFrame, type Feature, type Frame } from "./frame.ts";

/** Label given to rows whose gold label is missing (they are kept: the label is not a feature). */
export const MISSING_LABEL = "(missing)";

export interface MissingReport {
  column: string;
  /** Missing values in the column after duplicates were dropped. */
  count: number;
  /**
   * median / mode: imputed with `fill`; drop: the rows were dropped; dropColumn: every value was
   * missing, so the feature was dropped; keep: left as missing (id, profile); label: shown as "(missing)".
   */
  action: "median" | "mode" | "drop" | "dropColumn" | "keep" | "label";
  fill?: number | string;
}

export interface OutlierColumnReport {
  column: string;
  /** Values outside the fences (flagged; capped or their rows dropped as the action says). */
  count: number;
  /** The fences; NaN (null in JSON) for a column of two values, which has no outliers. */
  lower: number;
  upper: number;
}

export interface PrepareReport {
  inputRows: number;
  outputRows: number;
  duplicates: { exactRows: number; duplicateIds: number; exampleIds: string[] };
  missing: MissingReport[];
  /** Rows dropped by missing: "drop". */
  missingRowsDropped: number;
  outliers: {
    rule: "iqr" | "zscore";
    threshold: number;
    action: "keep" | "cap" | "drop";
    columns: OutlierColumnReport[];
    /** Rows dropped by outliers: "drop" (a row flagged in any feature). */
    rowsDropped: number;
  };
  transform: {
    kind: "none" | "log1p" | "skewed";
    /** Columns that were log1p-transformed. */
    columns: string[];
    /** transform "skewed": the sample skewness (G1) of each numeric feature before the transform. */
    skewness?: Array<{ column: string; skewness: number | null }>;
  };
  encoded: Array<{ column: string; categories: string[] }>;
  droppedColumns: Array<{ column: string; reason: string }>;
  scale: "zscore" | "minmax" | "robust" | "none";
  /** Per matrix column: the matrix value is (unscaled-after-transform − center) / scale. */
  scaleParams: Array<{ column: string; center: number; scale: number }>;
  notes: string[];
}

export interface PreparedData {
  /** Scaled features: the clustering input. */
  matrix: FeatureMatrix;
  /** Same rows and columns in original units: after imputation and capping, before log1p and scaling. */
  unscaled: FeatureMatrix;
  /** For each matrix row, the 0-based data row of the input it came from. */
  rows: Int32Array;
  /** Customer id per row; without an id column, the 1-based data row number. */
  ids: string[];
  /** Gold label per row ("(missing)" where absent), or null without a label column. */
  label: string[] | null;
  /** The outcome column's text per row (null where missing), or null without an outcome column. */
  outcome: Array<string | null> | null;
  /**
   * Per kept row, in original units as read (NaN = missing): every "profile" column and every
   * numeric feature (date features as "days since <col>"), for segment profiles.
   */
  profile: Record<string, Float64Array>;
  /** What was learned, to prepare new customers the same way (fitted.ts). */
  fitted: FittedPreparation;
  report: PrepareReport;
}

const FEATURE_ROLES: ReadonlySet<ColumnRole> = new Set(["numeric", "categorical", "date"]);

export function prepare(dataset: DatasetTable, options: PrepareOptions): PreparedData {
  checkOptions(options);
  const threshold = options.outlierThreshold ?? DEFAULT_THRESHOLD[options.outlierRule];
  const file = dataset.file;
  const where = (frame: Frame) => (i: number) => ({ file, line: dataset.lines[frame.rows[i]] });

  if (dataset.entry.kind === "transactions") {
    throw new WorkbenchError(`dataset "${dataset.entry.name}" is a transaction log`, {
      file,
      hint: "Turn it into one row per customer with customerFeatures() before prepare()"
    });
  }
  const columns = dataset.columns;
  if (!columns.some((c) => FEATURE_ROLES.has(c.role))) {
    throw new WorkbenchError(`dataset "${dataset.entry.name}" has no feature columns`, {
      file,
      hint: 'Give at least one column the role "numeric" or "categorical" in the manifest'
    });
  }
  const inputRows = dataset.table.numRows();
  if (inputRows === 0) {
    throw new WorkbenchError("the dataset has no data rows", { file, hint: "Check the file and the manifest's header setting" });
  }

  const notes: string[] = [];
  const droppedColumns: PrepareReport["droppedColumns"] = [];

  // 1. duplicates
  const idColumn = columns.find((c) => c.role === "id")?.name;
  const table = asColumnTable(dataset.table);
  const dedupe = dedupeRows(table, idColumn);
  if (dedupe.exactRows) notes.push(`${dedupe.exactRows} exact duplicate row(s) dropped`);
  if (dedupe.duplicateIds) {
    notes.push(`${dedupe.duplicateIds} row(s) with an already seen ${idColumn} dropped (first kept)`);
  }

  // 2. columns to typed arrays; dates become "days since"
  let frame = toFrame(table, dedupe.rows, columns, notes);

  // 3. missing values
  const missing: MissingReport[] = [];
  let missingRowsDropped = 0;
  ({ frame, missingRowsDropped } = handleMissing(frame, columns, options.missing, missing, droppedColumns, notes));

  // 4. outliers
  const outlierColumns: OutlierColumnReport[] = [];
  let outlierRowsDropped = 0;
  let medians: Map<string, number>;
  ({ frame, rowsDropped: outlierRowsDropped, medians } = handleOutliers(frame, options, threshold, outlierColumns, notes));

  // 5. transform: which numeric features get log1p
  const transform: PrepareReport["transform"] = { kind: options.transform, columns: [] };
  if (options.transform === "skewed") transform.skewness = [];
  for (const f of frame.features) {
    if (f.kind !== "number") continue;
    let apply = options.transform === "log1p";
    if (options.transform === "skewed") {
      const s = isSkewed(f.values);
      transform.skewness!.push({ column: f.name, skewness: Number.isFinite(s.skewness) ? s.skewness : null });
      apply = s.skewed;
    }
    if (apply) transform.columns.push(f.name);
  }
  if (options.transform === "skewed") {
    notes.push(
      transform.columns.length
        ? `log1p applied to skewed column(s) (skewness > 1): ${transform.columns.join(", ")}`
        : "no numeric column has skewness > 1; nothing log1p-transformed"
    );
  } else if (options.transform === "log1p" && transform.columns.length) {
    notes.push(`log1p applied to every numeric column: ${transform.columns.join(", ")}`);
  }

  // 6. one-hot encoding (categories in code-unit order, so the column order never depends on
  // row order); the fitted features, then the encoded columns in manifest order
  const encoded: PrepareReport["encoded"] = [];
  const fences = new Map(outlierColumns.map((o) => [o.column, o]));
  const fills = new Map(missing.map((m) => [m.column, m.fill]));
  const features: FittedFeature[] = frame.features.map((f) => {
    if (f.kind === "number") {
      const fence = fences.get(f.name);
      const twoValued = !fence || Number.isNaN(fence.lower);
      return {
        kind: "number",
        name: f.name,
        source: f.source,
        fill: (fills.get(f.source) as number | undefined) ?? medians.get(f.name) ?? medianOfPresent(f.values),
        lower: twoValued ? null : fence.lower,
        upper: twoValued ? null : fence.upper,
        cap: options.outliers === "cap",
        log1p: transform.columns.includes(f.name),
        ...(f.origin !== undefined && Number.isFinite(f.origin) ? { origin: f.origin } : {})
      };
    }
    const categories = Array.from(new Set(f.values as string[])).sort(compareStrings);
    encoded.push({ column: f.name, categories });
    return { kind: "category", name: f.name, source: f.source, fill: (fills.get(f.source) as string | undefined) ?? modeOf(f.values)!, categories };
  });
  const assembled = encodeFrame(features, frame, where(frame)).columns;
  if (encoded.length) notes.push(`categorical column(s) one-hot encoded: ${encoded.map((e) => `${e.column} (${e.categories.length} ${e.categories.length === 1 ? "category" : "categories"})`).join(", ")}`);

  // 7. zero-variance columns
  const kept = assembled.filter((c) => {
    const { min, max } = minMax(c.values);
    if (min !== max) return true;
    const reason = `zero variance: every value is ${formatValue(c.original[0])}`;
    droppedColumns.push({ column: c.name, reason });
    notes.push(`column "${c.name}" dropped (${reason}); it cannot separate customers`);
    return false;
  });
  if (kept.length === 0) {
    throw new WorkbenchError("preparation left no feature columns: every feature has a single value", {
      file,
      found: `${frame.n} row(s); constant columns: ${assembled.map((c) => c.name).join(", ")}`,
      hint:
        frame.n === 1
          ? "Only one row is left; check the duplicate, missing and outlier settings"
          : "Add features that vary between customers"
    });
  }

  // 8. scaling, then row-major matrices
  notes.push(options.scale === "none" ? "features not scaled" : `features scaled by ${options.scale}${encoded.length ? "; one-hot columns by 1/√2" : ""}`);
  const n = frame.n;
  const scaling: FittedPreparation["scaling"] = kept.map((c) => {
    // One-hot columns are not standardized: a rare category would get values of several SDs and
    // dominate every distance. Scaled by 1/√2 instead, two customers in different categories
    // are as far apart as one SD of a numeric feature (1 = ½ + ½), whatever the category's share.
    const p: ScaleParams = c.indicator && options.scale !== "none" ? { center: 0, scale: Math.SQRT2 } : scaleParams(c.values, options.scale);
    checkMagnitude(c.values, p, c.name, options.scale, file);
    return { column: c.name, center: p.center, scale: p.scale };
  });
  const { matrix, unscaled } = toMatrices(scaling, kept, n);

  const rows = frame.rows;
  const label = frame.label ? frame.label.map((v) => v ?? MISSING_LABEL) : null;
  const profile: Record<string, Float64Array> = {};
  for (const p of frame.profile) profile[p.name] = p.values;
  for (const f of frame.features) if (f.kind === "number") profile[f.name] = f.raw;
  // What applying needs: the features that kept a matrix column, their file columns, the id.
  const keptNames = new Set(scaling.map((s) => s.column));
  const keptFeatures = features.filter((f) => (f.kind === "number" ? keptNames.has(f.name) : f.categories.some((c) => keptNames.has(oneHotName(f.name, c)))));
  const usedColumns = new Set<string>([...keptFeatures.map((f) => f.source), ...(idColumn ? [idColumn] : [])]);

  return {
    matrix,
    unscaled,
    rows,
    ids: frameIds(frame),
    label,
    outcome: frame.outcome,
    profile,
    fitted: {
      columns: columns.filter((c) => usedColumns.has(c.name)).map((c) => ({ name: c.name, role: c.role, type: c.type })),
      options: { ...options, outlierThreshold: threshold },
      features: keptFeatures,
      scaling
    },
    report: {
      inputRows,
      outputRows: n,
      duplicates: { exactRows: dedupe.exactRows, duplicateIds: dedupe.duplicateIds, exampleIds: dedupe.exampleIds },
      missing,
      missingRowsDropped,
      outliers: {
        rule: options.outlierRule,
        threshold,
        action: options.outliers,
        columns: outlierColumns,
        rowsDropped: outlierRowsDropped
      },
      transform,
      encoded,
      droppedColumns,
      scale: options.scale,
      scaleParams: scaling,
      notes
    }
  };
}

/**
 * Values every distance can square: beyond 1e150 a squared difference overflows to Infinity, and
 * a mean or spread of values near 1e308 already has (every scaled value 0 or NaN). Either would
 * silently break every metric, so the column is named instead.
 */
const MAX_MAGNITUDE = 1e150;

function checkMagnitude(values: Float64Array, p: ScaleParams, column: string, scale: string, file: string): void {
  let worst = 0;
  for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs((values[i] - p.center) / p.scale));
  if (Number.isFinite(p.center) && Number.isFinite(p.scale) && worst <= MAX_MAGNITUDE) return;
  throw new WorkbenchError(`values too large to compare customers on (their ${scale === "none" ? "size" : "mean or spread"} overflows a double)`, {
    file,
    column,
    hint: 'Express the column in larger units (thousands, millions), or use "transform": "log1p"'
  });
}

function checkOptions(o: PrepareOptions): void {
  checkParam(o.missing === "median" || o.missing === "drop", "prepare.missing", o.missing, '"median" or "drop"');
  checkParam(o.outlierRule === "iqr" || o.outlierRule === "zscore", "prepare.outlierRule", o.outlierRule, '"iqr" or "zscore"');
  checkParam(["keep", "cap", "drop"].includes(o.outliers), "prepare.outliers", o.outliers, '"keep", "cap" or "drop"');
  checkParam(["none", "log1p", "skewed"].includes(o.transform), "prepare.transform", o.transform, '"none", "log1p" or "skewed"');
  checkParam(["zscore", "minmax", "robust", "none"].includes(o.scale), "prepare.scale", o.scale, '"zscore", "minmax", "robust" or "none"');
  if (o.outlierThreshold !== undefined) {
    checkParam(Number.isFinite(o.outlierThreshold) && o.outlierThreshold > 0, "prepare.outlierThreshold", o.outlierThreshold, "a number > 0");
  }
}

function handleMissing(
  frame: Frame,
  columns: DatasetTable["columns"],
  mode: "median" | "drop",
  report: MissingReport[],
  droppedColumns: PrepareReport["droppedColumns"],
  notes: string[]
): { frame: Frame; missingRowsDropped: number } {
  const features: Feature[] = [];
  const missingRow = new Uint8Array(frame.n);
  for (const c of columns) {
    if (c.role === "id" && frame.id) {
      const count = countMissingStrings(frame.id);
      if (count) {
        report.push({ column: c.name, count, action: "keep" });
        notes.push(`${count} row(s) without a ${c.name}; shown as "(row N)"`);
      }
    } else if (c.role === "label" && frame.label) {
      const count = countMissingStrings(frame.label);
      if (count) report.push({ column: c.name, count, action: "label", fill: MISSING_LABEL });
    } else if (c.role === "profile") {
      const p = frame.profile.find((x) => x.name === c.name)!;
      const count = countMissingNumbers(p.values);
      if (count) report.push({ column: c.name, count, action: "keep" });
    }
  }
  for (const f of frame.features) {
    const count = f.kind === "number" ? countMissingNumbers(f.values) : countMissingStrings(f.values);
    if (count === 0) {
      features.push(f);
      continue;
    }
    if (mode === "drop") {
      report.push({ column: f.source, count, action: "drop" });
      if (f.kind === "number") f.values.forEach((v, i) => Number.isNaN(v) && (missingRow[i] = 1));
      else f.values.forEach((v, i) => v === null && (missingRow[i] = 1));
      features.push(f);
      continue;
    }
    if (count === frame.n) {
      report.push({ column: f.source, count, action: "dropColumn" });
      droppedColumns.push({ column: f.name, reason: "every value is missing" });
      notes.push(`column "${f.name}" dropped: every value is missing`);
      continue;
    }
    if (f.kind === "number") {
      const fill = medianOfPresent(f.values);
      report.push({ column: f.source, count, action: "median", fill });
      notes.push(`${count} missing value(s) of "${f.name}" filled with its median, ${formatValue(fill)}`);
      features.push({ ...f, values: fillNumbers(f.values, fill) });
    } else {
      const fill = modeOf(f.values)!;
      report.push({ column: f.source, count, action: "mode", fill });
      notes.push(`${count} missing value(s) of "${f.name}" filled with its most common value`);
      features.push({ ...f, values: fillStrings(f.values, fill) });
    }
  }
  // Report in manifest column order.
  const position = new Map(columns.map((c, i) => [c.name, i]));
  report.sort((a, b) => position.get(a.column)! - position.get(b.column)!);
  if (features.length === 0) {
    throw new WorkbenchError("preparation left no feature columns: every feature column is empty", {
      hint: 'Give the feature columns values, or check the manifest\'s "missingValues"'
    });
  }
  let next: Frame = { ...frame, features };
  let dropped = 0;
  if (mode === "drop") {
    const keep = missingRow.map((m) => 1 - m);
    next = filterFrame(next, keep);
    dropped = frame.n - next.n;
    if (next.n === 0) {
      const worst = report.filter((r) => r.action === "drop").map((r) => `${r.column} (${r.count})`);
      throw new WorkbenchError(`dropping rows with a missing feature (missing "drop") removed all ${frame.n} rows`, {
        found: `missing values in ${worst.join(", ")}`,
        hint: 'Use --missing median (prepare.missing "median") instead of drop, or give mostly empty columns the role "ignore"'
      });
    }
    if (dropped) notes.push(`${dropped} row(s) with a missing feature dropped`);
  }
  return { frame: next, missingRowsDropped: dropped };
}

function handleOutliers(
  frame: Frame,
  options: PrepareOptions,
  threshold: number,
  report: OutlierColumnReport[],
  notes: string[]
): { frame: Frame; rowsDropped: number; medians: Map<string, number> } {
  const flagged = new Uint8Array(frame.n);
  // Each column's median, from the fences' selection, where the values it is taken from are the
  // ones the column keeps: capping leaves it as it is (the fences lie outside the quartiles),
  // dropping rows does not.
  const medians = new Map<string, number>();
  const features = frame.features.map((f): Feature => {
    if (f.kind !== "number") return f;
    // A column of two values (a 0/1 flag) has no outliers: with 16% ones Tukey's fences are
    // [0, 0], and capping would turn every 1 into 0.
    if (atMostTwoValues(f.values)) {
      report.push({ column: f.name, count: 0, lower: NaN, upper: NaN });
      return f;
    }
    const { lower, upper, median } = outlierFences(f.values, options.outlierRule, threshold);
    if (median !== undefined && options.outliers !== "drop") medians.set(f.name, median);
    const count = countOutside(f.values, lower, upper);
    report.push({ column: f.name, count, lower, upper });
    if (count === 0) return f;
    if (options.outliers === "cap") return { ...f, values: clip(f.values, lower, upper) };
    if (options.outliers === "drop") f.values.forEach((v, i) => (v < lower || v > upper) && (flagged[i] = 1));
    return f;
  });
  const total = report.reduce((s, r) => s + r.count, 0);
  let next: Frame = { ...frame, features };
  let dropped = 0;
  if (options.outliers === "drop") {
    next = filterFrame(next, flagged.map((m) => 1 - m));
    dropped = frame.n - next.n;
    if (next.n === 0) {
      throw new WorkbenchError(`dropping outlier rows (outliers "drop") removed all ${frame.n} rows`, {
        found: `outlier rule ${options.outlierRule} with threshold ${threshold}`,
        hint: 'Use --outliers cap or keep (prepare.outliers), or a larger prepare.outlierThreshold'
      });
    }
    if (dropped) notes.push(`${dropped} row(s) with an outlier (${options.outlierRule}, threshold ${threshold}) dropped`);
  } else if (total) {
    const where = report.filter((r) => r.count > 0).map((r) => `${r.column} ${r.count}`).join(", ");
    notes.push(
      options.outliers === "cap"
        ? `${total} outlier value(s) (${options.outlierRule}, threshold ${threshold}) capped to the fences: ${where}`
        : `${total} outlier value(s) (${options.outlierRule}, threshold ${threshold}) flagged and kept: ${where}`
    );
  }
  return { frame: next, rowsDropped: dropped, medians };
}

/** Whether a column holds at most two distinct values (missing ones aside); stops at the third. */
function atMostTwoValues(values: Float64Array): boolean {
  let a = NaN;
  let b = NaN;
  for (const v of values) {
    if (Number.isNaN(v) || v === a || v === b) continue;
    if (Number.isNaN(a)) a = v;
    else if (Number.isNaN(b)) b = v;
    else return false;
  }
  return true;
}

function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}
