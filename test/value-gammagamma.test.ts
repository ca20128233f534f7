import { describe, expect, it } from "vitest";
import { WorkbenchError } from "../loaders/errors.ts";
import { parseSnapshot } from "../loaders/features/rfm.ts";
import {
  fitGammaGamma, gammaGammaExpectedSpend, gammaGammaLikelihood, gammaGammaLogLikelihoodOne, type GammaGammaParams
} from "../loaders/value/gammaGamma.ts";
import { randomGamma } from "../loaders/value/simulate.ts";
import { summarizePurchases } from "../loaders/value/summary.ts";
import { Rng } from "../loaders/rng.ts";
import { cdnowSample } from "./helpers/cdnow.ts";

const relClose = (actual: number, expected: number, rel: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));

// Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for customer base analysis",
// JMR 42(4), and Fader & Hardie (2013), "The Gamma-Gamma model of monetary value": the 946 repeat
// buyers of the 1/10 CDNOW sample give p = 6.25, q = 3.74, γ (our v) = 15.44.
const PUBLISHED: GammaGammaParams = { p: 6.25, q: 3.74, v: 15.44 };

function sampleSpend() {
  return summarizePurchases(cdnowSample().purchases, { calibrationEnd: parseSnapshot("1997-09-30"), periodDays: 7 });
}

describe("Gamma-Gamma spend model", () => {
  const s = sampleSpend();

  it("gives the published conditional expectation E[M | x = 2, m̄ = 22.35] = 24.66", () => {
    // (p v + p x m̄) / (p x + q − 1) = (6.25·15.44 + 6.25·2·22.35) / (12.5 + 2.74)
    expect(gammaGammaExpectedSpend(PUBLISHED, 2, 22.35)).toBeCloseTo(24.66, 2);
    relClose(gammaGammaExpectedSpend(PUBLISHED, 2, 22.35), 24.663713910761153, 1e-14); // bench/value_reference.py
    // Without repeat purchases, the population mean p v / (q − 1).
    relClose(gammaGammaExpectedSpend(PUBLISHED, 0, 0), (6.25 * 15.44) / 2.74, 1e-14);
    expect(gammaGammaExpectedSpend({ p: 1, q: 0.8, v: 3 }, 0, 0)).toBe(Infinity);
  });

  it("has the likelihood scipy gives on the sample's 946 repeat buyers, and its gradient", () => {
    const keep = [...s.x.keys()].filter((i) => s.x[i] > 0 && s.meanRepeatSpend[i] > 0);
    expect(keep.length).toBe(946);
    const x = Float64Array.from(keep, (i) => s.x[i]), m = Float64Array.from(keep, (i) => s.meanRepeatSpend[i]);
    const ll = gammaGammaLikelihood(x, m);
    const value = ll([PUBLISHED.p, PUBLISHED.q, PUBLISHED.v]);
    relClose(value, -4055.919232049542, 1e-12); // bench/value_reference.py, "sample.llGammaGammaPublished"
    let sum = 0;
    for (let i = 0; i < x.length; i++) sum += gammaGammaLogLikelihoodOne(PUBLISHED, x[i], m[i]);
    relClose(value, sum, 1e-12);
    const p = [5, 3, 20], g = new Float64Array(3);
    ll(p, g);
    for (let i = 0; i < 3; i++) {
      const h = 1e-6 * p[i], up = [...p], down = [...p];
      up[i] += h;
      down[i] -= h;
      expect(g[i]).toBeCloseTo((ll(up) - ll(down)) / (2 * h), 3);
    }
  });

  it("reproduces the published fit on the sample, and scipy's", () => {
    const fit = fitGammaGamma(s.x, s.meanRepeatSpend);
    expect(fit.customers).toBe(946);
    expect(fit.excludedNonPositive).toBe(0);
    expect(fit.converged).toBe(true);
    expect(fit.params.p).toBeCloseTo(6.25, 2);
    expect(fit.params.q).toBeCloseTo(3.74, 2);
    expect(fit.params.v).toBeCloseTo(15.44, 2);
    // bench/value_reference.py "sample.gammaGamma": scipy Nelder–Mead + BFGS.
    const scipy = [6.249571548912613, 3.7442246686810368, 15.4435233529797];
    [fit.params.p, fit.params.q, fit.params.v].forEach((v, i) => relClose(v, scipy[i], 2e-6));
    relClose(fit.logLikelihood, -4055.9176948018676, 1e-12);
  });

  it("recovers simulated parameters (within 4 standard errors) and counts customers it leaves out", () => {
    const rng = new Rng(3);
    const truth = { p: 4, q: 3, v: 20 };
    const n = 10_000;
    const x = new Float64Array(n), m = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = 1 + rng.int(8);
      const nu = randomGamma(rng, truth.q, truth.v);
      let total = 0;
      for (let k = 0; k < x[i]; k++) total += randomGamma(rng, truth.p, nu);
      m[i] = total / x[i];
    }
    // Three repeat buyers with a zero or negative mean spend, and one-time buyers: all left out.
    const xs = Float64Array.from([...x, 2, 1, 3, 0, 0]), ms = Float64Array.from([...m, 0, -5, 0, 0, 10]);
    const fit = fitGammaGamma(xs, ms);
    expect(fit.customers).toBe(n);
    expect(fit.excludedNonPositive).toBe(3);
    for (const name of ["p", "q", "v"] as const) {
      expect(Math.abs(fit.params[name] - truth[name])).toBeLessThan(4 * fit.standardErrors[name]!);
    }
  });

  it("refuses to fit fewer than 2 customers", () => {
    expect(() => fitGammaGamma([1, 0], [5, 0])).toThrow(WorkbenchError);
  });
});
