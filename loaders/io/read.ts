import { relative } from "node:path";
import * as aq from "arquero";
import { WorkbenchError } from "../errors.ts";
import { checkRoles } from "../manifest/load.ts";
import { typeOfRole, type ColumnRole, type DatasetEntry, type TextFormat } from "../manifest/types.ts";
import { dataFilePath, projectRoot } from "../paths.ts";
import { outcomeIndicator } from "../outcome/columns.ts";
import { inferRoles } from "./inferRoles.ts";
import { parseRecords, spanTexts } from "./parse.ts";
import { startSecondPart } from "./parallelScan.ts";
import { appendScan, lazyDateParser, missingCodes, missingUpTo, NOT_LOADED, rowScanner, startScan, thrower, type RowScanner, type Scan, type ScanColumn } from "./scan.ts";
import { textChunks } from "./text.ts";
import { shareProgress } from "../experiment/progress.ts";
import type { DatasetTable } from "./types.ts";
import { plainNumber, tooLarge } from "./values.ts";

export { NOT_LOADED };

/**
 * Reads the dataset file of a manifest entry and types every manifest column per its role.
 * `path` overrides where the file is (the CLI's --input, named by the user); by default it is
 * data/<entry.file>, which must stay inside data/. Problems become one WorkbenchError naming
 * file, line, column, what was found and expected. The file is only ever read, piece by piece,
 * in one pass (and a second for the rows before a column's first text, when a column of numbers
 * turns out to hold texts; see typeRecords). A file of 64 MB or more is scanned on two threads,
 * each half of it (parallelScan.ts), with the same result.
 */
export function readDataset(entry: DatasetEntry, path?: string, { progress }: { progress?: (message: string) => void } = {}): DatasetTable {
  const format = textFormat(entry);
  path ??= dataFilePath(entry.file, entry.name);
  const file = relative(projectRoot(), path) || path;
  const hint = `Put the file there, or fix "file" of dataset "${entry.name}" in data/manifest.json`;
  const chunks: Chunks = (step, end) => textChunks(path, file, { encoding: entry.encoding, hint, end, progress: shareProgress(step, progress) });
  const scanned = scanFile(entry, format, file, chunks, startSecondPart(entry, path, file, hint));
  return typeRecords(entry, scanned, chunks, file);
}

let textRereads = 0;

/** Files read a second time for a column's texts, in this process so far (tests check when it is avoided). */
export function secondReads(): number {
  return textRereads;
}

/** The header (its names, the line it is on) and the scan of every record after it. */
interface ScannedFile {
  scan: Scan;
  headerLine: number;
}

/**
 * The first pass over the file's records: on this thread, or, with `second` (a worker scanning
 * the file from a line break near its middle), this thread scans up to there and the parts are
 * joined (parallelScan.ts). Null scan: the file has no record at all.
 */
function scanFile(entry: DatasetEntry, format: TextFormat, file: string, chunks: Chunks, second: ReturnType<typeof startSecondPart>): ScannedFile | null {
  const headerFirst = entry.header !== false;
  let scanned: ScannedFile | null = null;
  let row: RowScanner | null = null;
  const onFields = (fields: string[], line: number) => {
    if (!row) {
      const header = headerOf(fields, entry, file, line);
      scanned = { scan: startScan(entry, header, file, line), headerLine: line };
      row = rowScanner(entry, scanned.scan, file);
      second?.begin(header);
      if (headerFirst) return;
    }
    row.fields(fields, line);
  };
  let end;
  try {
    end = parseRecords(chunks("reading", second?.start), format, file, onFields, {
      headerFirst,
      final: !second,
      onSpans: (spans, line) => (row ? row.spans(spans, line) : onFields(spanTexts(spans), line))
    });
  } catch (error) {
    second?.cancel();
    throw error;
  }
  if (!second) return scanned;
  const whole = scanned as ScannedFile | null;
  // The cut fell inside a quoted field, or the part before it has no header: scan it all here.
  if (end.rest !== "" || !whole) {
    second.cancel();
    return scanFile(entry, format, file, chunks, null);
  }
  const rest = second.finish(end.line - 1);
  if (!rest) return scanFile(entry, format, file, chunks, null);
  appendScan(whole.scan, rest, end.line - 1);
  return whole;
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

/** The file's text in pieces, up to byte `end` if given; `step` says what the pass is for, in its progress lines. */
type Chunks = (step: string, end?: number) => Iterable<string>;

function typeRecords(given: DatasetEntry, scanned: ScannedFile | null, chunks: Chunks, file: string): DatasetTable {
  if (!scanned) throw new WorkbenchError("the file is empty", { file, hint: "Export the data again; a header line and data rows are expected" });
  const { scan, headerLine } = scanned;
  const { columns, read, lines } = scan;
  if (lines.length === 0) throw new WorkbenchError("the file has a header but no data rows", { file, hint: "Add the data rows below the header" });
  const headerFirst = given.header !== false;
  const { missingValues } = missingCodes(given);
  const parseDate = lazyDateParser(given);
  const failAt = thrower(file);

  const guessed = read.filter((c) => !(c.name in given.columns));
  // Each column's numbers, trimmed to length once (inference and the table share them).
  const numbersOf = new Map(read.map((c) => [c, c.numbers.array()]));
  // Texts the scan did not keep: the rows before a guessed column's first text.
  const again = guessed.filter((c) => c.textsAgain || (c.textFrom > 0 && !c.keepTexts && !missingUpTo(c, c.textFrom)));
  if (again.length) textRereads++;
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
