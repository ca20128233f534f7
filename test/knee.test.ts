import { describe, expect, it } from "vitest";
import { WorkbenchError } from "../loaders/errors.ts";
import { kneedle } from "../loaders/evaluate/knee.ts";

// Expected knees are derived by hand below, following Kneedle as the `kneed` package implements
// it (KneeLocator, interp1d, S = 1, offline). kneed itself is not installed; as a cross-check each
// value was also reproduced with a line-by-line Python transcription of kneed's find_knee using
// scipy.signal.argrelextrema (/usr/bin/python3).

const XS = [1, 2, 3, 4, 5, 6, 7];

describe("kneedle", () => {
  it("finds the elbow of a decreasing convex curve (derivation in the comment)", () => {
    // ys = [100, 40, 20, 15, 12, 10, 9], xs = 1..7.
    // Normalise: x' = (x−1)/6 = [0, 1/6, 2/6, 3/6, 4/6, 5/6, 1];
    //            y' = (y−9)/91 = [1, 31/91, 11/91, 6/91, 3/91, 1/91, 0].
    // Convex + decreasing → flip: 1 − y' = [0, 60/91, 80/91, 85/91, 88/91, 90/91, 1].
    // Difference D = (1 − y') − x' = [0, .49267, .54579, .43407, .30037, .15568, 0].
    // Local maxima of D: index 2 only. Minima: 0 and 6 (ends compared with themselves).
    // Threshold at index 2: T = .54579 − 1 × mean(Δx') = .54579 − 1/6 = .37912.
    // Walk from index 2: D[3] = .43407 ≥ T; index 3 is neither max nor min; D[4] = .30037 < T
    // → knee at index 2, x = 3 (y = 20, not the y = 40 point).
    expect(kneedle(XS, [100, 40, 20, 15, 12, 10, 9], { curve: "convex", direction: "decreasing" })).toBe(3);
    // The defaults are convex / decreasing (inertia against k).
    expect(kneedle(XS, [100, 40, 20, 15, 12, 10, 9])).toBe(3);
  });

  it("honours the sensitivity S", () => {
    // S = 3: T = .54579 − 3/6 = .04579; D[4] = .30037, D[5] = .15568 stay above, D[6] = 0 < T → x = 3.
    expect(kneedle(XS, [100, 40, 20, 15, 12, 10, 9], { sensitivity: 3 })).toBe(3);
    // S = 4: T = .54579 − 4/6 < 0, D never falls below it before the last point → no knee.
    expect(kneedle(XS, [100, 40, 20, 15, 12, 10, 9], { sensitivity: 4 })).toBeNull();
  });

  it("handles the other three curve shapes by reflection", () => {
    // Concave increasing [0, 60, 80, 85, 88, 90, 91]: y' is already the flipped curve above → x = 3.
    expect(kneedle(XS, [0, 60, 80, 85, 88, 90, 91], { curve: "concave", direction: "increasing" })).toBe(3);
    // Concave decreasing [91, 90, 88, 85, 80, 60, 0]: mirrored left-right it is the curve above,
    // whose knee at mirrored index 2 is original index 6 − 2 = 4 → x = 5 (y = 80, where the drop starts).
    expect(kneedle(XS, [91, 90, 88, 85, 80, 60, 0], { curve: "concave", direction: "decreasing" })).toBe(5);
    // Convex increasing [0, 1, 3, 6, 11, 31, 91]: 1 − y' mirrored = the curve above → x = 5.
    expect(kneedle(XS, [0, 1, 3, 6, 11, 31, 91], { curve: "convex", direction: "increasing" })).toBe(5);
  });

  it("moves on to a later maximum after a minimum resets the threshold", () => {
    // xs = 1..10, ys = [100, 60, 58, 57, 20, 15, 14, 13.5, 13, 12.8], S = 2.
    // D = [0, .34760, .25943, .15979, .47299, .41922, .31957, .21420, .10882, 0]; Δx mean = 1/9.
    // Max at 1: T = .34760 − 2/9 = .12538; D[2] = .25943, D[3] = .15979 stay above.
    // Index 3 is a minimum → T = 0; index 4 is a maximum → T = .47299 − 2/9 = .25077;
    // D[5] = .41922, D[6] = .31957 above, D[7] = .21420 below → knee at index 4, x = 5.
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const ys = [100, 60, 58, 57, 20, 15, 14, 13.5, 13, 12.8];
    expect(kneedle(xs, ys, { sensitivity: 2 })).toBe(5);
    // With S = 1: T at index 1 = .34760 − 1/9 = .23649; D[2] = .25943 above, D[3] = .15979 below → x = 2.
    expect(kneedle(xs, ys)).toBe(2);
  });

  it("works with unevenly spaced x", () => {
    // xs = [1, 2, 4, 8, 16, 32], ys = [50, 30, 14, 8, 6, 5].
    // x' = [0, 1/31, 3/31, 7/31, 15/31, 1]; 1 − y' = [0, 20/45, 36/45, 42/45, 44/45, 1];
    // D = [0, .41219, .70323, .70753, .49391, 0]; max at 3; T = .70753 − 1/5 = .50753;
    // D[4] = .49391 < T → knee x = 8.
    expect(kneedle([1, 2, 4, 8, 16, 32], [50, 30, 14, 8, 6, 5])).toBe(8);
  });

  it("finds an inertia elbow", () => {
    // k = 1..10, inertia [1000, 420, 180, 160, 150, 142, 136, 131, 127, 124].
    // 1 − y' = (1000 − y)/876 = [0, .66210, .93607, .95890, .97032, .97945, .98630, .99201, .99658, 1];
    // D = 1 − y' − (k−1)/9 = [0, .55099, .71385, .62557, .52588, .42390, .31963, .21423, .10769, 0];
    // max at 2, T = .71385 − 1/9 = .60274; D[3] = .62557 above, D[4] = .52588 below → k = 3.
    const ks = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(kneedle(ks, [1000, 420, 180, 160, 150, 142, 136, 131, 127, 124])).toBe(3);
  });

  it("returns null when there is no knee", () => {
    // A straight line: D = 0 everywhere, every point is both max and min, the threshold is reset to 0
    // and D never drops below it.
    expect(kneedle(XS, [7, 6, 5, 4, 3, 2, 1])).toBeNull();
    expect(kneedle(XS, [5, 5, 5, 5, 5, 5, 5])).toBeNull(); // flat
    expect(kneedle([1, 2], [10, 1])).toBeNull(); // too short to have an interior point
    expect(kneedle([], [])).toBeNull();
  });

  it("rejects impossible input naming the parameter", () => {
    expect(() => kneedle([1, 3, 2], [3, 2, 1])).toThrow(/xs\[2\]/);
    expect(() => kneedle([1, 2, 3], [3, 2])).toThrow(WorkbenchError);
    expect(() => kneedle([1, 2, 3], [3, NaN, 1])).toThrow(/ys\[1\]/);
    expect(() => kneedle(XS, XS, { sensitivity: -1 })).toThrow(/sensitivity/);
    expect(() => kneedle(XS, XS, { curve: "wavy" as "convex" })).toThrow(/curve/);
  });
});
