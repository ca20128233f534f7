import { relative } from "node:path";
import * as aq from "arquero";
import { WorkbenchError } from "../errors.ts";
import { checkRoles } from "../manifest/load.ts";
import { typeOfRole, type ColumnRole, type ColumnType, type DatasetEntry, type TextFormat } from "../manifest/types.ts";
import { dataFilePath, projectRoot } from "../paths.ts";
import { outcomeIndicator } from "../outcome/columns.ts";
import { idLikeName, inferRoles, namedLikeChurn } from "./inferRoles.ts";
import { parseRecords } from "./parse.ts";
import { textChunks } from "./text.ts";
import { shareProgress } from "../experiment/progress.ts";
import type { DatasetTable } from "./types.ts";
import { dateParser, parseNumber, plainNumber, tooLarge, type DateParser } from "./values.ts";

/** Columns never loaded into the table: personal data stays out of everything downstream. */
/** Roles never loaded: personal data cannot leak from what is not there. */
export const NOT_LOADED = new Set<ColumnRole>(["personal", "ignore"]);

/**
 * Reads the dataset file of a manifest entry and types every manifest column per its role.
 * `path` overrides where the file is (the CLI's --input, named by the user); by default it is
 * data/<entry.file>, which must stay inside data/. Problems become one WorkbenchError naming
 * file, line, column, what was found and expected. The file is only ever read, piece by piece,
 * in one pass (and a second for the rows before a column's first text, when a column of numbers
 * turns out to hold texts; see typeRecords).
 */
export function readDataset(entry: DatasetEntry, path?: string, { progress }: { progress?: (message: string) => void } = {}): DatasetTable {
  textFormat(entry);
  path ??= dataFilePath(entry.file, entry.name);
  const file = relative(projectRoot(), path) || path;
  const hint = `Put the file there, or fix "file" of dataset "${entry.name}" in data/manifest.json`;
  const chunks = (step: string) => textChunks(path, file, { encoding: entry.encoding, hint, progress: shareProgress(step, progress) });
  return typeRecords(entry, chunks, file);
}

/** The entry's text format; a Parquet file or a database is read by loaders/source instead. */
export function textFormat(entry: DatasetEntry, what = "reading it as text"): TextFormat {
  if (entry.format === "parquet" || entry.format === "sql") {
    throw new WorkbenchError(`dataset "${entry.name}" is ${entry.format === "sql" ? "in a database" : "a Parquet file"}: ${what} needs a text file (CSV, TSV or whitespace)`, {
      hint: "Export the data to CSV for this step, or use a command that reads the dataset through the manifest (segment, value, score, drift, build)"
    });
  }
  return entry.format;
}

/** The header's column names (1, 2, … without a header row), and the line it is on. */
function headerOf(fields: string[], entry: DatasetEntry, file: string, line: number): string[] {
  if (entry.header === false) return fields.map((_, i) => String(i + 1));
  const names = fields.map((f) => f.trim());
  if (names.every((n) => n === "")) {
    throw new WorkbenchError("the header row has no column names", {
      file,
      line,
      hint: 'Put the column names on the first line, or set "header": false in data/manifest.json if the file has none'
    });
  }
  return names;
}

/** How the scan reads a column: as its declared role's type, or (undescribed) numbers until a text says otherwise. */
type Reading = ColumnType | "guess";

/** A column as the scan collects it. */
interface ScanColumn {
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
}

/** Numbers appended one at a time into a typed array, grown by doubling. */
class NumberList {
  values = new Float64Array(1024);
  length = 0;
  push(x: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = x;
  }
  array(): Float64Array {
    return this.values.slice(0, this.length);
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

/** The file's text in pieces; `step` says what the pass is for, in its progress lines. */
type Chunks = (step: string) => Iterable<string>;

function typeRecords(given: DatasetEntry, chunks: Chunks, file: string): DatasetTable {
  const missingValues = new Set(given.missingValues ?? [""]);
  // A missing-value code that reads as a number (-999) must be looked up before a number is taken.
  const numberLikeMissing = [...missingValues].some((v) => !Number.isNaN(plainNumber(v)));
  const headerFirst = given.header !== false;
  let header: string[] = [];
  let headerLine = 1;
  let columns: ScanColumn[] = [];
  let read: ScanColumn[] = [];
  const lines = new NumberList();

  const onHeader = (fields: string[], line: number) => {
    header = headerOf(fields, given, file, line);
    headerLine = line;
    const first = new Map<string, number>();
    header.forEach((name, i) => {
      if (!first.has(name)) first.set(name, i);
    });
    columns = columnOrder(given, header).map((name) => {
      const field = first.get(name);
      if (field === undefined) {
        throw new WorkbenchError("a column named in data/manifest.json is not in the file", {
          file,
          line,
          column: name,
          found: `header ${header.join(", ")}`.slice(0, 200),
          hint: `Fix the column name under "columns" of dataset "${given.name}", or the file's header`
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
      const role = given.columns[name];
      const reading: Reading = role === undefined ? "guess" : typeOfRole(role);
      const keepTexts = role === undefined && (idLikeName(name) || namedLikeChurn(name));
      return { name, field, reading, numbers: new NumberList(), texts: [], textFrom: -1, keepTexts, missing: 0 };
    });
    read = columns.filter((c) => !NOT_LOADED.has(given.columns[c.name]));
  };

  const parseDate = lazyDateParser(given);
  const failAt = (error: unknown, line: number, column: string) => {
    if (!(error instanceof WorkbenchError)) throw error;
    throw new WorkbenchError(error.message, { file, line, column });
  };

  const onRow = (fields: string[], line: number) => {
    if (fields.length !== header.length) {
      throw new WorkbenchError("the row has the wrong number of fields", {
        file,
        line,
        found: `${fields.length} field(s)`,
        expected: `${header.length}, as in the header`,
        hint: `Check for a missing or extra ${given.format === "csv" ? "comma" : given.format === "tsv" ? "tab" : "value"}, or quote fields that contain one`
      });
    }
    const row = lines.length;
    lines.push(line);
    for (const c of read) {
      const raw = fields[c.field];
      if (c.reading === "number" || c.reading === "guess") {
        // The fast path: a plain, finite number, when no missing-value code could look like one.
        const x = plainNumber(raw);
        if (c.keepTexts) c.texts.push(missingValues.has(raw.trim()) ? null : raw.trim());
        if (Number.isFinite(x) && !numberLikeMissing) {
          c.numbers.push(x);
          continue;
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
        continue;
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
    }
  };

  let sawRecord = false;
  parseRecords(chunks("reading"), textFormat(given), file, (fields, line) => {
    if (!sawRecord) {
      sawRecord = true;
      onHeader(fields, line);
      if (headerFirst) return;
    }
    onRow(fields, line);
  }, { headerFirst });
  if (!sawRecord) throw new WorkbenchError("the file is empty", { file, hint: "Export the data again; a header line and data rows are expected" });
  if (lines.length === 0) throw new WorkbenchError("the file has a header but no data rows", { file, hint: "Add the data rows below the header" });

  const guessed = read.filter((c) => !(c.name in given.columns));
  // Each column's numbers, trimmed to length once (inference and the table share them).
  const numbersOf = new Map(read.map((c) => [c, c.numbers.array()]));
  // Texts the scan did not keep: the rows before a guessed column's first text.
  const again = guessed.filter((c) => c.textFrom > 0 && !c.keepTexts);
  if (again.length) readTextsAgain(chunks(`reading again for the texts of ${again.map((c) => c.name).join(", ")}`), given, file, again, missingValues);

  const inferredRoles = inferRoles(
    guessed.map((c) => ({ name: c.name, values: c.textFrom < 0 ? numbersOf.get(c)! : c.texts })),
    { haveId: Object.values(given.columns).includes("id"), haveOutcome: Object.values(given.columns).includes("outcome") }
  );
  const roles: Record<string, ColumnRole> = {};
  for (const c of columns) roles[c.name] = given.columns[c.name] ?? inferredRoles.find((r) => r.name === c.name)!.role;
  const inferred = new Map(inferredRoles.map((r) => [r.name, r.reason]));
  if (given.otherColumns === "infer") checkRoles(given.kind, roles, { file, ...(headerFirst ? { line: headerLine } : {}) });
  // An inferred churn outcome is an outcome like a declared one.
  const positive = inferredRoles.find((r) => r.role === "outcome")?.positive;
  const outcome =
    given.outcome ??
    Object.entries(roles)
      .filter(([, r]) => r === "outcome")
      .map(([column]) => ({ column, churn: true, ...(positive !== undefined ? { positive } : {}) }))[0];
  const entry: DatasetEntry = inferred.size ? { ...given, columns: roles, ...(outcome ? { outcome } : {}) } : given;

  const rowLines = Int32Array.from(lines.values.subarray(0, lines.length));
  const data: Record<string, Float64Array | Array<string | null>> = {};
  for (const c of columns) {
    const role = roles[c.name];
    if (NOT_LOADED.has(role)) continue;
    const type = typeOfRole(role);
    if (type === "string") data[c.name] = c.texts;
    else if (type === "number" || c.textFrom < 0) {
      if (c.tooLarge && type === "number") failAt(tooLarge(c.tooLarge.raw), c.tooLarge.line, c.name);
      data[c.name] = numbersOf.get(c)!;
    } else {
      // A guessed column of ISO dates.
      const dates = new Float64Array(c.texts.length);
      c.texts.forEach((t, i) => {
        try {
          dates[i] = t === null ? NaN : parseDate().parse(t);
        } catch (error) {
          failAt(error, rowLines[i], c.name);
        }
      });
      data[c.name] = dates;
    }
  }
  checkColumnValues(entry, data, file, rowLines);
  const notes = [...inferred].map(([name, reason]) => `column "${name}" read as ${roles[name]} (inferred: ${reason})`);
  // Numbers with a few texts among them are usually a missing-value code or a typo: say where.
  for (const c of guessed) {
    if (!c.firstText || roles[c.name] === "numeric") continue;
    const present = c.texts.filter((t) => t !== null);
    const numbers = present.filter((t) => !Number.isNaN(plainNumber(t))).length;
    if (numbers < 0.9 * present.length) continue;
    notes.push(
      `column "${c.name}": ${numbers} of its ${present.length} values are numbers; the first that is not, "${c.firstText.raw.slice(0, 40)}", is on line ${c.firstText.line}. ` +
        `If it marks a missing value, list it in "missingValues" (--missing-values on the command line); if it is a typo, fix it; the column is then read as numbers`
    );
  }
  return {
    entry,
    file,
    table: aq.table(data),
    columns: columns.map((c) => ({
      name: c.name,
      role: roles[c.name],
      type: typeOfRole(roles[c.name]),
      missing: NOT_LOADED.has(roles[c.name]) ? 0 : c.missing,
      ...(inferred.has(c.name) ? { inferred: inferred.get(c.name)! } : {})
    })),
    lines: rowLines,
    rows: rowLines.length,
    notes
  };
}

/** The trimmed texts (null where missing) of `columns`, every row, from a second read of the file. */
function readTextsAgain(chunks: Iterable<string>, entry: DatasetEntry, file: string, columns: ScanColumn[], missingValues: Set<string>): void {
  for (const c of columns) c.texts = [];
  let header = entry.header !== false;
  parseRecords(chunks, textFormat(entry), file, (fields) => {
    if (header) {
      header = false;
      return;
    }
    for (const c of columns) {
      const t = fields[c.field].trim();
      c.texts.push(missingValues.has(t) ? null : t);
    }
  }, { headerFirst: entry.header !== false });
}

/** The entry's date parser, built on first use (a dataset without dates never needs its format). */
function lazyDateParser(entry: DatasetEntry): () => DateParser {
  let parser: DateParser | undefined;
  return () => (parser ??= dateParser(entry.dateFormat ?? "YYYY-MM-DD"));
}

/**
 * Checks of values that need the whole column, made as soon as a table is read (a file here, a
 * database table in loaders/source): a typo should stop the build before any model runs.
 */
export function checkColumnValues(entry: DatasetEntry, data: Record<string, Float64Array | Array<string | null>>, file: string, rowLines: Int32Array): void {
  // The outcome's positive value.
  if (entry.outcome && entry.outcome.column in data) outcomeIndicator(data[entry.outcome.column] as Array<string | null>, { ...entry.outcome, file });
  // "offers" are accepted campaign offers, 0 or 1: any other number would be read as a share.
  for (const [name, tag] of Object.entries(entry.tags ?? {})) {
    const values = tag === "offers" ? (data[name] as Float64Array | undefined) : undefined;
    const i = values ? values.findIndex((v) => !Number.isNaN(v) && v !== 0 && v !== 1) : -1;
    if (i >= 0) {
      throw new WorkbenchError('a column with the role "offers" holds accepted offers as 0 or 1', {
        file,
        line: rowLines[i],
        column: name,
        found: String(values![i]),
        expected: "0 or 1",
        hint: 'Give the column the role "numeric" or "profile" if it counts something else'
      });
    }
  }
}
