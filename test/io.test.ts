import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { WorkbenchError } from "../loaders/errors.ts";
import { parseRecords, spanTexts, type Spans } from "../loaders/io/parse.ts";
import { readDataset } from "../loaders/io/read.ts";
import { textChunks } from "../loaders/io/text.ts";
import { plainNumber } from "../loaders/io/values.ts";
import { Rng } from "../loaders/rng.ts";
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
    // Blanks as String.trim has them, no-break spaces (U+00A0, U+3000) included.
    const d = read("id,x,c\n1,2,a\n   \n,,\n\n2,3,b\n, ,\n\u00a0,\t,\n,\u3000,\n").result();
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

describe("readDataset refuses silent wrong values (issue: trust on a fresh machine)", () => {
  it("a number beyond a double's range is an error with its line and column, like NaN", () => {
    // 1e309 and a long digit string both parse to Infinity, which put every customer in one segment.
    expect(errorOf(read("id,x,c\n1,2,a\n2,1e309,b\n").result).message).toMatch(/line 3, column "x": is too large to be a number \(beyond ±1\.8e308\); found "1e309"/);
    expect(errorOf(read(`id,x,c\n1,${"9".repeat(1_000_000)},a\n`).result).message).toMatch(/line 2, column "x": is too large to be a number.*found "9{57}\.\.\."/);
    expect(errorOf(read("id,x,c\n1,-1e400,a\n").result).message).toMatch(/line 2, column "x": is too large/);
  });

  it("a header row without names is an error, not the first data row taken as names", () => {
    expect(errorOf(read(",,\n1,2,a\n2,3,b\n").result).message).toMatch(/line 1: the header row has no column names\. Put the column names on the first line/);
    expect(errorOf(read("\n\n , ,\n1,2,a\n").result).message).toMatch(/line 3: the header row has no column names/);
  });

  it("UTF-16 and UTF-32 files are named, not read into a garbled header", () => {
    const utf16le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("id,x,c\n1,2,a\n", "utf16le")]);
    expect(errorOf(read(utf16le).result).message).toMatch(/: the file is UTF-16 \(little-endian\) text, not UTF-8\. Set "encoding": "utf-16le" in its manifest entry/);
    const utf16be = Buffer.from(utf16le.toString("binary").replace(/(.)(.)/gs, "$2$1"), "binary");
    expect(errorOf(read(utf16be).result).message).toMatch(/the file is UTF-16 \(big-endian\) text, not UTF-8/);
    expect(errorOf(read(Buffer.from("id,x,c\n1,2,a\n", "utf16le")).result).message).toMatch(/looks like UTF-16 \(little-endian\) text without a byte-order mark.*"encoding": "utf-16le"/);
    expect(errorOf(read(Buffer.from([0xff, 0xfe, 0, 0, 0x69, 0, 0, 0])).result).message).toMatch(/the file is UTF-32 \(little-endian\) text, not UTF-8\. Save it as UTF-8/);
  });

  it("decodes a declared encoding", () => {
    const utf16le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("id,x,c\n1,2,Zoë\n", "utf16le")]);
    expect(read(utf16le, entry({ id: "id", x: "numeric", c: "categorical" }, { encoding: "utf-16le" })).result().table.array("c")).toEqual(["Zoë"]);
    const latin1 = Buffer.from("id,x,c\n1,2,caf\xe9\n", "latin1");
    expect(read(latin1, entry({ id: "id", x: "numeric", c: "categorical" }, { encoding: "windows-1252" })).result().table.array("c")).toEqual(["café"]);
  });

  it("Latin-1 bytes are an error naming the line, not replaced by U+FFFD", () => {
    const latin1 = Buffer.from("id,x,c\n1,2,a\n2,3,caf\xe9\n", "latin1");
    expect(errorOf(read(latin1).result).message).toMatch(/line 3: the file is not valid UTF-8: byte 0xE9 cannot start or continue a character; found "2,3,caf\uFFFD".*"encoding": "windows-1252"/);
  });

  it("a folder or a path too long for the file system is a one-line error", () => {
    const folder = join(dir, "a-folder.csv");
    mkdirSync(folder);
    expect(errorOf(() => readDataset(entry({ x: "numeric" }), folder)).message).toMatch(/a-folder\.csv: is a folder, not a data file\. Put the file there/);
    expect(errorOf(() => readDataset(entry({ x: "numeric" }), join(dir, "x".repeat(300)))).message).toMatch(/: the path is too long for the file system\./);
  });

  it("reads date-times and two-digit years (the Online Retail layout)", () => {
    const e = entry({ id: "id", x: "numeric", d: "date" }, { dateFormat: "DD-MM-YY H:mm" });
    const d = read("id,x,d\n1,2,01-12-10 8:26\n2,3,09-12-69 23:05\n3,1,31-01-68 0:00\n", e).result();
    // Two-digit years as POSIX strptime: 69–99 → 19xx, 00–68 → 20xx.
    expect(Array.from(d.table.array("d") as Float64Array)).toEqual([Date.UTC(2010, 11, 1, 8, 26), Date.UTC(1969, 11, 9, 23, 5), Date.UTC(2068, 0, 31)]);
    const iso = entry({ id: "id", x: "numeric", d: "date" }, { dateFormat: "ISO8601" });
    const t = read("id,x,d\n1,2,2010-12-01T08:26:00Z\n2,3,2010-12-01 23:59:59.5+02:00\n3,1,2010-12-02\n", iso).result();
    // Wall-clock time as written: the offset is not applied, so the calendar day stays the one written.
    expect(Array.from(t.table.array("d") as Float64Array)).toEqual([Date.UTC(2010, 11, 1, 8, 26), Date.UTC(2010, 11, 1, 23, 59, 59), Date.UTC(2010, 11, 2)]);
    const bad = (v: string, f = "DD-MM-YY H:mm") => errorOf(read(`id,x,d\n1,2,${v}\n`, entry({ id: "id", x: "numeric", d: "date" }, { dateFormat: f })).result).message;
    expect(bad("31-11-10 8:26")).toMatch(/column "d": is not a valid date; found "31-11-10 8:26", expected a date like "DD-MM-YY H:mm"/);
    expect(bad("01-12-10 24:00")).toMatch(/is not a valid date/);
    expect(bad("2010-12-01T25:00", "ISO8601")).toMatch(/expected an ISO 8601 date/);
  });
});

describe("roles inferred for undescribed columns (otherColumns: infer)", () => {
  it("numbers numeric, texts categorical, a unique code id, e-mails personal, free text ignored", () => {
    const lines = ["customerID,gender,Partner,tenure,MonthlyCharges,TotalCharges,email,name,comment,Churn"];
    for (let i = 0; i < 30; i++) {
      lines.push(`${7590 + i}-VHV${i},${i % 2 ? "Male" : "Female"},${i % 3 ? "Yes" : "No"},${i},${20 + i}.5,${i === 3 ? " " : 100 * i},p${i}@mail.example,Person ${i},${"note " + i},${i % 4 ? "No" : "Yes"}`);
    }
    const e = parseManifest({ datasets: { t: { title: "T", kind: "customers", file: "t.csv", format: "csv", columns: { Churn: "label" } , otherColumns: "infer" } } }, "m.json").datasets[0];
    const d = read(lines.join("\n") + "\n", e).result();
    const roles = Object.fromEntries(d.columns.map((c) => [c.name, c.role]));
    expect(roles).toEqual({
      customerID: "id",
      gender: "categorical",
      Partner: "categorical",
      tenure: "numeric",
      MonthlyCharges: "numeric",
      TotalCharges: "numeric",
      email: "personal",
      name: "ignore",
      comment: "ignore",
      Churn: "label"
    });
    expect(d.columns.find((c) => c.name === "Churn")!.inferred).toBeUndefined();
    expect(d.columns.find((c) => c.name === "TotalCharges")).toMatchObject({ missing: 1, inferred: "numbers" });
    expect(d.notes).toContain('column "email" read as personal (inferred: e-mail addresses: never read)');
    expect(d.table.columnNames()).not.toContain("email");
    expect(d.entry.columns.gender).toBe("categorical");
  });

  it("phone numbers are personal; amounts and codes with a stray text are not taken for them", () => {
    const phones = ["555-123-4567", "(555) 123 4568", "+1 555 123 4569", "5551234570", "+445551234571", "555.123.4572"];
    const lines = ["phone,income,code,x"];
    for (let i = 0; i < 30; i++) lines.push(`${phones[i % phones.length]},${i === 7 ? "n/a" : (12345.67 + i).toFixed(2)},${i === 9 ? "none" : 40000000 + i},${i}`);
    const e = parseManifest({ datasets: { t: { title: "T", kind: "customers", file: "t.csv", format: "csv", columns: { x: "numeric" }, otherColumns: "infer" } } }, "m.json").datasets[0];
    const d = read(lines.join("\n") + "\n", e).result();
    const roles = Object.fromEntries(d.columns.map((c) => [c.name, c.role]));
    expect(roles.phone).toBe("personal");
    // Read as texts because of the stray text, and named in a note, not dropped as personal data.
    expect(roles.income).not.toBe("personal");
    expect(roles.code).not.toBe("personal");
    expect(d.notes.some((n) => n.startsWith('column "income": 29 of its 30 values are numbers; the first that is not, "n/a"'))).toBe(true);
  });

  it("an outcome's positive value that never occurs stops the read, before any model runs", () => {
    const e = parseManifest({ datasets: { t: { title: "T", kind: "customers", file: "t.csv", format: "csv", columns: { x: "numeric", Churn: { role: "outcome", positive: "Maybe" } } } } }, "m.json").datasets[0];
    expect(errorOf(read("x,Churn\n1,Yes\n2,No\n", e).result).message).toMatch(/\.csv, column "Churn": the outcome's positive value never occurs; found "Maybe", expected one of "No", "Yes"\. Fix "positive" of "Churn" in data\/manifest\.json$/);
  });

  it("a two-valued column named like churn becomes the outcome, never a feature, unless one is declared", () => {
    const e = parseManifest({ datasets: { t: { title: "T", kind: "customers", file: "t.csv", format: "csv" } } }, "m.json").datasets[0];
    const d = read("tenure,plan,Churn,Exited\n1,a,Yes,0\n2,b,No,1\n3,a,No,0\n", e).result();
    expect(d.columns.map((c) => [c.name, c.role])).toEqual([["tenure", "numeric"], ["plan", "categorical"], ["Churn", "outcome"], ["Exited", "numeric"]]);
    expect(d.entry.outcome).toEqual({ column: "Churn", churn: true });
    expect(d.notes).toContain('column "Churn" read as outcome (inferred: named like churn, with two values: predicted as the outcome, never clustered on)');
    // The value that says the customer left is the positive one (BankChurners' Attrition_Flag).
    const bank = read("x,Attrition_Flag\n1,Existing Customer\n2,Attrited Customer\n3,Existing Customer\n", e).result();
    expect(bank.entry.outcome).toEqual({ column: "Attrition_Flag", churn: true, positive: "Attrited Customer" });
    const declared = parseManifest({ datasets: { t: { title: "T", kind: "customers", file: "t.csv", format: "csv", columns: { tenure: "numeric", Churn: "outcome" }, otherColumns: "infer" } } }, "m.json").datasets[0];
    expect(read("tenure,Churn,Exited\n1,Yes,0\n2,No,1\n", declared).result().columns.find((c) => c.name === "Exited")!.role).toBe("numeric");
  });

  it('an "offers" column holds 0 or 1: another number stops the read with its line', () => {
    const e = parseManifest({ datasets: { t: { title: "T", kind: "customers", file: "t.csv", format: "csv", columns: { x: "numeric", cmp: "offers" } } } }, "m.json").datasets[0];
    expect(errorOf(read("x,cmp\n1,0\n2,1\n3,58\n", e).result).message).toMatch(/line 4, column "cmp": a column with the role "offers" holds accepted offers as 0 or 1; found "58", expected 0 or 1/);
  });

  it("a manifest without columns infers them all, and still needs a feature", () => {
    const e = parseManifest({ datasets: { t: { title: "T", kind: "customers", file: "t.csv", format: "csv" } } }, "m.json").datasets[0];
    expect(e.otherColumns).toBe("infer");
    expect(read("id,spend\n1,3\n2,4\n", e).result().columns.map((c) => c.role)).toEqual(["id", "numeric"]);
    expect(errorOf(read("id,email\n1,a@b.example\n2,c@d.example\n", e).result).message).toMatch(/line 1: a customer table needs at least one feature/);
  });
});

describe("plainNumber", () => {
  it("equals Number() on plain numbers of every length and exponent (the digits fast path is exact), NaN on other text", () => {
    const rng = new Rng(5);
    let mismatches = 0;
    for (let k = 0; k < 20000; k++) {
      const x = (rng.random() - 0.5) * 10 ** Math.floor(rng.random() * 40 - 20);
      const forms = [String(x), x.toFixed(2), x.toFixed(6), x.toPrecision(15), x.toPrecision(16), x.toExponential(4), `${x.toFixed(3)}e-21`, `+${Math.abs(x).toFixed(4)}E+7`, `.${String(Math.abs(x)).replace(".", "").slice(0, 12)}`, `${Math.round(x)}.`];
      for (const t of forms) if (!Object.is(plainNumber(t), Number(t))) mismatches++;
    }
    expect(mismatches).toBe(0);
    for (const t of ["-0", "9007199254740993", "123456789012345", "1e22", "1e23", "4.35e-23", " 12 ", "\u00a012"]) expect(Object.is(plainNumber(t), Number(t)), t).toBe(true);
    for (const t of ["", ".", "1e", "e5", "1.2.3", "0x10", "1_000", "NaN", "Infinity", "1 234", "12€", "--1"]) expect(plainNumber(t), t).toBeNaN();
  });
});

describe("reading in pieces", () => {
  it("gives the records and lines of the whole text, wherever the pieces end (multi-byte characters, CRLF, quoted line breaks, BOM)", () => {
    const content = '\uFEFFid,x,c\r\n1,2.5,"caf\u00e9, \u00fcber"\r\n\r\n2,3,"two\r\nlines ""q"""\n3,-1e3,\u6771\u4eac\r\n,,\n4,5,\ud83d\ude00';
    const path = join(dir, "pieces.csv");
    writeFileSync(path, content);
    // Records without quotes go to onSpans when it is given, as places in the text.
    const records = (source: string | Iterable<string>, spans: boolean) => {
      const out: string[] = [];
      const onRecord = (fields: string[], line: number) => void out.push(`${line}:${fields.join("|")}`);
      parseRecords(source, "csv", "pieces.csv", onRecord, { headerFirst: true, ...(spans ? { onSpans: (s: Spans, line: number) => onRecord(spanTexts(s), line) } : {}) });
      return out;
    };
    const whole = records(content, false);
    expect(whole).toEqual(["1:id|x|c", "2:1|2.5|caf\u00e9, \u00fcber", "4:2|3|two\r\nlines \"q\"", "6:3|-1e3|\u6771\u4eac", "8:4|5|\ud83d\ude00"]);
    expect(records(content, true)).toEqual(whole);
    for (let bytes = 1; bytes <= 24; bytes++) {
      for (const spans of [false, true]) {
        expect(records(textChunks(path, "pieces.csv", { hint: "", chunkBytes: bytes }), spans), `pieces of ${bytes} bytes`).toEqual(whole);
      }
    }
  });

  it("reads every field as Number() would, in place or not: plain decimals, blanks, signs, exponents, quotes, missing codes, two-byte texts", () => {
    // Records without quotes reach the scan as places in the text, their plain decimals read
    // where they lie (decimal.ts); everything else is cut out and read as before. Each cell must
    // come out as plainNumber (or the missing code's NaN) of its own text.
    const rng = new Rng(23);
    const shapes = [
      () => String((rng.random() - 0.5) * 10 ** (rng.int(10) - 3)),
      () => ((rng.random() - 0.5) * 1000).toFixed(rng.int(8)),
      () => String(rng.int(100000)),
      () => `00${rng.int(100)}.5`,
      () => `${(rng.random() * 10).toExponential(3)}`,
      () => ` ${rng.int(50)} `,
      () => `+${rng.int(9)}.25`,
      () => "",
      () => "NA",
      () => `"${(rng.random() * 9).toFixed(2)}"`,
      () => "12345678901234567890.5",
      () => "-0"
    ];
    const cells: string[][] = [];
    const lines = ["id,x,y,name"];
    for (let i = 0; i < 3000; i++) {
      const row = [shapes[rng.int(shapes.length)](), shapes[rng.int(shapes.length)]()];
      cells.push(row);
      lines.push(`c${i},${row.join(",")},${i % 7 === 0 ? "\u03a9mega" : "plain"}`);
    }
    const e = entry({ id: "id", x: "numeric", y: "numeric", name: "categorical" }, { missingValues: ["", "NA"] });
    const expected = (cell: string) => {
      const t = cell.startsWith('"') ? cell.slice(1, -1) : cell;
      return t.trim() === "" || t.trim() === "NA" ? NaN : plainNumber(t);
    };
    const data = read(lines.join("\n"), e).result();
    const x = data.table.array("x") as Float64Array;
    const y = data.table.array("y") as Float64Array;
    const wrong = cells.findIndex((row, i) => !Object.is(x[i], expected(row[0])) || !Object.is(y[i], expected(row[1])));
    expect(wrong, wrong >= 0 ? `row ${wrong}: ${cells[wrong].join(" | ")} → ${x[wrong]}, ${y[wrong]}` : "").toBe(-1);
    expect(data.table.array("name")[8]).toBe("plain");
    expect(data.table.array("name")[14]).toBe("\u03a9mega");
  });

  it("names the line of a byte that is not UTF-8 in a later piece, reading only that piece again", () => {
    const path = join(dir, "latin1-late.csv");
    writeFileSync(path, Buffer.concat([Buffer.from("id,x,c\r\n1,2,caf\u00e9\r\n2,3,b\r\n3,4,"), Buffer.from([0x63, 0x61, 0x66, 0xe9]), Buffer.from("\r\n")]));
    for (const bytes of [5, 16, 64]) {
      const e = errorOf(() => [...textChunks(path, "latin1-late.csv", { hint: "", chunkBytes: bytes })]);
      expect(e.message, `pieces of ${bytes} bytes`).toMatch(/latin1-late\.csv, line 4: the file is not valid UTF-8: byte 0xE9 cannot start or continue a character; found "3,4,caf/);
    }
  });

  it("reads texts for every row of a column whose first text comes late, and numeric ids and churn flags as written", () => {
    const e = parseManifest({ datasets: { t: { title: "T", kind: "customers", file: "t.csv", format: "csv" } } }, "m.json").datasets[0];
    const rows = Array.from({ length: 60 }, (_, i) => `${String(i + 1).padStart(4, "0")},${i},${i < 50 ? String(i % 3).padStart(3, "0") : "A1"},${i % 2}`);
    const d = read(["customer_id,spend,code,Exited", ...rows].join("\n") + "\n", e).result();
    expect(d.columns.map((c) => [c.name, c.role])).toEqual([["customer_id", "id"], ["spend", "numeric"], ["code", "categorical"], ["Exited", "outcome"]]);
    expect((d.table.array("customer_id") as string[]).slice(0, 2)).toEqual(["0001", "0002"]);
    expect((d.table.array("code") as string[]).slice(0, 3)).toEqual(["000", "001", "002"]);
    expect((d.table.array("code") as string[])[59]).toBe("A1");
    expect((d.table.array("Exited") as string[]).slice(0, 2)).toEqual(["0", "1"]);
  });

  it("refuses a number beyond ±1.8e308 only in a column read as numbers", () => {
    const e = parseManifest({ datasets: { t: { title: "T", kind: "customers", file: "t.csv", format: "csv" } } }, "m.json").datasets[0];
    expect(errorOf(read("spend,plan\n1,a\n1e400,b\n", e).result).message).toMatch(/line 3, column "spend": is too large to be a number/);
    expect(read("spend,plan\n1,a\n2,b\n3,a\n", e).result().rows).toBe(3);
    expect(read("spend,plan\n1,1e400\n2,b\n3,a\n4,b\n", e).result().columns.find((c) => c.name === "plan")!.role).toBe("categorical");
  });

  it("reads numbers beside a missing-value code that reads as a number, in guessed columns too", () => {
    const e = parseManifest({ datasets: { t: { title: "T", kind: "customers", file: "t.csv", format: "csv", missingValues: ["", "-999"] } } }, "m.json").datasets[0];
    const d = read("id,spend,visits\n1,37,-999\n2,74,2\n3,11,3\n", e).result();
    expect(Array.from(d.table.array("spend") as Float64Array)).toEqual([37, 74, 11]);
    expect(Array.from(d.table.array("visits") as Float64Array)).toEqual([NaN, 2, 3]);
    expect(d.columns.find((c) => c.name === "visits")).toMatchObject({ role: "numeric", missing: 1 });
  });

  it("looks up a missing-value code that reads as a number before taking the number", () => {
    const d = read("id,x,c\n1,-999,a\n2,4,NA\n", entry({ id: "id", x: "numeric", c: "categorical" }, { missingValues: ["", "-999", "NA"] })).result();
    expect(Array.from(d.table.array("x") as Float64Array)).toEqual([NaN, 4]);
    expect(d.table.array("c")).toEqual(["a", null]);
    expect(d.columns.map((c) => c.missing)).toEqual([0, 1, 1]);
  });
});

describe("manifest validation", () => {
  const base = { title: "T", kind: "customers", file: "t.csv", format: "csv", columns: { x: "numeric" } };
  const check = (patch: object) => errorOf(() => parseManifest({ datasets: { t: { ...base, ...patch } } }, "data/manifest.json")).message;
  it("unknown kind", () => {
    expect(check({ kind: "people" })).toMatch(/data\/manifest.json, field "datasets.t.kind": unknown kind; found "people", expected one of customers, transactions/);
  });
  it("unknown format", () => {
    expect(check({ format: "xlsx" })).toMatch(/field "datasets.t.format": unknown format; found "xlsx", expected one of csv, tsv, whitespace/);
  });
  it("unknown role", () => {
    expect(check({ columns: { x: "feature" } })).toMatch(/field "datasets.t.columns.x": unknown column role; found "feature"/);
  });
  it("a misspelt field", () => {
    expect(check({ colums: {} })).toMatch(/field "datasets.t.colums": unknown field/);
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
  it("a data file outside data/: '..', absolute, or a symbolic link that escapes", () => {
    expect(check({ file: "../../outside.csv" })).toMatch(/field "datasets\.t\.file": the data file must be inside the data\/ folder; found "\.\.\/\.\.\/outside\.csv"/);
    expect(check({ file: "/etc/passwd" })).toMatch(/the data file must be inside the data\/ folder; found "\/etc\/passwd"/);
    expect(check({ file: "sub/../../x.csv" })).toMatch(/must be inside the data\/ folder/);
    // A symbolic link inside data/ that points out of it, in a project of its own.
    const project = mkdtempSync(join(dir, "project-"));
    mkdirSync(join(project, "data"));
    writeFileSync(join(dir, "outside.csv"), "root:x:0:0:secret\n");
    symlinkSync(join(dir, "outside.csv"), join(project, "data", "link.csv"));
    const saved = process.env.WORKBENCH_ROOT;
    process.env.WORKBENCH_ROOT = project;
    try {
      const message = errorOf(() => readDataset(entry({ x: "numeric" }, { file: "link.csv" }))).message;
      expect(message).toMatch(/data\/manifest\.json, field "datasets\.t\.file": the data file is outside the data\/ folder; found "link\.csv"/);
      expect(message).not.toContain("secret");
    } finally {
      process.env.WORKBENCH_ROOT = saved;
      if (saved === undefined) delete process.env.WORKBENCH_ROOT;
    }
  });
  it("a dataset name too long for file names", () => {
    const long = "a".repeat(300);
    expect(errorOf(() => parseManifest({ datasets: { [long]: base } }, "data/manifest.json")).message).toMatch(/dataset name is not usable in a URL; found "a{57}\.\.\.", expected lower-case letters, digits, - and _, at most 64 characters/);
  });
  it("an unknown encoding", () => {
    expect(check({ encoding: "ebcdic" })).toMatch(/field "datasets\.t\.encoding": unknown value; found "ebcdic", expected one of utf-8, utf-16le, utf-16be, latin1, windows-1252/);
  });
  it("fills defaults", () => {
    const m = parseManifest({ datasets: { t: base } }, "m.json");
    expect(m.datasets[0].prepare).toEqual({ missing: "median", outlierRule: "iqr", outliers: "keep", transform: "none", scale: "zscore" });
    expect(m.datasets[0].missingValues).toEqual([""]);
  });
});
