import { describe, expect, it } from "vitest";
import { WorkbenchError } from "../loaders/errors.ts";
import type { Purchases } from "../loaders/features/rfm.ts";
import { summarizePurchases } from "../loaders/value/summary.ts";
import { compressTriples, thinTriples } from "../loaders/value/triples.ts";

// Rows deliberately out of order. Calibration ends on day 100 (inclusive), holdout on day 121.
//   customer 0: days 10 (5 + 3, two rows), 24 (10), 52 (20) | holdout 110 (7) | after the end 130
//   customer 1: one purchase on the calibration end itself
//   customer 2: first purchase on day 101, after the calibration end: not in the cohort
//   customer 3: no purchase at all
//   customer 4: days 3, 50 (4) | holdout 105, 115
const rows: [number, number, number][] = [
  [4, 105, 1], [0, 52, 20], [0, 10, 5], [1, 100, 9], [0, 130, 2], [2, 101, 6], [0, 24, 10], [4, 3, 2],
  [0, 110, 7], [4, 50, 4], [0, 10, 3], [4, 115, 1]
];
const purchases: Purchases = {
  customer: Int32Array.from(rows, (r) => r[0]),
  day: Int32Array.from(rows, (r) => r[1]),
  amount: Float64Array.from(rows, (r) => r[2])
};

describe("summarizePurchases", () => {
  const s = summarizePurchases(purchases, { calibrationEnd: 100, holdoutEnd: 121, periodDays: 7, customers: 5 });

  it("computes x, tx, T, mean repeat spend and holdout purchases per cohort customer", () => {
    expect(Array.from(s.customer)).toEqual([0, 1, 4]);
    expect(Array.from(s.x)).toEqual([2, 0, 1]);
    expect(Array.from(s.tx)).toEqual([42 / 7, 0, 47 / 7]);
    expect(Array.from(s.T)).toEqual([90 / 7, 0, 97 / 7]);
    // Mean of the repeat purchases only: the first (merged 5 + 3) is left out.
    expect(Array.from(s.meanRepeatSpend)).toEqual([15, 0, 4]);
    expect(Array.from(s.firstDay)).toEqual([10, 100, 3]);
    expect(Array.from(s.holdout!)).toEqual([1, 0, 2]);
    expect(s.holdoutPeriods).toBe(3);
  });

  it("counts what it leaves out", () => {
    expect(s.excluded).toEqual({ firstAfterCalibration: 1, noPurchases: 1 });
    expect(s.mergedRows).toBe(1);
    expect(s.purchasesAfterEnd).toBe(1);
  });

  it("keeps the cohort's repeat purchases per period for the tracking curve", () => {
    const c = s.curve;
    expect(c.startDay).toBe(3);
    expect(c.periods).toBe(17); // days 3..121
    expect(c.calibrationPeriods).toBe(14); // days 3..100
    const expected = new Array(17).fill(0);
    for (const d of [24, 52, 110, 50, 105, 115]) expected[Math.floor((d - 3) / 7)]++;
    expect(Array.from(c.repeatPurchases)).toEqual(expected);
    expect(Array.from(c.firstDays)).toEqual([3, 10, 100]);
    expect(Array.from(c.firstDayCustomers)).toEqual([1, 1, 1]);
  });

  it("works in days and without a holdout (later purchases are then ignored and counted)", () => {
    const d = summarizePurchases(purchases, { calibrationEnd: 100, periodDays: 1 });
    expect(Array.from(d.tx)).toEqual([42, 0, 47]);
    expect(Array.from(d.T)).toEqual([90, 0, 97]);
    expect(d.holdout).toBeNull();
    expect(d.holdoutPeriods).toBeNull();
    expect(d.purchasesAfterEnd).toBe(4);
    expect(d.excluded.noPurchases).toBe(1); // customer 3, below the largest index
    expect(d.curve.periods).toBe(98);
  });

  it("gives the same summary for sorted and unsorted rows", () => {
    const order = rows.map((_, i) => i).sort((i, j) => rows[i][0] - rows[j][0] || rows[i][1] - rows[j][1]);
    const sorted: Purchases = {
      customer: Int32Array.from(order, (i) => rows[i][0]),
      day: Int32Array.from(order, (i) => rows[i][1]),
      amount: Float64Array.from(order, (i) => rows[i][2])
    };
    const t = summarizePurchases(sorted, { calibrationEnd: 100, holdoutEnd: 121, periodDays: 7, customers: 5 });
    expect(t).toEqual(s);
  });

  it("rejects impossible settings and purchases with a message naming them", () => {
    const bad = (f: () => unknown, pattern: RegExp) => {
      expect(f).toThrow(WorkbenchError);
      expect(f).toThrow(pattern);
    };
    bad(() => summarizePurchases(purchases, { calibrationEnd: 100, periodDays: 3 as 7 }), /periodDays.*1 \(days\) or 7/);
    bad(() => summarizePurchases(purchases, { calibrationEnd: 100, holdoutEnd: 100, periodDays: 7 }), /holdoutEnd.*after calibrationEnd/);
    bad(() => summarizePurchases(purchases, { calibrationEnd: 100.5, periodDays: 7 }), /calibrationEnd/);
    bad(() => summarizePurchases(purchases, { calibrationEnd: 100, periodDays: 7, customers: 3 }), /outside the customer list/);
    bad(() => summarizePurchases({ ...purchases, amount: purchases.amount.map((v, i) => (i === 2 ? NaN : v)) }, { calibrationEnd: 100, periodDays: 7 }), /purchase 2 has no usable amount/);
    bad(() => summarizePurchases({ ...purchases, day: purchases.day.subarray(1) }, { calibrationEnd: 100, periodDays: 7 }), /differ in length/);
  });
});

describe("compressTriples", () => {
  it("groups customers with the same (x, tx, T) and indexes times and (x, time) pairs", () => {
    const x = [0, 2, 0, 2, 1, 0], tx = [0, 3, 0, 3, 3, 0], T = [5, 5, 5, 5, 4, 4];
    const t = compressTriples(x, tx, T);
    expect(t.n).toBe(4);
    expect(Array.from(t.weight)).toEqual([2, 2, 1, 1]);
    expect(Array.from(t.ofCustomer)).toEqual([0, 1, 0, 1, 2, 3]);
    expect(t.customers).toBe(6);
    expect(t.maxX).toBe(2);
    expect(Array.from(t.times)).toEqual([0, 5, 3, 4]);
    for (let k = 0; k < t.n; k++) {
      expect(t.times[t.txIndex[k]]).toBe(t.tx[k]);
      expect(t.times[t.TIndex[k]]).toBe(t.T[k]);
      expect(t.pairX[t.pairOfTx[k]]).toBe(t.x[k]);
      expect(t.times[t.pairTime[t.pairOfT[k]]]).toBe(t.T[k]);
    }
  });

  it("rejects an impossible summary", () => {
    expect(() => compressTriples([1.5], [0], [1])).toThrow(WorkbenchError);
    expect(() => compressTriples([1], [2], [1])).toThrow(/impossible summary/);
    expect(() => compressTriples([0], [1], [2])).toThrow(/tx = 0 when x = 0/);
  });

  it("thins to every k-th customer for a warm start, keeping the shared tables", () => {
    const n = 1000;
    const x = Array.from({ length: n }, (_, i) => i % 3), tx = x.map((v, i) => (v ? (i % 7) + 1 : 0)), T = x.map(() => 10);
    const t = compressTriples(x, tx, T);
    expect(thinTriples(t, 500)).toBeNull();
    const thin = thinTriples(t, 100)!;
    expect(thin.customers).toBe(100);
    expect(thin.weight.reduce((a, b) => a + b, 0)).toBe(100);
    expect(thin.times).toBe(t.times);
  });
});
