import { describe, expect, it } from "vitest";
import type { CountModel } from "../loaders/value/countTypes.ts";
import { holdoutCheck, pearson, trackingCurve } from "../loaders/value/holdout.ts";
import { randomBeta, randomGamma, simulatePurchases } from "../loaders/value/simulate.ts";
import type { Purchases } from "../loaders/features/rfm.ts";
import { summarizePurchases } from "../loaders/value/summary.ts";
import { Rng } from "../loaders/rng.ts";

// Three customers, weeks; calibration ends on day 13, holdout on day 27.
//   A: first day 0, repeats on 7 (cal) and 20 (holdout)    → x = 1
//   B: first day 7, repeat on 8 (cal), 14 and 27 (holdout) → x = 1
//   C: first day 13                                         → x = 0
const rows: [number, number][] = [[0, 0], [0, 7], [0, 20], [1, 7], [1, 8], [1, 14], [1, 27], [2, 13]];
const purchases: Purchases = {
  customer: Int32Array.from(rows, (r) => r[0]), day: Int32Array.from(rows, (r) => r[1]), amount: new Float64Array(rows.length).fill(1)
};
const summary = summarizePurchases(purchases, { calibrationEnd: 13, holdoutEnd: 27, periodDays: 7 });

describe("holdout check (Figure 4 of Fader, Hardie & Lee 2005)", () => {
  it("totals, errors and means by calibration frequency", () => {
    const expected = Float64Array.of(0.5, 1.5, 0.25);
    const h = holdoutCheck(summary, expected, 1);
    expect(h.periods).toBe(2);
    expect(h.actual).toBe(3);
    expect(h.expected).toBe(2.25);
    expect(h.meanAbsoluteError).toBeCloseTo((0.5 + 0.5 + 0.25) / 3, 14);
    expect(h.byFrequency).toEqual([
      { x: "0", customers: 1, actual: 0, expected: 0.25 },
      { x: "1+", customers: 2, actual: 1.5, expected: 1 }
    ]);
    expect(h.correlation).toBeCloseTo(pearson([1, 2, 0], [0.5, 1.5, 0.25])!, 14);
  });

  it("defines the correlation's edge cases", () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 14);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 14);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNull();
    expect(pearson([1], [1])).toBeNull();
  });
});

describe("tracking curve (Figure 2)", () => {
  it("adds each customer's expected curve from their first day", () => {
    // A toy model with E[X(t)] = t (periods): expected cumulative at the end of period k (day e) is
    // Σ over customers who started by e of (e − first) / 7.
    const toy = { expected: (_: unknown, t: number) => t } as unknown as CountModel;
    const curve = trackingCurve(toy, {}, summary);
    expect(summary.curve.periods).toBe(4); // days 0–6, 7–13, 14–20, 21–27
    const ends = [6, 13, 20, 27];
    const firsts = [0, 7, 13];
    ends.forEach((e, k) => {
      const direct = firsts.filter((f) => f <= e).reduce((s, f) => s + (e - f) / 7, 0);
      expect(curve.cumulativeExpected[k]).toBeCloseTo(direct, 14);
    });
    // Actual repeat purchases per period: 7, 8 | 14, 20 | 27.
    expect(curve.actual).toEqual([0, 2, 2, 1]);
    expect(curve.cumulativeActual).toEqual([0, 2, 4, 5]);
  });
});

describe("simulators", () => {
  it("draw Gamma and Beta variates with the right means", () => {
    const rng = new Rng(1);
    for (const [shape, rate] of [[0.3, 2], [2.5, 0.5], [40, 4]]) {
      let sum = 0;
      for (let i = 0; i < 40_000; i++) sum += randomGamma(rng, shape, rate);
      expect(sum / 40_000 / (shape / rate)).toBeCloseTo(1, 1);
    }
    let sum = 0;
    for (let i = 0; i < 40_000; i++) sum += randomBeta(rng, 0.8, 2.4);
    expect(sum / 40_000).toBeCloseTo(0.8 / 3.2, 2);
  });

  it("write a seeded purchase log that is sorted, in range and reproducible", () => {
    const spec = { model: "pnbd" as const, params: { r: 0.6, alpha: 8, s: 0.8, beta: 12 } };
    const options = { customers: 500, startDay: 100, acquisitionDays: 28, endDay: 400, periodDays: 7 as const, spend: { p: 6, q: 4, v: 15 } };
    const a = simulatePurchases(spec, options, new Rng(7));
    const b = simulatePurchases(spec, options, new Rng(7));
    expect(a).toEqual(b);
    let firstDays = 0;
    for (let i = 0; i < a.day.length; i++) {
      expect(a.day[i]).toBeLessThanOrEqual(400);
      expect(a.amount[i]).toBeGreaterThan(0);
      if (i === 0 || a.customer[i] !== a.customer[i - 1]) {
        firstDays++;
        expect(a.day[i]).toBeGreaterThanOrEqual(100);
        expect(a.day[i]).toBeLessThan(128);
      } else {
        expect(a.day[i]).toBeGreaterThan(a.day[i - 1]); // one purchase per customer-day
      }
    }
    expect(firstDays).toBe(500);
  });
});
