import { describe, expect, it } from "vitest";
import { orderBySize } from "../loaders/profile/order.ts";
import { segmentProfiles } from "../loaders/profile/profile.ts";
import { goldStandardLabels } from "../loaders/report/analyze.ts";

const m = (names: string[], rows: number[][]) => ({ names, n: rows.length, d: names.length, data: new Float64Array(rows.flat()) });

describe("segment profiles", () => {
  it("gives segment means, overall means and standardized differences, skipping missing values", () => {
    // spend: overall mean 25, population SD sqrt(((10-25)²+(20-25)²+(30-25)²+(40-25)²)/4) = sqrt(125)
    const X = m(["spend", "flag"], [[10, 1], [20, NaN], [30, 0], [40, 0]]);
    const [a, b] = segmentProfiles(X, Int32Array.from([0, 0, 1, 1]), 2);
    expect(a[0]).toEqual({ feature: "spend", mean: 15, overall: 25, z: (15 - 25) / Math.sqrt(125) });
    expect(b[0].z).toBeCloseTo(10 / Math.sqrt(125), 12);
    // flag: values 1, 0, 0 → overall 1/3; segment 0 has only the 1.
    expect(a[1].mean).toBe(1);
    expect(a[1].overall).toBeCloseTo(1 / 3, 12);
  });

  it("gives z = 0 for a constant feature", () => {
    const [a] = segmentProfiles(m(["c"], [[5], [5]]), Int32Array.from([0, 0]), 1);
    expect(a[0].z).toBe(0);
  });
});

describe("orderBySize", () => {
  it("numbers segments largest first and keeps noise", () => {
    const r = orderBySize(Int32Array.from([0, 1, 1, -1, 2, 2, 2]), 3);
    expect(Array.from(r.labels)).toEqual([2, 1, 1, -1, 0, 0, 0]);
    expect(r.sizes).toEqual([3, 2, 1]);
    expect(Array.from(r.rank)).toEqual([2, 1, 0]);
  });
});

describe("gold-standard labels", () => {
  it("leaves out missing and single-customer labels and lowers the folds to the smallest class", () => {
    const r = goldStandardLabels(["a", "a", "a", "b", "b", "(missing)", "c"]);
    expect(r.labels).toEqual(["a", "a", "a", "b", "b", "", ""]);
    expect(r.folds).toBe(2);
    expect(r.skipped).toBeNull();
    expect(r.notes.join(" ")).toMatch(/1 customers without a label.*single customer left out: c.*2-fold/);
  });

  it("skips the check when fewer than two label values remain", () => {
    expect(goldStandardLabels(["a", "a", "b"]).skipped).toMatch(/1 value\(s\) with two or more customers/);
  });
});
