import { describe, expect, it } from "vitest";
import * as aq from "arquero";
import type { DatasetTable } from "../loaders/io/types.ts";
import type { ColumnRole, DatasetEntry } from "../loaders/manifest/types.ts";
import { customerFeatures, MIN_SPAN_DAYS } from "../loaders/features/rfm.ts";
import {
  SEGMENT_GRID,
  SEGMENT_NAMES,
  fmScore,
  quintileScores,
  rfmTable,
  segmentOf
} from "../loaders/features/rfmScores.ts";
import { prepare } from "../loaders/prepare/prepare.ts";
import { WorkbenchError } from "../loaders/errors.ts";
import { readDataset } from "../loaders/io/read.ts";
import { findDataset, loadManifest } from "../loaders/manifest/load.ts";

const day = (s: string) => Date.parse(`${s}T00:00:00Z`);

function transactions(
  ids: Array<string | null>,
  dates: Array<number | null>,
  amounts: Array<number | null>,
  qty?: Array<number | null>,
  extra: { price?: Array<number | null>; invoice?: string[]; cancellations?: DatasetEntry["cancellations"] } = {}
): DatasetTable {
  const f = (v: Array<number | null>) => Float64Array.from(v, (x) => (x === null ? NaN : x));
  const data: Record<string, unknown> = { customer: ids, date: f(dates) };
  const roles: Record<string, ColumnRole> = { customer: "id", date: "date" };
  if (extra.price) {
    data.price = f(extra.price);
    roles.price = "price";
  } else {
    data.amount = f(amounts);
    roles.amount = "amount";
  }
  if (qty) {
    data.qty = f(qty);
    roles.qty = "quantity";
  }
  if (extra.invoice) {
    data.invoice = extra.invoice;
    roles.invoice = "invoice";
  }
  return {
    entry: {
      refresh: "quarterly",
      name: "log",
      title: "log",
      description: "",
      kind: "transactions",
      file: "log.txt",
      format: "whitespace",
      columns: roles,
      ...(extra.cancellations ? { cancellations: extra.cancellations } : {}),
      prepare: { missing: "median", outlierRule: "iqr", outliers: "keep", transform: "none", scale: "zscore" },
      experiment: { seed: 1 }
    },
    file: "log.txt",
    table: aq.table(data),
    columns: Object.entries(roles).map(([name, role]) => ({
      name,
      role,
      type: role === "id" || role === "invoice" ? "string" : role === "date" ? "date" : "number",
      missing: 0
    })),
    lines: Int32Array.from(ids, (_, i) => i + 2),
    rows: ids.length,
    notes: []
  };
}

// The tiny log: 5 customers, 12 usable rows, plus one row without a customer and one without a date.
// (customer, date, amount, quantity)
const LOG: Array<[string | null, string | null, number | null, number]> = [
  ["A", "2024-01-01", 10, 1],
  ["B", "2024-01-10", 100, 3],
  ["A", "2024-01-05", 20, 2],
  ["C", "2024-01-02", 8, 1],
  ["A", "2024-01-05", 5, 1], // same day as the previous A row: one purchase
  [null, "2024-01-06", 99, 9], // no customer: dropped
  ["C", "2024-01-12", 12, 1],
  ["D", "2024-01-15", 50, 5],
  ["A", "2024-01-20", 15, 1],
  ["C", "2024-01-22", 10, 2],
  ["D", "2024-01-25", null, 1], // missing amount: counts as 0
  ["C", "2024-01-30", 30, 1],
  ["E", null, 40, 1], // no date: dropped
  ["E", "2024-01-31", 7, 1]
];
const log = transactions(
  LOG.map((r) => r[0]),
  LOG.map((r) => (r[1] === null ? null : day(r[1]))),
  LOG.map((r) => r[2]),
  LOG.map((r) => r[3])
);

function col(t: DatasetTable, name: string): number[] {
  return Array.from(t.table.array(name, Float64Array) as Float64Array);
}

describe("customerFeatures", () => {
  it("computes RFM, tenure and gaps by hand on a tiny log", () => {
    const r = customerFeatures(log);
    // Default snapshot = day after the last transaction (2024-01-31) = 2024-02-01; days to it from Jan d = 32 − d.
    expect(r.snapshot).toBe("2024-02-01");
    expect(r.customers).toBe(5);
    const t = r.dataset;
    expect(t.table.array("customer")).toEqual(["A", "B", "C", "D", "E"]);
    // A: purchase days Jan 1, 5, 20 → recency 32−20 = 12, frequency 3, monetary 10+20+5+15 = 50,
    //    tenure 32−1 = 31, gaps 4 and 15 → mean 9.5, quantity 1+2+1+1 = 5
    // B: Jan 10 once → recency 22, f 1, m 100, tenure 22, gap = tenure (one-time buyer) 22, qty 3
    // C: Jan 2, 12, 22, 30 → recency 2, f 4, m 60, tenure 30, gaps 10, 10, 8 → 28/3, qty 5
    // D: Jan 15, 25 → recency 7, f 2, m 50 + 0 (missing amount), tenure 17, gap 10, qty 6
    // E: Jan 31 → recency 1, f 1, m 7, tenure 1, gap 1, qty 1
    expect(col(t, "recency")).toEqual([12, 22, 2, 7, 1]);
    expect(col(t, "frequency")).toEqual([3, 1, 4, 2, 1]);
    expect(col(t, "repeatPurchases")).toEqual([2, 0, 3, 1, 0]);
    expect(col(t, "monetary")).toEqual([50, 100, 60, 50, 7]);
    const aov = col(t, "averageOrderValue");
    [50 / 3, 100, 15, 25, 7].forEach((v, i) => expect(aov[i]).toBeCloseTo(v, 12));
    expect(col(t, "tenure")).toEqual([31, 22, 30, 17, 1]);
    const gap = col(t, "meanInterPurchaseDays");
    [9.5, 22, 28 / 3, 10, 1].forEach((v, i) => expect(gap[i]).toBeCloseTo(v, 12));
    expect(col(t, "totalQuantity")).toEqual([5, 3, 5, 6, 1]);

    expect(r.report).toMatchObject({
      transactions: 14,
      missingCustomer: 1,
      missingDate: 1,
      afterSnapshot: 0,
      used: 12,
      purchases: 11,
      missingAmount: 1
    });
    // a customer table for prepare(): id + numeric features; repeatPurchases only profiled
    expect(t.entry.kind).toBe("customers");
    expect(t.entry.columns.customer).toBe("id");
    expect(t.entry.columns.recency).toBe("numeric");
    expect(t.entry.columns.repeatPurchases).toBe("profile");
    // each customer row points at the file line of its first transaction (lines start at 2)
    expect(Array.from(t.lines)).toEqual([2, 3, 5, 9, 15]);
  });

  it("honours a snapshot and excludes transactions on or after it", () => {
    const r = customerFeatures(log, { snapshot: "2024-01-21" });
    // Excluded: C Jan 22, D Jan 25, C Jan 30, E Jan 31 → 4 rows; E has nothing left. Days to Jan 21: 21 − d.
    expect(r.report.afterSnapshot).toBe(4);
    expect(r.customers).toBe(4);
    const t = r.dataset;
    expect(t.table.array("customer")).toEqual(["A", "B", "C", "D"]);
    // A: Jan 1, 5, 20 → recency 1, tenure 20; B: recency 11; C: Jan 2, 12 → recency 9, tenure 19, gap 10;
    // D: Jan 15 → recency 6, one-time buyer gap = tenure 6
    expect(col(t, "recency")).toEqual([1, 11, 9, 6]);
    expect(col(t, "tenure")).toEqual([20, 11, 19, 6]);
    expect(col(t, "frequency")).toEqual([3, 1, 2, 1]);
    expect(col(t, "monetary")).toEqual([50, 100, 20, 50]);
    expect(col(t, "meanInterPurchaseDays")).toEqual([9.5, 11, 10, 6]);
    expect(r.report.missingAmount).toBe(0);
  });

  it("rejects a malformed snapshot and one before every transaction", () => {
    expect(() => customerFeatures(log, { snapshot: "2024-02-30" })).toThrow(/snapshot/);
    expect(() => customerFeatures(log, { snapshot: "21/01/2024" })).toThrow(WorkbenchError);
    expect(() => customerFeatures(log, { snapshot: "2023-12-01" })).toThrow(/no transactions before the snapshot 2023-12-01/);
  });

  it("feeds prepare() unchanged, with no NaN", () => {
    const p = prepare(customerFeatures(log).dataset, log.entry.prepare);
    expect(p.matrix.names).toEqual([
      "recency",
      "frequency",
      "monetary",
      "averageOrderValue",
      "tenure",
      "meanInterPurchaseDays",
      "totalQuantity"
    ]);
    expect(p.ids).toEqual(["A", "B", "C", "D", "E"]);
    expect(p.matrix.data.every(Number.isFinite)).toBe(true);
    expect(Array.from(p.profile.repeatPurchases)).toEqual([2, 0, 3, 1, 0]);
  });

  it("matches the published CDNOW totals", () => {
    // The shipped file through the project's reader (whitespace-separated, CRLF, dates YYYYMMDD).
    const log = readDataset(findDataset(loadManifest(), "cdnow"));
    const r = customerFeatures(log);
    expect(r.customers).toBe(23570);
    expect(r.snapshot).toBe("1998-07-01"); // last purchase 1998-06-30
    const sum = (name: string) => col(r.dataset, name).reduce((s, v) => s + v, 0);
    expect(Math.abs(sum("monetary") - 2500315.63)).toBeLessThan(0.01);
    expect(sum("totalQuantity")).toBe(167881);
    expect(r.report.used).toBe(69659);
  });
});

describe("real transaction logs: prices, cancellations, future dates, short logs", () => {
  // The UCI Online Retail layout: InvoiceNo (C… = cancellation), Quantity (negative when
  // cancelled), UnitPrice, CustomerID, InvoiceDate. Amount = Quantity × UnitPrice.
  const rows: Array<[string, string, string, number, number]> = [
    // invoice, customer, day, quantity, price
    ["536365", "17850", "2010-12-01", 6, 2.55],
    ["536365", "17850", "2010-12-01", 8, 3.39],
    ["536366", "17850", "2010-12-15", 6, 1.85],
    ["C536379", "17850", "2010-12-16", -1, 27.5], // cancels part of an earlier purchase
    ["536367", "13047", "2010-12-02", 32, 1.69],
    ["C536391", "13047", "2010-12-02", -12, 1.69], // same day as a purchase: netted, day still a purchase
    ["C536400", "12345", "2010-12-03", -2, 5], // a customer with nothing but a cancellation
    ["536401", "14000", "2011-03-01", 1, 100]
  ];
  const log = (rule: DatasetEntry["cancellations"]) =>
    transactions(
      rows.map((r) => r[1]),
      rows.map((r) => day(r[2])),
      [],
      rows.map((r) => r[3]),
      { price: rows.map((r) => r[4]), invoice: rows.map((r) => r[0]), cancellations: rule }
    );

  it("computes amount = quantity × price and nets cancellations out of monetary, not frequency", () => {
    const r = customerFeatures(log({ invoicePrefix: "C" }), { today: day("2026-01-01") / 86_400_000 });
    expect(r.dataset.table.array("customer")).toEqual(["17850", "13047", "14000"]);
    // 17850: 15.30 + 27.12 + 11.10 − 27.50 = 26.02 on 2 purchase days; 13047: 54.08 − 20.28 = 33.80 on 1.
    const m = col(r.dataset, "monetary");
    expect(m[0]).toBeCloseTo(26.02, 10);
    expect(m[1]).toBeCloseTo(33.8, 10);
    expect(m[2]).toBe(100);
    expect(col(r.dataset, "frequency")).toEqual([2, 1, 1]);
    expect(col(r.dataset, "totalQuantity")).toEqual([19, 20, 1]);
    expect(r.report.cancellations).toEqual({ rows: 3, value: -57.78, onlyCancelled: 1, negativeNet: 0 });
    expect(r.report.notes).toContain("3 cancellation(s) worth 57.78 netted from monetary value, not counted as purchases");
    expect(r.report.notes).toContain("1 customer(s) with only cancellations left out");
    // The same log by its negative quantities gives the same customers.
    const q = customerFeatures(log({ negativeQuantity: true }), { today: day("2026-01-01") / 86_400_000 });
    expect(col(q.dataset, "monetary")).toEqual(m);
  });

  it("without a rule, negative amounts stay in the totals and are reported", () => {
    const r = customerFeatures(log(undefined), { today: day("2026-01-01") / 86_400_000 });
    expect(r.customers).toBe(4);
    expect(r.report.negativeAmount).toBe(3);
    expect(r.report.notes.join("\n")).toMatch(/3 transaction\(s\) with a negative amount \(returns\) counted as purchases and included in the totals; a cancellation rule/);
  });

  it("leaves out dates after today instead of moving the snapshot to them", () => {
    const t = transactions(["a", "b", "a", "c"], [day("2024-01-01"), day("2024-02-01"), day("2099-01-01"), day("2024-03-01")], [5, 6, 7, 8]);
    const r = customerFeatures(t, { today: day("2024-06-01") / 86_400_000 });
    expect(r.snapshot).toBe("2024-03-02");
    expect(r.report.future).toBe(1);
    expect(r.report.notes[0]).toBe("1 transaction(s) dated after today (2024-06-01) left out: they cannot have happened yet; check their dates, or set a snapshot to keep them");
    expect(col(r.dataset, "monetary")).toEqual([5, 6, 8]);
    // An explicit snapshot is the user's word: rows after it are excluded as before.
    expect(customerFeatures(t, { snapshot: "2100-01-01", today: day("2024-06-01") / 86_400_000 }).report.future).toBe(0);
  });

  it("a log shorter than the minimum span gets a warning and names without recency", () => {
    // One day of purchases: recency is the same for everyone and says nothing.
    const ids = Array.from({ length: 20 }, (_, i) => `c${i}`);
    const t = transactions(ids, ids.map(() => day("2024-05-01")), ids.map((_, i) => 10 * (i + 1)));
    const r = customerFeatures(t, { today: day("2024-06-01") / 86_400_000 });
    expect(r.report.spanDays).toBe(1);
    expect(r.report.shortSpan).toBe(true);
    expect(r.report.notes.join("\n")).toMatch(new RegExp(`the log spans 1 day\\(s\\), under ${MIN_SPAN_DAYS}: recency cannot tell`));
    const scores = rfmTable(r.dataset.table, { recency: !r.report.shortSpan });
    // The three best customers (largest spend) are named for their value, not "At Risk".
    expect(scores.segment.slice(-3)).toEqual(["Top Customers", "Top Customers", "Top Customers"]);
    expect(scores.segment.filter((name) => !["Top Customers", "High Value", "Mid Value", "Low Value", "Lowest Value"].includes(name))).toEqual([]);
  });

  it("never calls a top-quintile spender plainly At Risk", () => {
    for (let r = 1; r <= 5; r++) for (let f = 1; f <= 5; f++) {
      const name = segmentOf(r, fmScore(f, 5), 5);
      expect(name, `R ${r}, F ${f}, M 5`).not.toMatch(/^(At Risk|Hibernating|Lost|About To Sleep)$/);
    }
  });
});

describe("RFM scores", () => {
  it("quintiles follow pandas qcut on rank(method='first')", () => {
    // n = 10: bin edges 1, 2.8, 4.6, 6.4, 8.2, 10 → ranks 1–2 → 1, 3–4 → 2, 5–6 → 3, 7–8 → 4, 9–10 → 5.
    // Ascending with ties in row order: 1(i4) 2(i7) 3(i1) 3(i2) 3(i5) 3(i9) 5(i0) 7(i8) 8(i3) 9(i6)
    // so the four 3s get 2, 2, 3, 3.
    expect(Array.from(quintileScores([5, 3, 3, 8, 1, 3, 9, 2, 7, 3]))).toEqual([4, 2, 2, 5, 1, 3, 5, 1, 4, 3]);
    // n = 7: edges 1, 2.2, 3.4, 4.6, 5.8, 7 → ranks 1,2 → 1; 3 → 2; 4 → 3; 5 → 4; 6,7 → 5
    expect(Array.from(quintileScores([70, 10, 20, 30, 40, 50, 60]))).toEqual([5, 1, 1, 2, 3, 4, 5]);
  });

  it("every (R, FM) pair maps to exactly one of the 11 names, all used", () => {
    expect(SEGMENT_GRID.length).toBe(5);
    const used = new Set<string>();
    for (let r = 1; r <= 5; r++) {
      expect(SEGMENT_GRID[r - 1].length).toBe(5);
      for (let fm = 1; fm <= 5; fm++) {
        const s = segmentOf(r, fm);
        expect(SEGMENT_NAMES).toContain(s);
        used.add(s);
      }
    }
    expect(used.size).toBe(11);
    for (let f = 1; f <= 5; f++) for (let m = 1; m <= 5; m++) expect([1, 2, 3, 4, 5]).toContain(fmScore(f, m));
    expect(segmentOf(5, fmScore(5, 5))).toBe("Champions");
    expect(segmentOf(1, fmScore(1, 1))).toBe("Lost");
    expect(segmentOf(1, fmScore(5, 4))).toBe("Can't Lose Them"); // (5 + 4) / 2 = 4.5 → 5
    expect(segmentOf(5, fmScore(1, 1))).toBe("New Customers");
    expect(segmentOf(3, fmScore(3, 3))).toBe("Need Attention");
  });

  it("scores and names the tiny log's customers", () => {
    const t = rfmTable(customerFeatures(log).dataset.table);
    // n = 5 → ranks map 1:1 to scores. recency A12 B22 C2 D7 E1 → R (more recent higher): A2 B1 C4 D3 E5
    // frequency A3 B1 C4 D2 E1 (B before E among the 1s) → F: A4 B1 C5 D3 E2
    // monetary A50 B100 C60 D50 E7 (A before D among the 50s) → M: A2 B5 C4 D3 E1
    // FM = round((F + M)/2): A 3, B 3, C 4.5 → 5, D 3, E 1.5 → 2
    expect(Array.from(t.r)).toEqual([2, 1, 4, 3, 5]);
    expect(Array.from(t.f)).toEqual([4, 1, 5, 3, 2]);
    expect(Array.from(t.m)).toEqual([2, 5, 4, 3, 1]);
    // B (R 1, FM 3) is the top spender (M 5): "Can't Lose Them", never plainly "At Risk".
    expect(t.segment).toEqual(["At Risk", "Can't Lose Them", "Loyal Customers", "Need Attention", "Potential Loyalists"]);
    expect(t.counts["At Risk"]).toBe(1);
    expect(t.counts.Champions).toBe(0);
    expect(Object.values(t.counts).reduce((a, b) => a + b, 0)).toBe(5);
  });
});
