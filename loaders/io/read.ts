import { relative } from "node:path";
import * as aq from "arquero";
import { WorkbenchError } from "../errors.ts";
import { checkRoles } from "../manifest/load.ts";
import { typeOfRole, type ColumnRole, type ColumnType, type DatasetEntry } from "../manifest/types.ts";
import { dataFilePath, projectRoot } from "../paths.ts";
import { outcomeIndicator } from "../outcome/columns.ts";
import { inferRoles } from "./inferRoles.ts";
import { parseRecords } from "./parse.ts";
import { readText } from "./text.ts";
import type { DatasetTable } from "./types.ts";
import { dateParser, parseNumber } from "./values.ts";

/** Columns never loaded into the table: personal data stays out of everything downstream. */
const NOT_LOADED = new Set<ColumnRole>(["personal", "ignore"]);

/**
 * Reads the dataset file of a manifest entry and types every manifest column per its role.
 * `path` overrides where the file is (the CLI's --input, named by the user); by default it is
 * data/<entry.file>, which must stay inside data/. Problems become one WorkbenchError naming
 * file, line, column, what was found and expected. The file is only ever read.
 */
export function readDataset(entry: DatasetEntry, path = dataFilePath(entry.file, entry.name)): DatasetTable {
  const file = relative(projectRoot(), path) || path;
  const hint = `Put the file there, or fix "file" of dataset "${entry.name}" in data/manifest.json`;
  const text = readText(path, file, { encoding: entry.encoding, hint });
  if (text.trim() === "") {
    throw new WorkbenchError("the file is empty", { file, hint: "Export the data again; a header line and data rows are expected" });
  }
  return typeRecords(entry, text, file);
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

/**
 * The roles of the columns to read: the manifest's, plus, with otherColumns "infer", a role
 * inferred from the values of every other named column of the header (in file order).
 */
function effectiveColumns(entry: DatasetEntry, text: string, file: string): { columns: Record<string, ColumnRole>; inferred: Map<string, string>; positives: Map<string, string> } {
  const inferred = new Map<string, string>();
  const positives = new Map<string, string>();
  if (entry.otherColumns !== "infer") return { columns: entry.columns, inferred, positives };
  let header: string[] | null = null;
  let values: string[][] = [];
  let headerLine = 1;
  parseRecords(text, entry.format, file, (fields, line) => {
    if (!header) {
      header = headerOf(fields, entry, file, line);
      headerLine = line;
      values = header.map(() => []);
      if (entry.header !== false) return;
    }
    // Ragged rows are reported with their line by the typed read that follows.
    if (fields.length === header.length) fields.forEach((f, i) => values[i].push(f));
  }, { headerFirst: entry.header !== false });
  const names: string[] = header ?? [];
  const undescribed = names.map((name, i) => ({ name, values: values[i] })).filter((c) => c.name !== "" && !(c.name in entry.columns));
  const roles = inferRoles(undescribed, {
    missing: new Set(entry.missingValues ?? [""]),
    haveId: Object.values(entry.columns).includes("id"),
    haveOutcome: Object.values(entry.columns).includes("outcome")
  });
  const byName = new Map(roles.map((r) => [r.name, r]));
  const columns: Record<string, ColumnRole> = {};
  for (const name of names) {
    if (name in entry.columns) columns[name] = entry.columns[name];
    else if (byName.has(name)) {
      columns[name] = byName.get(name)!.role;
      inferred.set(name, byName.get(name)!.reason);
      if (byName.get(name)!.positive !== undefined) positives.set(name, byName.get(name)!.positive!);
    }
  }
  // Manifest columns missing from the header keep their place at the end; the typed read reports them.
  for (const [name, role] of Object.entries(entry.columns)) if (!(name in columns)) columns[name] = role;
  checkRoles(entry.kind, columns, {
    file,
    ...(entry.header !== false ? { line: headerLine } : {})
  });
  return { columns, inferred, positives };
}

function typeRecords(given: DatasetEntry, text: string, file: string): DatasetTable {
  const { columns: roles, inferred, positives } = effectiveColumns(given, text, file);
  // An inferred churn outcome (inferRoles) is an outcome like a declared one.
  const outcome =
    given.outcome ??
    Object.entries(roles)
      .filter(([, r]) => r === "outcome")
      .map(([column]) => ({ column, churn: true, ...(positives.has(column) ? { positive: positives.get(column)! } : {}) }))[0];
  const entry: DatasetEntry = inferred.size ? { ...given, columns: roles, ...(outcome ? { outcome } : {}) } : given;
  const wanted = Object.entries(roles);
  const missingValues = new Set(entry.missingValues ?? [""]);
  const parseDate = wanted.some(([, role]) => role === "date") ? dateParser(entry.dateFormat ?? "YYYY-MM-DD") : null;

  let header: string[] | null = null;
  let fieldIndex: number[] = [];
  const types: ColumnType[] = wanted.map(([, role]) => typeOfRole(role));
  const loaded = wanted.map(([, role]) => !NOT_LOADED.has(role));
  const numbers: number[][] = wanted.map(() => []);
  const strings: Array<Array<string | null>> = wanted.map(() => []);
  const missing = new Array<number>(wanted.length).fill(0);
  const lines: number[] = [];

  const onHeader = (fields: string[], line: number) => {
    header = headerOf(fields, entry, file, line);
    // Only a repeated name the manifest uses is ambiguous; repeats among unused columns are harmless.
    const used = new Set(wanted.map(([name]) => name));
    const seen = new Map<string, number>();
    header.forEach((name, i) => {
      if (seen.has(name) && used.has(name)) {
        throw new WorkbenchError("the header names a column twice", {
          file,
          line,
          column: name,
          found: `fields ${seen.get(name)! + 1} and ${i + 1}`,
          expected: "unique column names",
          hint: "Rename one of them in the file's header"
        });
      }
      if (!seen.has(name)) seen.set(name, i);
    });
    fieldIndex = wanted.map(([name]) => {
      const i = seen.get(name);
      if (i === undefined) {
        throw new WorkbenchError("a column named in data/manifest.json is not in the file", {
          file,
          line,
          column: name,
          found: `header ${header!.join(", ")}`.slice(0, 200),
          hint: `Fix the column name under "columns" of dataset "${entry.name}", or the file's header`
        });
      }
      return i;
    });
  };

  const onRow = (fields: string[], line: number) => {
    if (fields.length !== header!.length) {
      throw new WorkbenchError("the row has the wrong number of fields", {
        file,
        line,
        found: `${fields.length} field(s)`,
        expected: `${header!.length}, as in the header`,
        hint: `Check for a missing or extra ${entry.format === "csv" ? "comma" : entry.format === "tsv" ? "tab" : "value"}, or quote fields that contain one`
      });
    }
    lines.push(line);
    for (let c = 0; c < wanted.length; c++) {
      if (!loaded[c]) continue;
      const raw = fields[fieldIndex[c]];
      const isMissing = missingValues.has(raw.trim());
      if (isMissing) missing[c]++;
      if (types[c] === "string") {
        strings[c].push(isMissing ? null : raw.trim());
        continue;
      }
      let value = NaN;
      if (!isMissing) {
        try {
          value = types[c] === "date" ? parseDate!.parse(raw) : parseNumber(raw);
        } catch (error) {
          if (!(error instanceof WorkbenchError)) throw error;
          throw new WorkbenchError(error.message, { file, line, column: wanted[c][0] });
        }
      }
      numbers[c].push(value);
    }
  };

  if (entry.header === false) {
    parseRecords(text, entry.format, file, (fields, line) => {
      if (!header) onHeader(fields, line);
      onRow(fields, line);
    });
  } else {
    parseRecords(text, entry.format, file, (fields, line) => (header ? onRow(fields, line) : onHeader(fields, line)), { headerFirst: true });
  }
  if (lines.length === 0) {
    throw new WorkbenchError("the file has a header but no data rows", { file, hint: "Add the data rows below the header" });
  }

  const data: Record<string, Float64Array | Array<string | null>> = {};
  wanted.forEach(([name], c) => {
    if (loaded[c]) data[name] = types[c] === "string" ? strings[c] : Float64Array.from(numbers[c]);
  });
  // The outcome's positive value, checked now: a typo should stop the build before any model runs.
  if (entry.outcome && entry.outcome.column in data) outcomeIndicator(data[entry.outcome.column] as Array<string | null>, { ...entry.outcome, file });
  // "offers" are accepted campaign offers, 0 or 1: any other number would be read as a share.
  for (const [name, tag] of Object.entries(entry.tags ?? {})) {
    const values = tag === "offers" ? (data[name] as Float64Array | undefined) : undefined;
    const i = values ? values.findIndex((v) => !Number.isNaN(v) && v !== 0 && v !== 1) : -1;
    if (i >= 0) {
      throw new WorkbenchError('a column with the role "offers" holds accepted offers as 0 or 1', {
        file,
        line: lines[i],
        column: name,
        found: String(values![i]),
        expected: "0 or 1",
        hint: 'Give the column the role "numeric" or "profile" if it counts something else'
      });
    }
  }
  const notes = [...inferred].map(([name, reason]) => `column "${name}" read as ${roles[name]} (inferred: ${reason})`);
  return {
    entry,
    file,
    table: aq.table(data),
    columns: wanted.map(([name, role], c) => ({
      name,
      role,
      type: types[c],
      missing: missing[c],
      ...(inferred.has(name) ? { inferred: inferred.get(name)! } : {})
    })),
    lines: Int32Array.from(lines),
    rows: lines.length,
    notes
  };
}
