import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { WorkbenchError } from "../loaders/errors.ts";
import { readDataset } from "../loaders/io/read.ts";
import { parseManifest } from "../loaders/manifest/load.ts";
import type { DatasetEntry } from "../loaders/manifest/types.ts";

const dir = mkdtempSync(join(tmpdir(), "io-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function entry(columns: DatasetEntry["columns"], extra: Record<string, unknown> = {}): DatasetEntry {
  return parseManifest(
    { datasets: { t: { title: "T", kind: "customers", file: "t.csv", format: "csv", columns, ...extra } } },
    "manifest.json"
  ).datasets[0];
}

function read(content: string | Buffer, e: DatasetEntry = entry({ id: "id", x: "numeric", c: "categorical" })) {
  const path = join(dir, `f${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(path, content);
  return { result: () => readDataset(e, path), path };
}

function errorOf(fn: () => unknown): WorkbenchError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WorkbenchError);
    return error as WorkbenchError;
  }
  throw new Error("expected a WorkbenchError");
}

describe("readDataset types columns per the manifest", () => {
  it("reads numbers, categories and counts missing values", () => {
    const d = read("id,x,c\n1,2.5,a\n2,,b\n3,-1e3,\n").result();
    expect(d.rows).toBe(3);
    const x = d.table.array("x") as Float64Array;
    expect(Array.from(x)).toEqual([2.5, NaN, -1000]);
    expect(d.table.array("c")).toEqual(["a", "b", null]);
    expect(d.columns.find((c) => c.name === "x")!.missing).toBe(1);
    expect(d.columns.find((c) => c.name === "c")!.missing).toBe(1);
  });

  it("skips blank records: empty lines, lines of blanks, and bare delimiters from spreadsheets", () => {
    const d = read("id,x,c\n1,2,a\n   \n,,\n\n2,3,b\n, ,\n").result();
    expect(d.rows).toBe(2);
    expect(Array.from(d.lines)).toEqual([2, 6]);
    // A quoted empty field is data, not a blank line.
    expect(read('id,x,c\n1,2,a\n"",,\n').result().rows).toBe(2);
  });

  it("ignores repeated names among columns the manifest does not use", () => {
    expect(read("id,x,c,note,note,,\n1,2,a,p,q,,\n").result().rows).toBe(1);
  });

  it("accepts a BOM and CRLF line ends", () => {
    const d = read("\uFEFFid,x,c\r\n1,2,a\r\n2,3,b\r\n").result();
    expect(d.rows).toBe(2);
    expect(Array.from(d.table.array("x") as Float64Array)).toEqual([2, 3]);
  });

  it("reads quoted fields holding commas, quotes and line breaks, and keeps line numbers", () => {
    const d = read('id,x,c\n1,2,"a, b"\n2,3,"line\nbreak ""q"""\n3,4,z\n').result();
    expect(d.table.array("c")).toEqual(["a, b", 'line\nbreak "q"', "z"]);
    expect(Array.from(d.lines)).toEqual([2, 3, 5]);
  });

  it("reads whitespace-separated files with leading blanks", () => {
    const e = entry({ id: "id", x: "numeric" }, { format: "whitespace" });
    const d = read("  id   x\r\n 00001  2.5\r\n 00002 3\r\n", e).result();
    expect(d.table.array("id")).toEqual(["00001", "00002"]);
  });

  it("parses dates in the manifest's format at UTC midnight", () => {
    const e = entry({ id: "id", x: "numeric", d: "date" }, { dateFormat: "DD-MM-YYYY" });
    const d = read("id,x,d\n1,2,04-09-2012\n", e).result();
    expect((d.table.array("d") as Float64Array)[0]).toBe(Date.UTC(2012, 8, 4));
  });

  it("never loads personal columns", () => {
    const e = entry({ id: "id", x: "numeric", email: "personal" });
    const d = read("id,x,email\n1,2,a@b.example\n", e).result();
    expect(d.table.columnNames()).toEqual(["id", "x"]);
  });

  it("never modifies the input file", () => {
    const content = "\uFEFFid,x,c\r\n1,2,a\r\n2,x,b\r\n";
    const { result, path } = read(content);
    expect(() => result()).toThrow(WorkbenchError);
    expect(readFileSync(path, "utf8")).toBe(content);
  });
});

describe("readDataset rejects bad input with file, line, column, found and expected", () => {
  it("missing file", () => {
    const e = errorOf(() => readDataset(entry({ x: "numeric" }), join(dir, "nope.csv")));
    expect(e.message).toMatch(/nope\.csv: data file not found\. Put the file there/);
  });
  it("empty file", () => {
    expect(errorOf(read("").result).message).toMatch(/\.csv: the file is empty/);
    expect(errorOf(read("\uFEFF \r\n").result).message).toMatch(/the file is empty/);
  });
  it("header only", () => {
    expect(errorOf(read("id,x,c\r\n").result).message).toMatch(/the file has a header but no data rows/);
  });
  it("a manifest column absent from the file", () => {
    const m = errorOf(read("id,y,c\n1,2,a\n").result).message;
    expect(m).toMatch(/line 1, column "x": a column named in data\/manifest.json is not in the file; found "header id, y, c"/);
  });
  it("ragged rows", () => {
    const m = errorOf(read("id,x,c\n1,2,a\n2,3\n").result).message;
    expect(m).toMatch(/line 3: the row has the wrong number of fields; found "2 field\(s\)", expected 3, as in the header/);
  });
  it("non-numeric text in a numeric column", () => {
    const m = errorOf(read("id,x,c\n1,2,a\n2,1 234,b\n").result).message;
    expect(m).toMatch(/line 3, column "x": is not a number; found "1 234", expected a number/);
  });
  it("unparseable dates", () => {
    const e = entry({ id: "id", d: "date", x: "numeric" }, { dateFormat: "YYYYMMDD" });
    expect(errorOf(read("id,d,x\n1,19970101,1\n2,19970231,1\n", e).result).message).toMatch(
      /line 3, column "d": is not a valid date; found "19970231", expected a date like "YYYYMMDD"/
    );
    expect(errorOf(read("id,d,x\n1,1997-01-01,1\n", e).result).message).toMatch(/line 2, column "d": is not a valid date/);
  });
  it("NaN and Infinity", () => {
    for (const bad of ["NaN", "Infinity", "-inf"]) {
      const m = errorOf(read(`id,x,c\n1,${bad},a\n`).result).message;
      expect(m).toMatch(new RegExp(`line 2, column "x": is not a finite number; found "${bad}"`));
    }
  });
  it("duplicate header names", () => {
    const m = errorOf(read("id,x,x,c\n1,2,3,a\n").result).message;
    expect(m).toMatch(/line 1, column "x": the header names a column twice; found "fields 2 and 3"/);
  });
  it("a quote that is never closed", () => {
    expect(errorOf(read('id,x,c\n1,2,"abc\n2,3,b\n').result).message).toMatch(/line 2: a quoted field is never closed/);
  });
});

describe("manifest validation", () => {
  const base = { title: "T", kind: "customers", file: "t.csv", format: "csv", columns: { x: "numeric" } };
  const check = (patch: object) => errorOf(() => parseManifest({ datasets: { t: { ...base, ...patch } } }, "data/manifest.json")).message;
  it("unknown kind", () => {
    expect(check({ kind: "people" })).toMatch(/data\/manifest.json, column "datasets.t.kind": unknown kind; found "people", expected one of customers, transactions/);
  });
  it("unknown format", () => {
    expect(check({ format: "xlsx" })).toMatch(/column "datasets.t.format": unknown format; found "xlsx", expected one of csv, tsv, whitespace/);
  });
  it("unknown role", () => {
    expect(check({ columns: { x: "feature" } })).toMatch(/column "datasets.t.columns.x": unknown column role; found "feature"/);
  });
  it("a misspelt field", () => {
    expect(check({ colums: {} })).toMatch(/column "datasets.t.colums": unknown field/);
  });
  it("a transaction log without its date column", () => {
    expect(check({ kind: "transactions", columns: { c: "id", a: "amount" } })).toMatch(/a transaction log needs one date column/);
  });
  it("a customer table without features", () => {
    expect(check({ columns: { c: "id" } })).toMatch(/a customer table needs at least one feature/);
  });
  it("a bad date format", () => {
    expect(check({ columns: { x: "numeric", d: "date" }, dateFormat: "DD/MM" })).toMatch(/unknown date format/);
  });
  it("fills defaults", () => {
    const m = parseManifest({ datasets: { t: base } }, "m.json");
    expect(m.datasets[0].prepare).toEqual({ missing: "median", outlierRule: "iqr", outliers: "keep", transform: "none", scale: "zscore" });
    expect(m.datasets[0].missingValues).toEqual([""]);
  });
});
