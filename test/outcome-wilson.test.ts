import { describe, expect, it } from "vitest";
import { WorkbenchError } from "../loaders/errors.ts";
import { segmentOutcomes, wilsonInterval, Z95 } from "../loaders/outcome/wilson.ts";

describe("Wilson score interval", () => {
  it("matches scipy 1.10", () => {
    // scipy.stats.norm.ppf(0.975)
    expect(Z95).toBe(1.959963984540054);
    // scipy.stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    const cases: [number, number, number, number][] = [
      [0, 10, 0.0, 0.27753279986288926],
      [1, 10, 0.017876213095072896, 0.4041500267952385],
      [5, 10, 0.236593090512564, 0.7634069094874361],
      [10, 10, 0.7224672001371109, 1.0],
      [334, 2240, 0.13495762983966525, 0.16445811371906055],
      [3, 7, 0.1582198552514697, 0.7495416354723428],
      [0, 1, 0.0, 0.7934506856227626],
      [1, 1, 0.20654931437723745, 1.0]
    ];
    for (const [k, n, low, high] of cases) {
      const ci = wilsonInterval(k, n);
      expect(ci.low).toBeCloseTo(low, 14);
      expect(ci.high).toBeCloseTo(high, 14);
    }
  });

  it("is exactly 0 / 1 at the ends, and refuses an empty group", () => {
    expect(wilsonInterval(0, 50).low).toBe(0);
    expect(wilsonInterval(50, 50).high).toBe(1);
    expect(() => wilsonInterval(0, 0)).toThrow(WorkbenchError);
    expect(() => wilsonInterval(3, 2)).toThrow(/0 ≤ positives ≤ n/);
  });
});

describe("segmentOutcomes", () => {
  // 3 segments + noise: segment 0 has 4 customers (3 positive), segment 1 has 4 (0 positive),
  // segment 2 none, noise 2 (1 positive): 10 customers, 4 positive, base rate 0.4.
  const labels = Int32Array.from([0, 0, 1, 1, 0, 1, -1, 0, 1, -1]);
  const y = Uint8Array.from([1, 1, 0, 0, 0, 0, 1, 1, 0, 0]);

  it("gives rate, Wilson interval and lift per segment, noise apart, empty segments as nulls", () => {
    const r = segmentOutcomes(labels, y, 3);
    expect([r.n, r.positives, r.baseRate]).toEqual([10, 4, 0.4]);
    const base = wilsonInterval(4, 10);
    expect([r.baseLow, r.baseHigh]).toEqual([base.low, base.high]);
    const s0 = wilsonInterval(3, 4);
    expect(r.segments[0]).toEqual({ segment: 0, n: 4, positives: 3, rate: 0.75, low: s0.low, high: s0.high, lift: 0.75 / 0.4 });
    expect(r.segments[1]).toMatchObject({ segment: 1, n: 4, positives: 0, rate: 0, low: 0, lift: 0 });
    expect(r.segments[2]).toEqual({ segment: 2, n: 0, positives: 0, rate: null, low: null, high: null, lift: null });
    expect(r.noise).toMatchObject({ n: 2, positives: 1, rate: 0.5, lift: 1.25 });
    // Plain data: survives JSON unchanged.
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it("has no noise entry without noise, and a null lift with a zero base rate", () => {
    const r = segmentOutcomes(Int32Array.from([0, 1, 1]), Uint8Array.from([0, 0, 0]), 2);
    expect(r.noise).toBeNull();
    expect(r.segments.map((s) => s.lift)).toEqual([null, null]);
  });

  it("rejects labels out of range, non-0/1 outcomes and length mismatches", () => {
    expect(() => segmentOutcomes(Int32Array.from([0, 3]), Uint8Array.from([0, 1]), 3)).toThrow(/customer 2 is out of range/);
    expect(() => segmentOutcomes(Int32Array.from([0, 1]), Uint8Array.from([0, 2]), 3)).toThrow(/customer 2 is not 0 or 1/);
    expect(() => segmentOutcomes(Int32Array.from([0, 1]), Uint8Array.from([0]), 3)).toThrow(/different lengths/);
    expect(() => segmentOutcomes(Int32Array.from([0]), Uint8Array.from([0]), 0)).toThrow(/invalid parameter k/);
  });
});
