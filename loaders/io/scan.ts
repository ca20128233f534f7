/**
 * The first pass over a text file's records: each manifest column typed per its role, and each
 * undescribed column read as numbers until a text says otherwise. Split from read.ts so that a
 * worker thread can scan part of a file with the same code (parallelScan.ts); it imports no
 * ESM-only package, as the worker loads it through tsx's CommonJS hook.
 */
import { WorkbenchError } from "../errors.ts";
import { typeOfRole, type ColumnRole, type ColumnType, type DatasetEntry } from "../manifest/types.ts";
import { idLikeName, namedLikeChurn } from "./inferRoles.ts";
import { decimalInto } from "./decimal.ts";
import { spanTexts, type CharCodes, type Spans } from "./parse.ts";
import { dateParser, parseNumber, plainNumber, type DateParser } from "./values.ts";

/** Roles never loaded: personal data cannot leak from what is not there. */
export const NOT_LOADED = new Set<ColumnRole>(["personal", "ignore"]);

/** How the scan reads a column: as its declared role's type, or (undescribed) numbers until a text says otherwise. */
type Reading = ColumnType | "guess";

/** A column as the scan collects it. */
export interface ScanColumn {
  name: string;
  /** Its field in each record. */
  field: number;
  reading: Reading;
  numbers: NumberList;
  texts: Array<string | null>;
  /** A guessed column that met a text: the row it was met on (its texts start there), else -1. */
  textFrom: number;
  /**
   * A guessed column named like an id or churn flag, whose texts are kept beside its numbers from
   * the start: it may become an id or outcome, whose values are kept as written ("0042").
   */
  keepTexts: boolean;
  /** A guessed column of numbers' first text, named when the column is read as texts because of it. */
  firstText?: { raw: string; line: number };
  /** A guessed column's first value beyond ±1.8e308, refused if the column is read as numbers. */
  tooLarge?: { raw: string; line: number };
  missing: number;
  /** Its texts must be read again for every row (a part scanned in parallel did not keep them). */
  textsAgain?: boolean;
}

/** Numbers appended one at a time into a typed array, grown by doubling. */
export class NumberList {
  values = new Float64Array(1024);
  length = 0;
  push(x: number): void {
    if (this.length === this.values.length) this.grow(this.length + 1);
    this.values[this.length++] = x;
  }
  /** Appends the plain decimal in codes[start, end) (decimal.ts), or returns false if it is not one. */
  pushDecimal(codes: CharCodes, start: number, end: number): boolean {
    if (this.length === this.values.length) this.grow(this.length + 1);
    if (!decimalInto(codes, start, end, this.values, this.length)) return false;
    this.length++;
    return true;
  }
  append(xs: Float64Array): void {
    if (this.length + xs.length > this.values.length) this.grow(this.length + xs.length);
    this.values.set(xs, this.length);
    this.length += xs.length;
  }
  array(): Float64Array {
    return this.values.slice(0, this.length);
  }
  private grow(atLeast: number): void {
    const grown = new Float64Array(Math.max(atLeast, this.values.length * 2));
    grown.set(this.values.subarray(0, this.length));
    this.values = grown;
  }
}

/**
 * The columns a dataset reads and their order: with otherColumns "infer", every named column of
 * the header in file order (then manifest columns absent from it, which are reported); else the
 * manifest's. Kept in an object's key order, as the roles are.
 */
function columnOrder(entry: DatasetEntry, header: string[]): string[] {
  const order: Record<string, true> = {};
  if (entry.otherColumns === "infer") for (const name of header) if (name !== "") order[name] = true;
  for (const name of Object.keys(entry.columns)) order[name] = true;
  return Object.keys(order);
}

/** Everything a scan collects: every column, the physical line of each row, the header's width. */
export interface Scan {
  columns: ScanColumn[];
  /** The columns loaded (not personal or ignored). */
  read: ScanColumn[];
  lines: NumberList;
  width: number;
}

/** An empty scan of the columns `header` names for `entry` (refusing missing or repeated names). */
export function startScan(entry: DatasetEntry, header: string[], file: string, line: number): Scan {
  const first = new Map<string, number>();
  header.forEach((name, i) => {
    if (!first.has(name)) first.set(name, i);
  });
  const columns = columnOrder(entry, header).map((name): ScanColumn => {
    const field = first.get(name);
    if (field === undefined) {
      throw new WorkbenchError("a column named in data/manifest.json is not in the file", {
        file,
        line,
        column: name,
        found: `header ${header.join(", ")}`.slice(0, 200),
        hint: `Fix the column name under "columns" of dataset "${entry.name}", or the file's header`
      });
    }
    // Only a repeated name that is read is ambiguous; repeats among unused columns are harmless.
    const again = header.indexOf(name, field + 1);
    if (again >= 0) {
      throw new WorkbenchError("the header names a column twice", {
        file,
        line,
        column: name,
        found: `fields ${field + 1} and ${again + 1}`,
        expected: "unique column names",
        hint: "Rename one of them in the file's header"
      });
    }
    const role = entry.columns[name];
    const reading: Reading = role === undefined ? "guess" : typeOfRole(role);
    const keepTexts = role === undefined && (idLikeName(name) || namedLikeChurn(name));
    return { name, field, reading, numbers: new NumberList(), texts: [], textFrom: -1, keepTexts, missing: 0 };
  });
  return { columns, read: columns.filter((c) => !NOT_LOADED.has(entry.columns[c.name])), lines: new NumberList(), width: header.length };
}

/** The manifest's missing-value codes, and whether one of them reads as a number (-999). */
export function missingCodes(entry: DatasetEntry): { missingValues: Set<string>; numberLike: boolean } {
  const missingValues = new Set(entry.missingValues ?? [""]);
  return { missingValues, numberLike: [...missingValues].some((v) => !Number.isNaN(plainNumber(v))) };
}

/** Adds one record to a scan: given as its fields' texts, or as their places in a text (parse.ts). */
export interface RowScanner {
  fields: (fields: string[], line: number) => void;
  spans: (spans: Spans, line: number) => void;
}

/**
 * Returns what adds one record (its fields, and the physical line it starts on) to `scan`,
 * throwing a WorkbenchError that names file, line and column for a value its role refuses.
 */
export function rowScanner(entry: DatasetEntry, scan: Scan, file: string): RowScanner {
  const { missingValues, numberLike: numberLikeMissing } = missingCodes(entry);
  const parseDate = lazyDateParser(entry);
  const failAt = thrower(file);
  const { read, lines } = scan;

  /** One field's text, typed into its column (row is its 0-based record, line its physical line). */
  const add = (c: ScanColumn, raw: string, row: number, line: number) => {
    if (c.reading === "number" || c.reading === "guess") {
      // The fast path: a plain, finite number, when no missing-value code could look like one.
      const x = plainNumber(raw);
      if (c.keepTexts) c.texts.push(missingValues.has(raw.trim()) ? null : raw.trim());
      if (Number.isFinite(x) && !numberLikeMissing) {
        c.numbers.push(x);
        return;
      }
      if (missingValues.has(raw.trim())) {
        c.missing++;
        c.numbers.push(NaN);
      } else if (Number.isFinite(x)) {
        c.numbers.push(x);
      } else if (c.reading === "number") {
        try {
          c.numbers.push(parseNumber(raw));
        } catch (error) {
          failAt(error, line, c.name);
        }
      } else if (!Number.isNaN(x)) {
        c.tooLarge ??= { raw, line };
        c.numbers.push(x);
      } else {
        // A text: from here on the column is read as texts (earlier rows are read again if needed).
        c.reading = "string";
        c.textFrom = row;
        c.firstText = { raw: raw.trim(), line };
        if (!c.keepTexts) {
          c.texts.length = row;
          c.texts.push(raw.trim());
        }
      }
      return;
    }
    const t = raw.trim();
    const isMissing = missingValues.has(t);
    if (isMissing) c.missing++;
    if (c.reading === "string") c.texts.push(isMissing ? null : t);
    else {
      try {
        c.numbers.push(isMissing ? NaN : parseDate().parse(raw));
      } catch (error) {
        failAt(error, line, c.name);
      }
    }
  };

  const fields = (fields: string[], line: number) => {
    if (fields.length !== scan.width) {
      throw new WorkbenchError("the row has the wrong number of fields", {
        file,
        line,
        found: `${fields.length} field(s)`,
        expected: `${scan.width}, as in the header`,
        hint: `Check for a missing or extra ${entry.format === "csv" ? "comma" : entry.format === "tsv" ? "tab" : "value"}, or quote fields that contain one`
      });
    }
    const row = lines.length;
    lines.push(line);
    for (const c of read) add(c, fields[c.field], row, line);
  };

  const spans = (spans: Spans, line: number) => {
    if (spans.count !== scan.width) return fields(spanTexts(spans), line);
    const row = lines.length;
    lines.push(line);
    const { text, codes, starts, ends } = spans;
    for (const c of read) {
      const start = starts[c.field];
      const end = ends[c.field];
      // Faster still: a plain decimal read where it lies (decimal.ts), with no text to keep.
      if (!numberLikeMissing && !c.keepTexts && (c.reading === "number" || c.reading === "guess") && c.numbers.pushDecimal(codes, start, end)) continue;
      add(c, text.slice(start, end), row, line);
    }
  };

  return { fields, spans };
}

/** Rethrows a value's WorkbenchError with the file, line and column it is at (any other error as it is). */
export function thrower(file: string): (error: unknown, line: number, column: string) => never {
  return (error, line, column) => {
    if (!(error instanceof WorkbenchError)) throw error;
    throw new WorkbenchError(error.message, { file, line, column });
  };
}

/** The entry's date parser, built on first use (a dataset without dates never needs its format). */
export function lazyDateParser(entry: DatasetEntry): () => DateParser {
  let parser: DateParser | undefined;
  return () => (parser ??= dateParser(entry.dateFormat ?? "YYYY-MM-DD"));
}

/**
 * Appends `next`, the scan of the records that follow `scan`'s in the file (started on physical
 * line `lineOffset` + 1, its lines counted from 1), as if one scan had read them all. Each row is
 * typed on its own, except that a guessed column read as texts from some row on is read as texts
 * for every later row: where a part did not keep those texts, the column is marked to have its
 * texts read again (`textsAgain`), as a column whose first text comes late already is.
 */
export function appendScan(scan: Scan, next: Scan, lineOffset: number): void {
  const rows = scan.lines.length;
  for (let i = 0; i < next.lines.length; i++) scan.lines.push(next.lines.values[i] + lineOffset);
  const shift = <T extends { line: number }>(at: T | undefined) => (at ? { ...at, line: at.line + lineOffset } : undefined);
  scan.columns.forEach((c, j) => {
    const n = next.columns[j];
    const numbers = n.numbers.values.subarray(0, n.numbers.length);
    c.missing += n.missing;
    if (c.reading === "number" || c.reading === "date") return c.numbers.append(numbers);
    if (c.reading === "string" && c.textFrom < 0) return pushAll(c.texts, n.texts); // a declared text column
    if (c.reading === "guess") {
      // The first part read numbers only: the next part's rows went exactly as they would have.
      c.numbers.append(numbers);
      c.tooLarge ??= shift(n.tooLarge);
      if (n.reading === "string") {
        c.reading = "string";
        c.textFrom = rows + n.textFrom;
        c.firstText = shift(n.firstText);
        // Unkept texts before the switch stay holes, as in one scan (they are read again).
        if (!c.keepTexts) c.texts.length = rows;
      }
      if (c.keepTexts || n.reading === "string") pushAll(c.texts, n.texts);
      return;
    }
    // Texts from the first part on, so the next part's rows are texts too: all there if it kept
    // them (an id-like column), or if each row before its first text was missing; else they
    // are read again.
    const before = n.reading === "string" ? n.textFrom : next.lines.length;
    if (c.keepTexts || missingUpTo(n, before)) pushAll(c.texts, n.texts);
    else c.textsAgain = true;
  });
}

/**
 * Whether each of the column's first `rows` rows, read as numbers, was missing: their texts are
 * then null, and need no second read. If so, they are filled in.
 */
export function missingUpTo(c: ScanColumn, rows: number): boolean {
  for (let i = 0; i < rows; i++) if (!Number.isNaN(c.numbers.values[i])) return false;
  for (let i = 0; i < rows; i++) c.texts[i] = null;
  return true;
}

/** Appends every element (push(...xs) overflows the stack for a million). */
function pushAll<T>(target: T[], xs: readonly T[]): void {
  for (let i = 0; i < xs.length; i++) target.push(xs[i]);
}
