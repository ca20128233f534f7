import { describe, expect, it } from "vitest";
import { WorkbenchError } from "../loaders/errors.ts";
import { BEHAVIOURS, plantedCustomers, plantedTransactions, wideCustomers } from "../loaders/synthetic.ts";

const DAY = 86_400_000;

describe("plantedCustomers", () => {
  it("has the requested shape, every segment present, sizes within a factor 3", () => {
    const { matrix, truth, outliers, centres } = plantedCustomers({ n: 5000, d: 4, k: 7, seed: 1 });
    expect(matrix.n).toBe(5000);
    expect(matrix.d).toBe(4);
    expect(matrix.names).toEqual(["x1", "x2", "x3", "x4"]);
    expect(matrix.data.length).toBe(20000);
    expect(matrix.data.every(Number.isFinite)).toBe(true);
    expect(outliers.length).toBe(0);
    expect(centres.length).toBe(28);
    const sizes = new Array(7).fill(0);
    for (const t of truth) sizes[t]++;
    expect(Math.min(...sizes)).toBeGreaterThan(0);
    // Weights are drawn in [1, 3]; rounding moves each size by at most one row.
    expect(Math.max(...sizes) / Math.min(...sizes)).toBeLessThanOrEqual(3.01);
  });

  it("is reproducible and depends on the seed", () => {
    const a = plantedCustomers({ n: 1000, d: 3, k: 4, seed: 9, outlierShare: 0.05 });
    const b = plantedCustomers({ n: 1000, d: 3, k: 4, seed: 9, outlierShare: 0.05 });
    expect(b.matrix.data).toEqual(a.matrix.data);
    expect(b.truth).toEqual(a.truth);
    const c = plantedCustomers({ n: 1000, d: 3, k: 4, seed: 10, outlierShare: 0.05 });
    expect(c.matrix.data).not.toEqual(a.matrix.data);
  });

  it("keeps centres at least `separation` apart and segments around their centres", () => {
    for (const separation of [8, 4]) {
      const { matrix, truth, centres } = plantedCustomers({ n: 20000, d: 3, k: 6, seed: 2, separation });
      for (let a = 0; a < 6; a++)
        for (let b = a + 1; b < 6; b++) {
          let s = 0;
          for (let j = 0; j < 3; j++) s += (centres[a * 3 + j] - centres[b * 3 + j]) ** 2;
          expect(Math.sqrt(s)).toBeGreaterThanOrEqual(separation);
        }
      // Each segment's mean is near its centre, and its per-feature deviation is 0.8–1.2.
      for (let c = 0; c < 6; c++) {
        const rows = [...truth.keys()].filter((i) => truth[i] === c);
        for (let j = 0; j < 3; j++) {
          const v = rows.map((i) => matrix.data[i * 3 + j]);
          const mean = v.reduce((x, y) => x + y, 0) / v.length;
          const sd = Math.sqrt(v.reduce((x, y) => x + (y - mean) ** 2, 0) / v.length);
          expect(Math.abs(mean - centres[c * 3 + j])).toBeLessThan(0.15);
          expect(sd).toBeGreaterThan(0.7);
          expect(sd).toBeLessThan(1.3);
        }
      }
    }
  });

  it("plants outliers far from every segment, marked -1", () => {
    const d = 4;
    const { matrix, truth, outliers, centres } = plantedCustomers({ n: 2000, d, k: 3, seed: 4, outlierShare: 0.02 });
    expect(outliers.length).toBe(40);
    expect([...outliers]).toEqual([...truth.keys()].filter((i) => truth[i] === -1));
    for (const i of outliers)
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += (matrix.data[i * d + j] - centres[c * d + j]) ** 2;
        // Blob rows lie about √d = 2 deviations from their centre; outliers at least 6√d.
        expect(Math.sqrt(s)).toBeGreaterThanOrEqual(6 * Math.sqrt(d));
      }
  });

  it("rejects impossible options", () => {
    expect(() => plantedCustomers({ n: 3, d: 2, k: 4, seed: 1 })).toThrow(WorkbenchError);
    expect(() => plantedCustomers({ n: 100, d: 0, k: 2, seed: 1 })).toThrow(/invalid parameter d/);
    expect(() => plantedCustomers({ n: 100, d: 2, k: 2, seed: 1, outlierShare: 0.6 })).toThrow(/outlierShare/);
  });
});

describe("plantedTransactions", () => {
  const log = plantedTransactions({ customers: 2000, seed: 5 });
  const end = Date.parse("2024-12-31T00:00:00Z");

  it("returns parallel arrays sorted by date, dates at UTC midnight within two years", () => {
    const m = log.date.length;
    expect(log.customerId.length).toBe(m);
    expect(log.amount.length).toBe(m);
    expect(log.quantity.length).toBe(m);
    for (let i = 0; i < m; i++) {
      expect(log.date[i] % DAY).toBe(0);
      if (i > 0) expect(log.date[i]).toBeGreaterThanOrEqual(log.date[i - 1]);
    }
    expect(log.date[m - 1]).toBeLessThanOrEqual(end);
    expect(log.date[0]).toBeGreaterThanOrEqual(end - 729 * DAY);
    expect(log.quantity.every((q) => Number.isInteger(q) && q >= 1)).toBe(true);
    expect(log.amount.every((a) => a > 0 && Math.abs(a * 100 - Math.round(a * 100)) < 1e-6)).toBe(true);
    expect(new Set(log.customerId).size).toBeLessThanOrEqual(2000);
    expect(log.customers.id).toHaveLength(2000);
    expect(log.groupNames).toEqual(BEHAVIOURS.map((b) => b.name));
  });

  it("gives each customer its group's purchase count and time window", () => {
    const byCustomer = new Map<string, number[]>();
    log.customerId.forEach((id, i) => {
      const list = byCustomer.get(id) ?? [];
      list.push(i);
      byCustomer.set(id, list);
    });
    const groupSizes = new Array(BEHAVIOURS.length).fill(0);
    log.customers.id.forEach((id, c) => {
      const b = BEHAVIOURS[log.customers.group[c]];
      groupSizes[log.customers.group[c]]++;
      const rows = byCustomer.get(id) ?? [];
      expect(rows.length).toBeGreaterThanOrEqual(b.purchases[0]);
      expect(rows.length).toBeLessThanOrEqual(b.purchases[1]);
      for (const i of rows) {
        const daysAgo = (end - log.date[i]) / DAY;
        expect(daysAgo).toBeGreaterThanOrEqual(b.daysAgo[0]);
        expect(daysAgo).toBeLessThanOrEqual(b.daysAgo[1]);
        expect(log.quantity[i]).toBeLessThanOrEqual(b.maxQuantity);
      }
    });
    // Shares are apportioned exactly (largest remainders).
    BEHAVIOURS.forEach((b, g) => expect(Math.abs(groupSizes[g] - b.share * 2000)).toBeLessThanOrEqual(1));
  });

  it("is reproducible", () => {
    const again = plantedTransactions({ customers: 2000, seed: 5 });
    expect(again.amount).toEqual(log.amount);
    expect(again.customerId).toEqual(log.customerId);
  });
});

describe("wideCustomers", () => {
  it("is a prepared one-hot table: numeric columns, then one 1/√2 per categorical column", () => {
    const { matrix, truth } = wideCustomers({ n: 300, seed: 4, numeric: 2, categorical: 5, segments: 3 });
    const onehot = matrix.names.slice(2);
    expect(matrix.names.slice(0, 2)).toEqual(["x1", "x2"]);
    expect(new Set(onehot.map((name) => name.split("=")[0])).size).toBe(5);
    expect(onehot.length).toBeGreaterThanOrEqual(10);
    expect(onehot.length).toBeLessThanOrEqual(20);
    for (let i = 0; i < matrix.n; i++) {
      const row = Array.from(matrix.data.subarray(i * matrix.d + 2, (i + 1) * matrix.d));
      expect(row.filter((v) => v !== 0)).toEqual(new Array(5).fill(1 / Math.SQRT2));
    }
    expect(new Set(truth).size).toBe(3);
  });

  it("is reproducible and depends on the seed", () => {
    const a = wideCustomers({ n: 200, seed: 1 });
    expect(wideCustomers({ n: 200, seed: 1 }).matrix.data).toEqual(a.matrix.data);
    expect(wideCustomers({ n: 200, seed: 2 }).matrix.data).not.toEqual(a.matrix.data);
  });
});
