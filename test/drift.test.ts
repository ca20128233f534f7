import { describe, expect, it } from "vitest";
import { centroidShift } from "../loaders/drift/centroidShift.ts";
import { commonRows, maxShareChange, migration, stayedShare } from "../loaders/drift/migration.ts";
import { psi, psiClass, PSI_FLOOR } from "../loaders/drift/psi.ts";
import { driftVerdict, refitAri, type DriftEvidence } from "../loaders/drift/verdict.ts";
import { WorkbenchError } from "../loaders/errors.ts";
import { makeMatrix } from "../loaders/matrix.ts";
import { Rng } from "../loaders/rng.ts";

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const repeat = (pairs: [number, number][]) => pairs.flatMap(([v, times]) => Array<number>(times).fill(v));

describe("population stability index", () => {
  /*
   * expected = 1..100. Linear quantiles: h = 99·p, so decile i sits at 1 + 9.9·i:
   *   edges 10.9, 20.8, 30.7, 40.6, 50.5, 60.4, 70.3, 80.2, 90.1 (numpy.quantile agrees).
   * Integer data fall 10 to a bin: (−∞,10.9] = 1..10, (10.9,20.8] = 11..20, …, (90.1,∞) = 91..100,
   * so every expected share is 10/100 = 0.1.
   */
  const expected = range(1, 100);
  const deciles = [10.9, 20.8, 30.7, 40.6, 50.5, 60.4, 70.3, 80.2, 90.1];

  it("matches a hand computation on a shift of +5", () => {
    /*
     * actual = 6..105 (100 values), plus 3 NaN that must be skipped; expected gets 2 NaN.
     *   bin 1 (−∞,10.9]: 6..10  = 5  → 0.05
     *   bins 2..9:       10 each     → 0.10
     *   bin 10 (90.1,∞): 91..105 = 15 → 0.15
     * terms: bin 1: (0.05 − 0.1)·ln(0.05/0.1) = −0.05·ln 0.5 = 0.05·ln 2 = 0.034657359…
     *        bins 2..9: (0.1 − 0.1)·ln 1 = 0
     *        bin 10: (0.15 − 0.1)·ln(0.15/0.1) = 0.05·ln 1.5 = 0.020273255…
     * PSI = 0.05·ln 2 + 0.05·ln 1.5 = 0.054930614… → stable (< 0.1)
     */
    const actual = [...range(6, 105), NaN, NaN, NaN];
    const r = psi([...expected, NaN, NaN], actual);
    expect(r.bins).toBe(10);
    r.edges.forEach((e, i) => expect(e).toBeCloseTo(deciles[i], 12));
    expect(r.expected).toEqual(Array(10).fill(0.1));
    expect(r.actual).toEqual([0.05, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.15]);
    expect(r.psi).toBeCloseTo(0.05 * Math.log(2) + 0.05 * Math.log(1.5), 12);
    expect(r.missing).toEqual({ expected: 2, actual: 3 });
    expect(r.n).toEqual({ expected: 100, actual: 100 });
    expect(r.class).toBe("stable");
  });

  it("floors an empty actual bin at 1e-4 without renormalising", () => {
    /*
     * actual = 16..115:
     *   bin 1 (−∞,10.9]:  none       → 0, floored to 0.0001 (others NOT rescaled, sum 1.0001)
     *   bin 2 (10.9,20.8]: 16..20 = 5  → 0.05
     *   bins 3..9:        10 each     → 0.10
     *   bin 10 (90.1,∞):  91..115 = 25 → 0.25
     * terms: bin 1: (0.0001 − 0.1)·ln(0.0001/0.1) = −0.0999·ln 0.001 = 0.0999·6.907755… = 0.690084…
     *        bin 2: (0.05 − 0.1)·ln 0.5 = 0.05·ln 2 = 0.034657…
     *        bin 10: (0.25 − 0.1)·ln 2.5 = 0.15·0.916291… = 0.137444…
     * PSI = 0.862186… → major (> 0.25)
     */
    const r = psi(expected, range(16, 115));
    expect(r.actual[0]).toBe(0);
    expect(r.terms[0]).toBeCloseTo((1e-4 - 0.1) * Math.log(1e-4 / 0.1), 12);
    expect(r.psi).toBeCloseTo((0.0001 - 0.1) * Math.log(0.001) + 0.05 * Math.log(2) + 0.15 * Math.log(2.5), 12);
    expect(r.class).toBe("major");
  });

  it("merges tied decile edges into fewer bins", () => {
    /*
     * A 4-point score: expected = 1×40, 2×30, 3×20, 4×10 (sorted positions 0–39, 40–69, 70–89, 90–99).
     * h = 99·p: 9.9→1, 19.8→1, 29.7→1, 39.6→1+0.6·(2−1)=1.6, 49.5→2, 59.4→2, 69.3→2+0.3=2.3,
     * 79.2→3, 89.1→3+0.1=3.1. Distinct edges 1, 1.6, 2, 2.3, 3, 3.1 → 7 bins.
     * Integer values land in (−∞,1], (1.6,2], (2.3,3], (3.1,∞); the others are empty on both sides.
     *   expected shares: 0.40, 0, 0.30, 0, 0.20, 0, 0.10
     *   actual = 1×25, 2×30, 3×25, 4×20 → 0.25, 0, 0.30, 0, 0.25, 0, 0.20
     * terms: (0.25 − 0.4)·ln(0.25/0.4) = 0.15·ln 1.6; (0.3 − 0.3)·ln 1 = 0;
     *        (0.25 − 0.2)·ln 1.25 = 0.05·ln 1.25; (0.2 − 0.1)·ln 2 = 0.1·ln 2;
     *        empty bins: both floored to 1e-4 → (1e-4 − 1e-4)·ln 1 = 0.
     * PSI = 0.15·ln 1.6 + 0.05·ln 1.25 + 0.1·ln 2 = 0.150972… → moderate
     */
    const r = psi(
      repeat([[1, 40], [2, 30], [3, 20], [4, 10]]),
      repeat([[1, 25], [2, 30], [3, 25], [4, 20]])
    );
    expect(r.bins).toBe(7);
    [1, 1.6, 2, 2.3, 3, 3.1].forEach((e, i) => expect(r.edges[i]).toBeCloseTo(e, 12));
    expect(r.expected.map((s) => +s.toFixed(12))).toEqual([0.4, 0, 0.3, 0, 0.2, 0, 0.1]);
    expect(r.psi).toBeCloseTo(0.15 * Math.log(1.6) + 0.05 * Math.log(1.25) + 0.1 * Math.log(2), 12);
    expect(r.class).toBe("moderate");
  });

  it("gives a constant feature the bins (−∞, v] and (v, ∞)", () => {
    const same = psi(Array(50).fill(7), Array(20).fill(7));
    expect(same.edges).toEqual([7]);
    expect(same.bins).toBe(2);
    expect(same.psi).toBe(0);
    // All actual values above v: shares (1, 0) vs (0, 1), floored: 2·(1 − 1e-4)·ln(1/1e-4).
    const moved = psi(Array(50).fill(7), Array(20).fill(8));
    expect(moved.psi).toBeCloseTo(2 * (1 - PSI_FLOOR) * Math.log(1 / PSI_FLOOR), 12);
    expect(moved.class).toBe("major");
  });

  it("is 0 for identical samples, in any order", () => {
    const rng = new Rng(7);
    const x = Array.from({ length: 500 }, () => rng.normal() * 3 + 10);
    expect(psi(x, x).psi).toBe(0);
    expect(psi(x, rng.shuffle([...x])).psi).toBe(0);
    expect(psi(x, x).class).toBe("stable");
  });

  it("classes at Siddiqi's boundaries", () => {
    expect(psiClass(0.0999)).toBe("stable");
    expect(psiClass(0.1)).toBe("moderate");
    expect(psiClass(0.25)).toBe("moderate");
    expect(psiClass(0.2501)).toBe("major");
  });

  it("refuses a side with no values", () => {
    expect(() => psi([NaN, NaN], [1, 2])).toThrow(WorkbenchError);
    expect(() => psi([1, 2], [])).toThrow(WorkbenchError);
  });
});

describe("segment migration", () => {
  /*
   * t0: 1,000 customers, 500 / 300 / 200 in segments 0 / 1 / 2 (row order shuffled).
   * t1: 40 / 30 / 30 of them leave (100), 120 of the remaining 460 in segment 0 move to 2,
   *     50 new customers arrive: 20 / 10 / 20. Rows of t1 shuffled again.
   *   stayers: seg 0 460 (340 stay, 120 → 2), seg 1 270, seg 2 170 → common 900
   *   t1 sizes: seg 0 340 + 20 = 360, seg 1 270 + 10 = 280, seg 2 120 + 170 + 20 = 310 → 950
   */
  function planted() {
    const rng = new Rng(2024);
    const sizes = [500, 300, 200];
    const ids = range(0, 999).map((i) => `c${i}`);
    const labels0 = rng.shuffle(sizes.flatMap((s, seg) => Array<number>(s).fill(seg)));
    const members = sizes.map((_, seg) => rng.shuffle(ids.filter((_, i) => labels0[i] === seg)));
    const leaving = [40, 30, 30];
    const gone = new Set(members.flatMap((m, seg) => m.slice(0, leaving[seg])));
    const movers = new Set(members[0].slice(leaving[0], leaving[0] + 120));
    const rows: [string, number][] = [];
    ids.forEach((id, i) => {
      if (!gone.has(id)) rows.push([id, movers.has(id) ? 2 : labels0[i]]);
    });
    [20, 10, 20].forEach((count, seg) => {
      for (let j = 0; j < count; j++) rows.push([`new${seg}-${j}`, seg]);
    });
    rng.shuffle(rows);
    return {
      earlier: { ids, labels: Int32Array.from(labels0), k: 3 },
      later: { ids: rows.map((r) => r[0]), labels: Int32Array.from(rows.map((r) => r[1])), k: 3 }
    };
  }

  it("recovers a planted move, departures and arrivals exactly", () => {
    const { earlier, later } = planted();
    const m = migration(earlier, later);
    expect(m.common).toBe(900);
    expect(m.left).toBe(100);
    expect(m.entered).toBe(50);
    expect(m.from).toEqual([0, 1, 2]);
    expect(m.to).toEqual([0, 1, 2]);
    expect(m.counts).toEqual([
      [340, 0, 120],
      [0, 270, 0],
      [0, 0, 170]
    ]);
    expect(m.stayed).toBe(340 + 270 + 170);
    expect(stayedShare(m)).toBe(780 / 900);
    expect(m.leaving).toEqual([40, 30, 30]);
    expect(m.entering).toEqual([20, 10, 20]);
    expect(m.shares.from).toEqual([0.5, 0.3, 0.2]);
    expect(m.shares.to).toEqual([360 / 950, 280 / 950, 310 / 950]);
    // Segment 2 grew most: 20 % → 310/950 = 32.63 %.
    const change = maxShareChange(m);
    expect(change.segment).toBe(2);
    expect(change.points).toBeCloseTo((310 / 950 - 0.2) * 100, 12);
  });

  it("lists noise as group −1, after the segments", () => {
    const m = migration(
      { ids: ["a", "b", "c", "d"], labels: [0, 1, -1, 1], k: 2 },
      { ids: ["d", "c", "b", "e"], labels: [1, -1, 0, -1], k: 2 }
    );
    expect(m.from).toEqual([0, 1, -1]);
    expect(m.to).toEqual([0, 1, -1]);
    // b: 1 → 0, c: −1 → −1, d: 1 → 1; a left from 0, e entered as noise.
    expect(m.counts).toEqual([
      [0, 0, 0],
      [1, 1, 0],
      [0, 0, 1]
    ]);
    expect(m.leaving).toEqual([1, 0, 0]);
    expect(m.entering).toEqual([0, 0, 1]);
    expect(m.shares.to).toEqual([0.25, 0.25, 0.5]);
  });

  it("refuses a duplicate id, naming it", () => {
    const once = { ids: ["c1", "c2", "c3"], labels: [0, 1, 0], k: 2 };
    const twice = { ids: ["c1", "c17", "c17"], labels: [0, 1, 0], k: 2 };
    expect(() => migration(twice, once)).toThrow(WorkbenchError);
    expect(() => migration(twice, once)).toThrow(/"c17".*earlier/);
    expect(() => migration(once, twice)).toThrow(/"c17".*later/);
    expect(() => commonRows(once.ids, twice.ids)).toThrow(/"c17"/);
  });

  it("picks the later rows of common customers", () => {
    expect(Array.from(commonRows(["a", "b", "c"], ["c", "x", "a", "y"]))).toEqual([0, 2]);
  });
});

describe("centroid shift", () => {
  /*
   * 300 rows, segment = row % 3. "visits" alternates +2 / −2, so its earlier mean is 0 and its
   * population SD exactly 2. At the later snapshot every segment-1 row has visits + 1 = 0.5 SD;
   * the other features are untouched. Later columns and rows come in a different order.
   */
  function planted() {
    const rng = new Rng(11);
    const n = 300;
    const names = ["spend", "visits", "tenure"];
    const rows = Array.from({ length: n }, (_, i) => [rng.normal() * 40 + 200, i % 2 ? -2 : 2, rng.normal() * 6 + 24]);
    const labels = Array.from({ length: n }, (_, i) => i % 3);
    const earlier = makeMatrix(names, n, Float64Array.from(rows.flat()));
    const order = rng.shuffle(range(0, n - 1));
    const laterNames = ["tenure", "spend", "visits"];
    const laterRows = order.map((i) => [rows[i][2], rows[i][0], rows[i][1] + (labels[i] === 1 ? 1 : 0)]);
    const later = makeMatrix(laterNames, n, Float64Array.from(laterRows.flat()));
    return { earlier, labels, later, laterLabels: order.map((i) => labels[i]) };
  }

  it("recovers a planted 0.5 SD shift of one feature in one segment", () => {
    const { earlier, labels, later, laterLabels } = planted();
    const r = centroidShift(earlier, labels, later, laterLabels, 3);
    expect(r.features).toEqual(["spend", "visits", "tenure"]);
    expect(r.sd[1]).toBeCloseTo(2, 12);
    for (const s of r.segments) {
      expect(s.size).toEqual({ earlier: 100, later: 100 });
      const want = s.segment === 1 ? [0, 0.5, 0] : [0, 0, 0];
      s.shift!.forEach((v, t) => expect(Math.abs(v! - want[t])).toBeLessThan(1e-9));
    }
    expect(Math.abs(r.segments[1].rms! - Math.sqrt(0.25 / 3))).toBeLessThan(1e-9);
    expect(Math.abs(r.max! - 0.5)).toBeLessThan(1e-9);
    expect(r.maxAt).toEqual({ segment: 1, feature: "visits" });
    expect(r.flagged).toEqual([]);
  });

  it("gives null for a segment empty at one side and ignores noise", () => {
    const { earlier, labels, later, laterLabels } = planted();
    // Segment 2 becomes noise at the later snapshot; k = 3 still.
    const r = centroidShift(earlier, labels, later, laterLabels.map((l) => (l === 2 ? -1 : l)), 3);
    expect(r.segments[2]).toEqual({ segment: 2, size: { earlier: 100, later: 0 }, shift: null, rms: null });
    expect(Math.abs(r.max! - 0.5)).toBeLessThan(1e-9);
  });

  it("flags a feature constant at the earlier snapshot whose mean moved", () => {
    const earlier = makeMatrix(["x", "flag"], 4, Float64Array.from([0, 1, 2, 1, 4, 1, 6, 1]));
    const later = makeMatrix(["x", "flag"], 4, Float64Array.from([0, 1, 2, 1, 4, 3, 6, 3]));
    const r = centroidShift(earlier, [0, 0, 1, 1], later, [0, 0, 1, 1], 2);
    expect(r.sd[1]).toBe(0);
    expect(r.segments[0].shift).toEqual([0, 0]);
    expect(r.segments[1].shift).toEqual([0, null]);
    expect(r.flagged).toEqual([{ segment: 1, feature: "flag", earlierMean: 1, laterMean: 3 }]);
  });

  it("refuses a feature missing from one side", () => {
    const a = makeMatrix(["spend", "visits"], 2, Float64Array.from([1, 2, 3, 4]));
    const b = makeMatrix(["spend", "tenure"], 2, Float64Array.from([1, 2, 3, 4]));
    expect(() => centroidShift(a, [0, 1], b, [0, 1], 2)).toThrow(WorkbenchError);
    expect(() => centroidShift(a, [0, 1], b, [0, 1], 2)).toThrow(/"visits"/);
  });
});

describe("drift verdict", () => {
  const calm: DriftEvidence = {
    psi: { spend: 0.02, visits: 0.05, tenure: 0.01 },
    maxShareChange: -2.3,
    stayed: 0.91,
    maxCentroidShift: 0.21,
    ari: 0.93
  };

  it("is stable when every check passes, and says so with the numbers", () => {
    const v = driftVerdict(calm);
    expect(v.verdict).toBe("stable");
    const text = v.reasons.join(" ");
    expect(text).toContain("0.05");
    expect(text).toContain("2.3 percentage points");
    expect(text).toContain("91.0%");
  });

  it("asks to monitor a moderate feature shift, naming the feature and its PSI", () => {
    const v = driftVerdict({ ...calm, psi: { ...calm.psi, visits: 0.14 } });
    expect(v.verdict).toBe("monitor");
    expect(v.reasons).toHaveLength(1);
    expect(v.reasons[0]).toMatch(/"visits".*0\.14.*0\.1 to 0\.25/);
  });

  it("asks to monitor when few customers stay in their segment", () => {
    const v = driftVerdict({ ...calm, stayed: 0.64 });
    expect(v.verdict).toBe("monitor");
    expect(v.reasons[0]).toContain("64.0%");
    expect(v.reasons[0]).toContain("70%");
  });

  it("asks to re-segment when a fresh fit disagrees, and keeps lesser reasons after", () => {
    const v = driftVerdict({ ...calm, ari: 0.58, maxShareChange: 7 });
    expect(v.verdict).toBe("resegment");
    expect(v.reasons[0]).toMatch(/0\.58.*0\.65/);
    expect(v.reasons[1]).toMatch(/7\.0 percentage points.*5/);
  });

  it("does not round a value onto the threshold it exceeds", () => {
    const v = driftVerdict({ ...calm, psi: { spend: 0.2501 } });
    expect(v.verdict).toBe("resegment");
    expect(v.reasons[0]).toContain("0.2501");
  });

  it("uses strict limits for share change and centroid shift", () => {
    expect(driftVerdict({ ...calm, maxShareChange: 10 }).verdict).toBe("monitor");
    expect(driftVerdict({ ...calm, maxShareChange: -10.5 }).verdict).toBe("resegment");
    expect(driftVerdict({ ...calm, maxCentroidShift: 1 }).verdict).toBe("monitor");
    expect(driftVerdict({ ...calm, maxCentroidShift: 1.3 }).reasons[0]).toContain("1.30 standard deviations");
    expect(driftVerdict({ ...calm, maxCentroidShift: 0.5 }).verdict).toBe("stable");
  });

  it("skips the agreement check without a refit", () => {
    const v = driftVerdict({ ...calm, ari: null });
    expect(v.verdict).toBe("stable");
    expect(v.reasons.join(" ")).toMatch(/not checked/);
  });

  it("refitAri is the adjusted Rand index (scikit-learn's documented example)", () => {
    // sklearn.metrics.adjusted_rand_score([0, 0, 1, 1], [0, 0, 1, 2]) = 0.5714285714285715
    expect(refitAri([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(0.5714285714285715, 12);
    expect(refitAri([0, 0, 1, 1], [1, 1, 0, 0])).toBe(1);
  });
});
