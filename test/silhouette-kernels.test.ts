import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loopedPairSums } from "../loaders/evaluate/silhouette.ts";
import { GENERATED_PATH, MAX_SPECIALISED, generatePairSums } from "../loaders/evaluate/pairSumsKernels.gen.ts";
import { pairSumsFor } from "../loaders/evaluate/pairSumsKernels.generated.ts";
import { Rng } from "../loaders/rng.ts";

describe("generated silhouette pair walks", () => {
  it("are what the generator writes (run npm run kernels)", () => {
    expect(readFileSync(GENERATED_PATH, "utf8")).toBe(generatePairSums());
  });

  it("give the loop's sums bit for bit, across tiles, for every specialised d", () => {
    // 600 rows: three tiles of 256, the last one partial.
    const n = 600;
    const k = 5;
    const rng = new Rng(12);
    const codes = Int32Array.from({ length: n }, () => rng.int(k));
    for (let d = 1; d <= MAX_SPECIALISED; d++) {
      const x = Float64Array.from({ length: n * d }, () => rng.normal() * 3 + rng.random());
      const unrolled = pairSumsFor(d)!(x, codes, k, n);
      const looped = loopedPairSums(d)(x, codes, k, n);
      expect(Array.from(unrolled), `d = ${d}`).toEqual(Array.from(looped));
    }
    expect(pairSumsFor(MAX_SPECIALISED + 1)).toBeNull();
  });
});
