import { existsSync, readFileSync, statSync } from "node:fs";
import { relative, resolve } from "node:path";
import * as aq from "arquero";
import { WorkbenchError } from "../errors.ts";
import { typeOfRole, type ColumnType, type DatasetEntry } from "../manifest/types.ts";
import { dataDir, projectRoot } from "../paths.ts";
import { parseRecords } from "./parse.ts";
import type { DatasetTable } from "./types.ts";
import { dateParser, parseNumber } from "./values.ts";

/** Columns never loaded into the table: personal data stays out of everything downstream. */
const NOT_LOADED = new Set(["personal", "ignore"]);

/**
 * Reads the dataset file of a manifest entry and types every manifest column per its role.
 * `path` overrides where the file is (the CLI's --input); by default it is data/<entry.file>.
 * Problems become one WorkbenchError naming file, line, column, what was found and expected.
 * The file is only ever read.
 */
export function readDataset(entry: DatasetEntry, path = resolve(dataDir(), entry.file)): DatasetTable {
  const file = relative(projectRoot(), path) || path;
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new WorkbenchError("data file not found", {
      file,
      hint: `Put the file there, or fix "file" of dataset "${entry.name}" in data/manifest.json`
    });
  }
  const text = readFileSync(path, "utf8");
  if (text.replace(/^\uFEFF/, "").trim() === "") {
    throw new WorkbenchError("the file is empty", { file, hint: "Export the data again; a header line and data rows are expected" });
  }
  return typeRecords(entry, text, file);
}

function typeRecords(entry: DatasetEntry, text: string, file: string): DatasetTable {
  const wanted = Object.entries(entry.columns);
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
    header = entry.header === false ? fields.map((_, i) => String(i + 1)) : fields.map((f) => f.trim());
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
    parseRecords(text, entry.format, file, (fields, line) => (header ? onRow(fields, line) : onHeader(fields, line)));
  }
  if (lines.length === 0) {
    throw new WorkbenchError("the file has a header but no data rows", { file, hint: "Add the data rows below the header" });
  }

  const data: Record<string, Float64Array | Array<string | null>> = {};
  wanted.forEach(([name], c) => {
    if (loaded[c]) data[name] = types[c] === "string" ? strings[c] : Float64Array.from(numbers[c]);
  });
  return {
    entry,
    file,
    table: aq.table(data),
    columns: wanted.map(([name, role], c) => ({ name, role, type: types[c], missing: missing[c] })),
    lines: Int32Array.from(lines),
    rows: lines.length
  };
}
