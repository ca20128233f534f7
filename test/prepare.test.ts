import { describe, expect, it } from "vitest";
import * as aq from "arquero";
import type { DatasetTable } from "../loaders/io/types.ts";
import type { ColumnRole, PrepareOptions } from "../loaders/manifest/types.ts";
import { prepare } from "../loaders/prepare/prepare.ts";
import { quantileSorted, quantiles, skewness } from "../loaders/prepare/stats.ts";
import { WorkbenchError } from "../loaders/errors.ts";
import { dedupeRows } from "../loaders/prepare/dedupe.ts";
import { Rng } from "../loaders/rng.ts";
import { tableOf } from "./helpers/fixtures.ts";

const BASE: PrepareOptions = { missing: "median", outlierRule: "iqr", outliers: "keep", transform: "none", scale: "none" };
const opts = (o: Partial<PrepareOptions>): PrepareOptions => ({ ...BASE, ...o });

const dataset = (cols: Parameters<typeof tableOf>[0]) => tableOf(cols, BASE);

function column(m: { names: string[]; d: number; n: number; data: Float64Array }, name: string): number[] {
  const j = m.names.indexOf(name);
  expect(j).toBeGreaterThanOrEqual(0);
  return Array.from({ length: m.n }, (_, i) => m.data[i * m.d + j]);
}

function expectClose(actual: ArrayLike<number>, expected: number[], digits = 10) {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(actual[i]).toBeCloseTo(e, digits));
}

describe("duplicates", () => {
  // Row 2 repeats row 0 exactly; row 4 repeats id "b" (row 1) with other values; row 6 repeats
  // "a" again (different values). Expected by hand: exact 1, id 2 (rows 4, 6), kept rows 0,1,3,5.
  const ds = dataset({
    id: ["id", ["a", "b", "a", "c", "b", "d", "a"]],
    x: ["numeric", [1, 2, 1, 3, 9, 4, 7]],
    y: ["numeric", [5, 6, 5, 7, 8, 9, 1]]
  });

  it("drops exact rows, then repeated ids keeping the first", () => {
    const p = prepare(ds, BASE);
    expect(p.report.duplicates).toEqual({ exactRows: 1, duplicateIds: 2, exampleIds: ["b", "a"] });
    expect(Array.from(p.rows)).toEqual([0, 1, 3, 5]);
    expect(p.ids).toEqual(["a", "b", "c", "d"]);
    expect(column(p.matrix, "x")).toEqual([1, 2, 3, 4]);
    expect(p.report.inputRows).toBe(7);
    expect(p.report.outputRows).toBe(4);
  });

  it("never treats missing ids as duplicates of each other", () => {
    const p = prepare(dataset({ id: ["id", [null, null, "a"]], x: ["numeric", [1, 2, 3]] }), BASE);
    expect(p.report.duplicates.duplicateIds).toBe(0);
    expect(p.ids).toEqual(["(row 1)", "(row 2)", "a"]);
  });

  it("keeps the same rows as arquero's dedupe() (NaN, null, -0 included)", () => {
    // Reference: arquero dedupe over all columns, then over the id (rows with a null id never repeat).
    const rng = new Rng(3);
    const n = 3000;
    const pick = <T>(xs: T[]) => xs[rng.int(xs.length)];
    const t = aq.table({
      id: Array.from({ length: n }, () => pick(["a", "b", "c", "d", "e", "f", "g", "h", null])),
      x: Float64Array.from({ length: n }, () => pick([0, -0, 1, 2.5, NaN])),
      s: Array.from({ length: n }, () => pick(["u", "v", null]))
    });
    const rowIndex = Int32Array.from({ length: n }, (_, i) => i);
    const exact = t.assign({ r: rowIndex }).dedupe("id", "x", "s");
    const ids = exact.array("id") as Array<string | null>;
    const er = exact.array("r") as number[];
    const byId = exact.assign({ k: ids.map((v, i) => v ?? `null${er[i]}`) }).dedupe("k");
    const got = dedupeRows(t, "id");
    expect(got.exactRows).toBe(n - exact.numRows());
    expect(Array.from(got.rows)).toEqual(Array.from(byId.array("r") as number[]));
    const exactOnly = dedupeRows(t, undefined);
    expect(Array.from(exactOnly.rows)).toEqual(Array.from(er));
  });

  it("uses the 1-based row number as id without an id column", () => {
    const p = prepare(dataset({ x: ["numeric", [1, 2, 1, 3]] }), BASE);
    expect(p.report.duplicates.exactRows).toBe(1);
    expect(p.ids).toEqual(["1", "2", "4"]);
  });
});

describe("missing values", () => {
  const ds = dataset({
    id: ["id", ["p", "q", "r", "s", "t"]],
    spend: ["numeric", [1, null, 3, 10, 3]],
    channel: ["categorical", ["b", null, "a", "b", "a"]],
    gold: ["label", ["x", "y", null, "x", "y"]]
  });

  it("imputes the median and the mode (ties → first in sorted order)", () => {
    const p = prepare(ds, BASE);
    // median of 1, 3, 10, 3 = 3 (numpy.median); mode: a ×2, b ×2 → "a"
    expect(p.report.missing).toEqual([
      { column: "spend", count: 1, action: "median", fill: 3 },
      { column: "channel", count: 1, action: "mode", fill: "a" },
      { column: "gold", count: 1, action: "label", fill: "(missing)" }
    ]);
    expect(column(p.unscaled, "spend")).toEqual([1, 3, 3, 10, 3]);
    expect(column(p.unscaled, "channel=a")).toEqual([0, 1, 1, 0, 1]);
    expect(p.label).toEqual(["x", "y", "(missing)", "x", "y"]);
    // profile keeps the values as read
    expect(Number.isNaN(p.profile.spend[1])).toBe(true);
  });

  it("drops rows with any missing feature, keeping rows with a missing label", () => {
    const p = prepare(ds, opts({ missing: "drop" }));
    expect(Array.from(p.rows)).toEqual([0, 2, 3, 4]);
    expect(p.report.missingRowsDropped).toBe(1);
    expect(p.label).toEqual(["x", "(missing)", "x", "y"]);
  });

  it("says which step removed every row and how to fix it", () => {
    const bad = dataset({ x: ["numeric", [1, null, 3]], y: ["numeric", [null, 2, null]] });
    expect(() => prepare(bad, opts({ missing: "drop" }))).toThrow(WorkbenchError);
    expect(() => prepare(bad, opts({ missing: "drop" }))).toThrow(/removed all 3 rows.*--missing median/);
  });
});

describe("outliers", () => {
  // numpy.percentile([1,2,3,4,5,6,7,8,9,100,-50,4.5], [25, 75]) = 2.75, 7.25 → fences −4, 14
  const v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 100, -50, 4.5];
  const ds = dataset({ v: ["numeric", v], w: ["numeric", v.map((_, i) => i % 3)] });

  it("IQR fences match numpy.percentile (linear)", () => {
    const sorted = Float64Array.from(v).sort();
    expect(quantileSorted(sorted, 0.25)).toBe(2.75);
    expect(quantileSorted(sorted, 0.75)).toBe(7.25);
    const p = prepare(ds, BASE);
    expect(p.report.outliers.columns[0]).toEqual({ column: "v", count: 2, lower: -4, upper: 14 });
    expect(column(p.matrix, "v")).toEqual(v); // keep: unchanged
  });

  it("selection-based quantiles equal the sort-based ones (ties, odd and even n, sampled pivots above 600)", () => {
    const rng = new Rng(11);
    for (const n of [1, 2, 5, 10, 101, 1000, 5001, 100_000]) {
      const tied = Float64Array.from({ length: n }, () => rng.int(7) - 3 + (rng.random() < 0.3 ? rng.random() : 0));
      const smooth = Float64Array.from({ length: n }, () => rng.normal() * 1e3);
      for (const x of [tied, smooth]) {
        const sorted = Float64Array.from(x).sort();
        const ps = [0.75, 0.25, 0.5, 0, 1, 0.1, 0.999];
        expect(quantiles(x, ps)).toEqual(ps.map((p) => quantileSorted(sorted, p)));
      }
    }
  });

  it("caps to the IQR fences", () => {
    const p = prepare(ds, opts({ outliers: "cap" }));
    expect(column(p.matrix, "v")).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 14, -4, 4.5]);
  });

  it("drops rows flagged in any feature", () => {
    const p = prepare(ds, opts({ outliers: "drop" }));
    expect(Array.from(p.rows)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 11]);
    expect(p.report.outliers.rowsDropped).toBe(2);
  });

  it("fits each column's fill as the median of the values it keeps, whatever the outlier rule and action", () => {
    // The median comes from the fences' selection under iqr with keep or cap; it must equal the
    // median of the prepared (unscaled) column, which under drop has fewer rows.
    const rng = new Rng(29);
    for (let trial = 0; trial < 20; trial++) {
      const n = 5 + rng.int(200);
      const v = Array.from({ length: n }, () => (rng.random() < 0.1 ? 100 * rng.normal() : rng.int(7) + rng.random()));
      const w = Array.from({ length: n }, () => rng.int(5));
      for (const outlierRule of ["iqr", "zscore"] as const) {
        for (const outliers of ["keep", "cap", "drop"] as const) {
          const p = prepare(dataset({ v: ["numeric", v], w: ["numeric", w] }), opts({ outlierRule, outliers }));
          for (const f of p.fitted.features) {
            if (f.kind !== "number") continue;
            const kept = Float64Array.from(column(p.unscaled, f.name));
            expect(f.fill, `${outlierRule} ${outliers} ${f.name} n=${n}`).toBe(quantiles(kept, [0.5])[0]);
          }
        }
      }
    }
  });

  it("caps at mean ± t·σ (population σ) for the zscore rule", () => {
    // numpy: w = [10..19, 200]; w.mean() ± 3 * w.std() = -128.82968692558902, 191.55695965286176
    const w = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 200];
    const p = prepare(dataset({ w: ["numeric", w] }), opts({ outlierRule: "zscore", outliers: "cap" }));
    const c = p.report.outliers.columns[0];
    expect(c.count).toBe(1);
    expect(c.lower).toBeCloseTo(-128.82968692558902, 10);
    expect(c.upper).toBeCloseTo(191.55695965286176, 10);
    expect(column(p.unscaled, "w")[10]).toBeCloseTo(191.55695965286176, 10);
    expect(p.report.outliers.threshold).toBe(3);
  });

  it("reports an error when outlier dropping removes everything", () => {
    // mean 11/6, σ ≈ 0.85: fences 11/6 ± 0.085 exclude all three rows
    const ds2 = dataset({ x: ["numeric", [1, 3, 1.5]] });
    expect(() => prepare(ds2, opts({ outlierRule: "zscore", outlierThreshold: 0.1, outliers: "drop" }))).toThrow(
      /outliers "drop"\) removed all 3 rows/
    );
  });

  it("leaves a two-valued column (a 0/1 flag) alone: no fences, no outliers", () => {
    // 1 of 8 is a one: Tukey's fences would be [0, 0] and capping would erase the flag.
    const p = prepare(dataset({ x: ["numeric", [1, 2, 3, 4, 5, 6, 7, 8]], flag: ["numeric", [0, 0, 0, 1, 0, 0, 0, 0]] }), opts({ outliers: "cap" }));
    expect(p.report.outliers.columns.find((c) => c.column === "flag")).toEqual({ column: "flag", count: 0, lower: NaN, upper: NaN });
    expect(Array.from(p.profile.flag)).toEqual([0, 0, 0, 1, 0, 0, 0, 0]);
    expect(p.matrix.names).toContain("flag");
  });
});

describe("transform", () => {
  it("log1p transforms the matrix, not the unscaled values", () => {
    // Math.log1p = numpy.log1p([0, 1, 9, 99]) = [0, 0.6931471805599453, 2.3025850929940455, 4.605170185988091]
    const p = prepare(dataset({ x: ["numeric", [0, 1, 9, 99]] }), opts({ transform: "log1p" }));
    expectClose(column(p.matrix, "x"), [0, 0.6931471805599453, 2.3025850929940455, 4.605170185988091], 14);
    expect(column(p.unscaled, "x")).toEqual([0, 1, 9, 99]);
    expect(p.report.transform).toEqual({ kind: "log1p", columns: ["x"] });
  });

  it("rejects values ≤ −1 naming the column, the value and the fix", () => {
    const ds = dataset({ x: ["numeric", [0, -1, 3]] });
    expect(() => prepare(ds, opts({ transform: "log1p" }))).toThrow(
      /fixture\.csv, line 3, column "x".*found "-1".*transform "none"/
    );
  });

  it("skewed transforms only columns with sample skewness > 1", () => {
    // scipy.stats.skew(..., bias=False): [1,1,2,2,3,50] → 2.4415625481150935, [1..6] → 0
    expect(skewness(Float64Array.from([1, 1, 2, 2, 3, 50]))).toBeCloseTo(2.4415625481150935, 12);
    const ds = dataset({ s: ["numeric", [1, 1, 2, 2, 3, 50]], u: ["numeric", [1, 2, 3, 4, 5, 6]] });
    const p = prepare(ds, opts({ transform: "skewed" }));
    expect(p.report.transform.columns).toEqual(["s"]);
    expect(p.report.transform.skewness![0].skewness).toBeCloseTo(2.4415625481150935, 12);
    expect(column(p.matrix, "s")[5]).toBeCloseTo(Math.log(51), 14);
    expect(column(p.matrix, "u")).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe("encoding and zero variance", () => {
  it("one-hot columns are named Column=value in sorted order", () => {
    const ds = dataset({ Channel: ["categorical", ["Retail", "Horeca", "Retail"]], x: ["numeric", [1, 2, 3]] });
    const p = prepare(ds, BASE);
    expect(p.matrix.names).toEqual(["Channel=Horeca", "Channel=Retail", "x"]);
    expect(column(p.matrix, "Channel=Horeca")).toEqual([0, 1, 0]);
    expect(p.report.encoded).toEqual([{ column: "Channel", categories: ["Horeca", "Retail"] }]);
  });

  it("scales one-hot columns to 0 and 1/√2, so a category change weighs one SD whatever its share", () => {
    const ds = dataset({ plan: ["categorical", ["rare", "common", "common", "common", "common"]], x: ["numeric", [1, 2, 3, 4, 5]] });
    const p = prepare(ds, opts({ scale: "zscore" }));
    expectClose(column(p.matrix, "plan=rare"), [Math.SQRT1_2, 0, 0, 0, 0]);
    expectClose(column(p.matrix, "plan=common"), [0, Math.SQRT1_2, Math.SQRT1_2, Math.SQRT1_2, Math.SQRT1_2]);
    // Numeric columns are still StandardScaler's.
    expectClose(column(p.matrix, "x"), [-2, -1, 0, 1, 2].map((v) => v / Math.SQRT2));
  });

  it("drops zero-variance columns with a note and never yields NaN", () => {
    const ds = dataset({
      c: ["numeric", [5, 5, 5, 5]],
      Region: ["categorical", ["X", "X", "X", "X"]],
      x: ["numeric", [1, 2, 3, 4]]
    });
    const p = prepare(ds, opts({ scale: "zscore" }));
    expect(p.matrix.names).toEqual(["x"]);
    expect(p.report.droppedColumns.map((c) => c.column)).toEqual(["c", "Region=X"]);
    expect(p.report.notes.some((n) => n.includes('"c" dropped'))).toBe(true);
    expect(p.matrix.data.every((v) => Number.isFinite(v))).toBe(true);
  });

  it("errors when no feature column is left", () => {
    const ds = dataset({ c: ["numeric", [5, 5]], d: ["categorical", ["k", "k"]] });
    expect(() => prepare(ds, BASE)).toThrow(/no feature columns/);
  });

  it("turns a date column into days since its latest date", () => {
    const day = (s: string) => Date.parse(s + "T00:00:00Z");
    const ds = dataset({
      last: ["date", [day("2024-01-01"), day("2024-01-11"), day("2023-12-31")]],
      x: ["numeric", [1, 2, 3]]
    });
    const p = prepare(ds, BASE);
    expect(column(p.matrix, "days since last")).toEqual([10, 0, 11]);
    expect(p.report.notes.some((n) => n.includes("2024-01-11"))).toBe(true);
  });
});

describe("scaling equals scikit-learn", () => {
  // X below; expected values printed by /usr/bin/python3 with scikit-learn 1.2.1:
  //   StandardScaler().fit_transform(X), MinMaxScaler().fit_transform(X), RobustScaler().fit_transform(X)
  const X = [
    [1, 10, 0.5],
    [2, 20, 0.1],
    [3, 35, 0.9],
    [4, 15, 0.3],
    [10, 12, 0.7],
    [6, 50, 0.2]
  ];
  const ds = dataset({
    a: ["numeric", X.map((r) => r[0])],
    b: ["numeric", X.map((r) => r[1])],
    c: ["numeric", X.map((r) => r[2])]
  });
  const cases: Array<[PrepareOptions["scale"], number[][]]> = [
    ["zscore", [
      [-1.11803398875, -0.953230637699, 0.177704663328],
      [-0.782623792125, -0.255744805236, -1.243932643294],
      [-0.4472135955, 0.790483943458, 1.59934196995],
      [-0.111803398875, -0.604487721468, -0.533113989983],
      [1.900657780875, -0.813733471207, 0.888523316639],
      [0.559016994375, 1.836712692152, -0.888523316639]
    ]],
    ["minmax", [
      [0.0, 0.0, 0.5],
      [0.111111111111, 0.25, 0.0],
      [0.222222222222, 0.625, 1.0],
      [0.333333333333, 0.125, 0.25],
      [1.0, 0.05, 0.75],
      [0.555555555556, 1.0, 0.125]
    ]],
    ["robust", [
      [-0.769230769231, -0.405405405405, 0.235294117647],
      [-0.461538461538, 0.135135135135, -0.705882352941],
      [-0.153846153846, 0.945945945946, 1.176470588235],
      [0.153846153846, -0.135135135135, -0.235294117647],
      [2.0, -0.297297297297, 0.705882352941],
      [0.769230769231, 1.756756756757, -0.470588235294]
    ]]
  ];
  for (const [scale, expected] of cases) {
    it(scale, () => {
      const p = prepare(ds, opts({ scale }));
      expectClose(p.matrix.data, expected.flat(), 11);
      expect(Array.from(p.unscaled.data)).toEqual(X.flat());
    });
  }

  it("robust scaling leaves a column with IQR 0 unscaled (sklearn divides by 1)", () => {
    // median 0, Q1 = Q3 = 0 → (x − 0) / 1
    const ds1 = dataset({ id: ["id", ["a", "b", "c", "d", "e", "f"]], x: ["numeric", [0, 0, 0, 0, 0, 1]] });
    const p = prepare(ds1, opts({ scale: "robust" }));
    expect(column(p.matrix, "x")).toEqual([0, 0, 0, 0, 0, 1]);
  });
});

describe("report and immutability", () => {
  it("leaves the input table unchanged and the report JSON-able", () => {
    const ds = dataset({
      id: ["id", ["a", "b", "c", "a", "d"]],
      x: ["numeric", [1, null, 300, 4, 5]],
      k: ["categorical", ["u", null, "v", "u", "v"]],
      p: ["profile", [1, 0, null, 1, 0]]
    });
    const before = JSON.stringify(ds.table.objects());
    const arrays = ds.table.columnNames().map((n) => Array.from(ds.table.column(n) as unknown as ArrayLike<unknown>));
    const p = prepare(ds, opts({ outliers: "cap", transform: "log1p", scale: "zscore" }));
    expect(JSON.stringify(ds.table.objects())).toBe(before);
    ds.table.columnNames().forEach((n, j) => {
      const now = Array.from(ds.table.column(n) as unknown as ArrayLike<unknown>);
      expect(now).toEqual(arrays[j]);
    });
    expect(JSON.parse(JSON.stringify(p.report))).toEqual(p.report);
    expect(p.matrix.data.every((v) => Number.isFinite(v))).toBe(true);
    expect(Object.keys(p.profile).sort()).toEqual(["p", "x"]);
  });

  it("rejects an impossible option naming it", () => {
    const ds = dataset({ x: ["numeric", [1, 2]] });
    expect(() => prepare(ds, opts({ outlierThreshold: -1 }))).toThrow(/prepare\.outlierThreshold/);
  });
});
