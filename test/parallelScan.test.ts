/**
 * A file scanned on two threads (loaders/io/parallelScan.ts) reads exactly as one scan would:
 * same table, lines, roles, notes and errors, whatever the file holds either side of the cut.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { WorkbenchError } from "../loaders/errors.ts";
import { parallelScansJoined, setParallelScanBytes } from "../loaders/io/parallelScan.ts";
import { readDataset, secondReads } from "../loaders/io/read.ts";
import type { DatasetTable } from "../loaders/io/types.ts";
import { parseManifest } from "../loaders/manifest/load.ts";
import type { DatasetEntry } from "../loaders/manifest/types.ts";
import { Rng } from "../loaders/rng.ts";

const dir = mkdtempSync(join(tmpdir(), "parallel-scan-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => setParallelScanBytes(64 << 20));

function entry(columns: DatasetEntry["columns"], extra: Record<string, unknown> = {}): DatasetEntry {
  return parseManifest({ datasets: { t: { title: "T", kind: "customers", file: "t.csv", format: "csv", columns, ...extra } } }, "manifest.json").datasets[0];
}

let files = 0;
function write(content: string): string {
  const path = join(dir, `f${files++}.csv`);
  writeFileSync(path, content);
  return path;
}

/** Everything a read returns, in plain values (NaN compares equal under toEqual). */
function plain(t: DatasetTable) {
  const names = t.table.columnNames();
  return { columns: t.columns, rows: t.rows, lines: Array.from(t.lines), notes: t.notes, entry: t.entry, data: Object.fromEntries(names.map((n) => [n, Array.from(t.table.array(n) as ArrayLike<unknown>)])) };
}

/** The read on one thread and on two; the second must have used a worker. */
function bothWays(e: DatasetEntry, path: string): { one: ReturnType<typeof plain>; two: ReturnType<typeof plain> } {
  setParallelScanBytes(Infinity);
  const one = plain(readDataset(e, path));
  setParallelScanBytes(0);
  const before = parallelScansJoined();
  const two = plain(readDataset(e, path));
  expect(parallelScansJoined()).toBe(before + 1);
  return { one, two };
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WorkbenchError);
    return (error as Error).message;
  }
  throw new Error("expected a WorkbenchError");
}

/** A messy customer file: `textAt` puts the first text of column "mixed" on that row (or nowhere). */
function messy(rows: number, { textAt = -1, crlf = false, seed = 1 } = {}): string {
  const rng = new Rng(seed);
  const eol = crlf ? "\r\n" : "\n";
  const lines = ["customer_id,spend,visits,mixed,region,joined,note"];
  for (let i = 0; i < rows; i++) {
    const id = rng.random() < 0.02 ? "" : `00${i}`;
    const spend = rng.random() < 0.05 ? "" : (rng.normal() * 100).toFixed(rng.int(4));
    const visits = rng.random() < 0.03 ? "NA" : String(rng.int(20));
    const mixed = i === textAt ? "n/a" : rng.random() < 0.04 ? "" : (rng.random() * 10).toFixed(2);
    const region = ["north", "south", '"east, coast"', "", '"west\nside"'][rng.int(5)];
    const joined = rng.random() < 0.03 ? "" : `2024-0${1 + rng.int(9)}-1${rng.int(10)}`;
    const note = rng.random() < 0.1 ? '"said ""hi"""' : "x";
    lines.push([id, spend, visits, mixed, region, joined, note].join(","));
    if (rng.random() < 0.01) lines.push("");
  }
  return lines.join(eol) + eol;
}

const messyEntry = () =>
  entry({ spend: "numeric", region: "categorical", joined: "date", note: "label" }, { otherColumns: "infer", missingValues: ["", "NA"] });

describe("a file scanned on two threads reads as one scan", () => {
  it("messy values, quoted line breaks, blank lines, CRLF: same table, lines, roles and notes", () => {
    for (const crlf of [false, true]) {
      const { one, two } = bothWays(messyEntry(), write(messy(3000, { crlf })));
      expect(two).toEqual(one);
      expect(one.rows).toBe(3000);
    }
  });

  it("a column of numbers whose first text is in the first part, the second, or the first row", () => {
    for (const textAt of [0, 700, 2900]) {
      const { one, two } = bothWays(messyEntry(), write(messy(3000, { textAt, seed: textAt })));
      expect(two).toEqual(one);
      // The note counts the column's texts in every row and names the first: both parts' texts were joined.
      expect(one.notes.some((n) => /column "mixed": \d+ of its \d+ values are numbers; the first that is not, "n\/a", is on line/.test(n))).toBe(true);
    }
  });

  it("a missing-value code that reads as a number, and a file without a header", () => {
    const e = entry({ 1: "id", 2: "numeric", 3: "numeric" }, { header: false, missingValues: ["-999"] });
    const rng = new Rng(4);
    const text = Array.from({ length: 4000 }, (_, i) => `c${i},${rng.random() < 0.1 ? "-999" : rng.normal().toFixed(3)},${rng.int(9)}`).join("\n") + "\n";
    const { one, two } = bothWays(e, write(text));
    expect(two).toEqual(one);
    expect(one.columns.find((c) => c.name === "2")!.missing).toBeGreaterThan(300);
  });

  it("a bad value after the cut is reported at its own line; one before the cut comes first", () => {
    const e = entry({ id: "id", x: "numeric", when: "date" });
    const rows = Array.from({ length: 4000 }, (_, i) => `c${i},${i % 7},2024-01-0${1 + (i % 9)}`);
    /** The error reading `rows` with some replaced, the same on one thread and on two. */
    const errorWith = (replaced: Record<number, string>) => {
      const path = write(["id,x,when", ...rows.map((r, i) => replaced[i] ?? r)].join("\n") + "\n");
      setParallelScanBytes(Infinity);
      const one = errorOf(() => readDataset(e, path));
      setParallelScanBytes(0);
      expect(errorOf(() => readDataset(e, path))).toBe(one);
      return one;
    };
    expect(errorWith({ 3500: "c3500,12abc,2024-01-01" })).toContain("line 3502");
    expect(errorWith({ 10: "c10,3,2024-13-01", 3500: "c3500,12abc,2024-01-01" })).toContain("line 12");
    expect(errorWith({ 3900: "c3900,1" })).toContain("wrong number of fields");
  });

  it("a text column whose first rows (in either half) are missing is not read a second time", () => {
    const e = entry({ id: "id", x: "numeric" }, { otherColumns: "infer" });
    const rows = Array.from({ length: 4000 }, (_, i) => `c${i},${i % 5},${i < 3 || i === 2000 || i === 2001 || i % 50 === 0 ? "" : `2024-0${1 + (i % 9)}-1${i % 10}`}`);
    const path = write(["id,x,joined", ...rows].join("\n") + "\n");
    const before = secondReads();
    setParallelScanBytes(Infinity);
    const one = plain(readDataset(e, path));
    setParallelScanBytes(0);
    const two = plain(readDataset(e, path));
    expect(two).toEqual(one);
    expect(one.columns.find((c) => c.name === "joined")).toMatchObject({ role: "date", missing: 83 });
    expect(secondReads()).toBe(before);
    // A number among the leading rows: its text was not kept, so the file is read again.
    const numbered = write(["id,x,joined", "c0,1,7", ...rows.slice(1)].join("\n") + "\n");
    setParallelScanBytes(Infinity);
    readDataset(e, numbered);
    expect(secondReads()).toBe(before + 1);
  });

  it("a stray quote that misleads the cut: the file is scanned again on one thread, same result", () => {
    // An unquoted field with a quote in it shifts the count of quotes, so the cut the count
    // suggests falls inside the quoted, multi-line field that follows the middle.
    const head = Array.from({ length: 2000 }, (_, i) => `c${i},${i},plain`);
    head[5] = 'c5,5,5\'3" tall';
    const tail = Array.from({ length: 2000 }, (_, i) => `d${i},${i},"two\nlines"`);
    const path = write(["id,x,note", ...head, ...tail].join("\n") + "\n");
    const e = entry({ id: "id", x: "numeric", note: "label" });
    setParallelScanBytes(Infinity);
    const one = plain(readDataset(e, path));
    setParallelScanBytes(0);
    const before = parallelScansJoined();
    expect(plain(readDataset(e, path))).toEqual(one);
    expect(parallelScansJoined()).toBe(before); // the worker's part was not used
    expect(one.rows).toBe(4000);
  });
});
