import { describe, expect, it } from "vitest";
import {
  bgnbdConditionalExpected, bgnbdExpected, bgnbdLikelihood, bgnbdLogLikelihoodOne, bgnbdPAlive, bgnbdPmf, fitBgNbd,
  type BgNbdParams
} from "../loaders/value/bgnbd.ts";
import { parseSnapshot } from "../loaders/features/rfm.ts";
import { simulateSummary } from "../loaders/value/simulate.ts";
import { summarizePurchases } from "../loaders/value/summary.ts";
import { compressTriples } from "../loaders/value/triples.ts";
import { Rng } from "../loaders/rng.ts";
import { lnGamma } from "../loaders/value/special.ts";
import { cdnowSample } from "./helpers/cdnow.ts";

const relClose = (actual: number, expected: number, rel: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));

// Fader, Hardie & Lee (2005), "Counting your customers the easy way", Marketing Science 24(2),
// Table 1: the BG/NBD fitted to the 1/10 CDNOW sample (2,357 customers, weeks, calibration to 1997-09-30).
const PUBLISHED: BgNbdParams = { r: 0.2426, alpha: 4.4136, a: 0.7929, b: 2.4259 };

/** The 1/10 CDNOW sample's calibration summary, rebuilt from data/cdnow_master.txt (test/helpers/cdnow.ts). */
function sampleTriples() {
  const s = summarizePurchases(cdnowSample().purchases, { calibrationEnd: parseSnapshot("1997-09-30"), periodDays: 7 });
  return compressTriples(s.x, s.tx, s.T);
}

describe("BG/NBD formulas at the published parameters", () => {
  it("reproduce the paper's and Hardie's spreadsheet's per-customer numbers", () => {
    // Customer with x = 2, tx = 30.43, T = 38.86: E[Y(39)] = 1.226 (paper §4; Hardie's BG/NBD
    // spreadsheet, also lifetimes' test_conditional_expectation_returns_same_value_as_Hardie_excel_sheet).
    expect(bgnbdConditionalExpected(PUBLISHED, 39, 2, 30.43, 38.86)).toBeCloseTo(1.226, 3);
    // Customer 1516 of the sample, x = 26, tx = 30.86, T = 31: E[Y(52)] ≈ 25.76, P(alive) = 0.9689.
    expect(bgnbdConditionalExpected(PUBLISHED, 52, 26, 30.86, 31)).toBeCloseTo(25.76, 2);
    expect(bgnbdPAlive(PUBLISHED, 26, 30.86, 31)).toBeCloseTo(0.9689, 4);
    // E[X(t)] for a new customer (Hardie's spreadsheet, as in lifetimes' test_expectation_returns_same_value_Hardie_excel_sheet).
    const times = [0.1429, 1, 3, 31.8571, 32, 78];
    const published = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576];
    times.forEach((t, i) => expect(Math.abs(bgnbdExpected(PUBLISHED, t) - published[i])).toBeLessThan(1e-3));
    expect(bgnbdExpected(PUBLISHED, 1)).toBeCloseTo(0.0532, 4);
    expect(bgnbdExpected(PUBLISHED, 78)).toBeCloseTo(1.858, 3);
  });

  it("agree with an independent scipy implementation to 1e-10", () => {
    // bench/value_reference.py, "published.bgnbd" (scipy.special.hyp2f1, betaln, gammaln).
    relClose(bgnbdConditionalExpected(PUBLISHED, 39, 2, 30.43, 38.86), 1.2259226579870381, 1e-10);
    relClose(bgnbdConditionalExpected(PUBLISHED, 52, 26, 30.86, 31), 25.75931236862428, 1e-10);
    relClose(bgnbdPAlive(PUBLISHED, 26, 30.86, 31), 0.9689193502121781, 1e-12);
    relClose(bgnbdPAlive(PUBLISHED, 2, 30.43, 38.86), 0.7266140448542472, 1e-12);
    const expected: [number, number][] = [
      [0.1429, 0.00781618099189815], [1, 0.053185541226538936], [3, 0.15063450121286612], [31.8571, 1.0405209320669475],
      [32, 1.043763953815197], [39, 1.195047681513762], [78, 1.85802390486627]
    ];
    for (const [t, v] of expected) relClose(bgnbdExpected(PUBLISHED, t), v, 1e-10);
    const pmf: [number, number, number][] = [
      [38.86, 0, 0.5747501172774134], [38.86, 1, 0.19912234322730027], [38.86, 2, 0.08525524983628605],
      [38.86, 7, 0.008659404341520884], [78, 3, 0.0549801231555892]
    ];
    for (const [t, x, v] of pmf) relClose(bgnbdPmf(PUBLISHED, t, x), v, 1e-10);
    // The pmf sums to 1 over x.
    let total = 0;
    for (let x = 0; x < 400; x++) total += bgnbdPmf(PUBLISHED, 38.86, x);
    expect(total).toBeCloseTo(1, 8);
    expect(bgnbdPAlive(PUBLISHED, 0, 0, 38.86)).toBe(1);
    expect(bgnbdConditionalExpected(PUBLISHED, 0, 3, 10, 20)).toBe(0);
  });

  it("is continuous through a = 1, where the closed form is 0/0", () => {
    const near = (a: number) => bgnbdConditionalExpected({ ...PUBLISHED, a }, 39, 2, 30.43, 38.86);
    expect(near(1)).toBeCloseTo((near(1 - 1e-4) + near(1 + 1e-4)) / 2, 6);
  });
});

describe("BG/NBD likelihood", () => {
  const triples = sampleTriples();
  const ll = bgnbdLikelihood(triples);

  it("gives the paper's log-likelihood −9582.43 on the 1/10 sample, and scipy's to 1e-12", () => {
    const value = ll([PUBLISHED.r, PUBLISHED.alpha, PUBLISHED.a, PUBLISHED.b]);
    expect(value).toBeCloseTo(-9582.43, 2);
    // bench/value_reference.py, "sample.llBgnbdPublished" (same parameters, scipy betaln/gammaln).
    relClose(value, -9582.429206997575, 1e-12);
    expect(triples.customers).toBe(2357);
  });

  it("equals the per-customer form summed over customers", () => {
    let sum = 0;
    for (let k = 0; k < triples.n; k++) sum += triples.weight[k] * bgnbdLogLikelihoodOne(PUBLISHED, triples.x[k], triples.tx[k], triples.T[k]);
    relClose(ll([PUBLISHED.r, PUBLISHED.alpha, PUBLISHED.a, PUBLISHED.b]), sum, 1e-12);
  });

  it("has the analytic gradient of its central differences", () => {
    const p = [0.3, 5.2, 0.6, 3.1];
    const g = new Float64Array(4);
    ll(p, g);
    for (let i = 0; i < 4; i++) {
      const h = 1e-6 * p[i];
      const up = [...p], down = [...p];
      up[i] += h;
      down[i] -= h;
      expect(g[i]).toBeCloseTo((ll(up) - ll(down)) / (2 * h), 3);
    }
  });

  it("stays exact for huge b, where the ln Γ differences of the naive form lose every digit", () => {
    // As b → ∞ dropout vanishes: ln B(a, b+x) − ln B(a, b) → 0 and the bracket's second term
    // vanishes, leaving the NBD likelihood ln Γ(r+x) − ln Γ(r) + r ln α − (r+x) ln(α+T).
    const { r, alpha, a } = PUBLISHED;
    const x = 5, T = 38;
    const nbd = lnGamma(r + x) - lnGamma(r) + r * Math.log(alpha) - (r + x) * Math.log(alpha + T);
    const stable = bgnbdLogLikelihoodOne({ ...PUBLISHED, b: 1e16 }, x, 20, T);
    expect(Math.abs(stable - nbd)).toBeLessThan(1e-13);
    // The naive form: at b = 2.7e14, ln Γ(b) ≈ 8.7e15 has a spacing of 1 between doubles, so
    // ln B(a, b+x) − ln B(a, b) ≈ −1.5e-14 comes out as a whole number; the stable sum is exact.
    const b = 2.7e14;
    const naive = lnGamma(a + b) + lnGamma(b + x) - lnGamma(b) - lnGamma(a + b + x);
    let stableBeta = 0;
    for (let k = 0; k < x; k++) stableBeta -= Math.log1p(a / (b + k));
    expect(stableBeta).toBeCloseTo((-x * a) / b, 25);
    expect(Math.abs(naive - stableBeta)).toBeGreaterThan(0.5);
  });
});

describe("BG/NBD fit", () => {
  it("reproduces the paper's estimates on the 1/10 CDNOW sample, and scipy's", () => {
    const fit = fitBgNbd(sampleTriples());
    expect(fit.converged).toBe(true);
    expect(fit.atBound).toEqual([]);
    // Fader, Hardie & Lee (2005): r 0.2426, α 4.4136, a 0.7929, b 2.4259, LL −9582.43.
    expect(fit.params.r).toBeCloseTo(0.2426, 4);
    expect(fit.params.alpha).toBeCloseTo(4.4136, 4);
    expect(fit.params.a).toBeCloseTo(0.7929, 4);
    expect(fit.params.b).toBeCloseTo(2.4259, 4);
    expect(fit.logLikelihood).toBeCloseTo(-9582.43, 2);
    // bench/value_reference.py "sample": scipy Nelder–Mead + BFGS on the same summary.
    const scipy = [0.24259452217284488, 4.4136017840252695, 0.7929220395266035, 2.425906699165975];
    [fit.params.r, fit.params.alpha, fit.params.a, fit.params.b].forEach((v, i) => relClose(v, scipy[i], 1e-6));
    relClose(fit.logLikelihood, -9582.429206673929, 1e-12);
    // Standard errors: positive and smaller than the estimates on 2,357 customers.
    for (const [name, se] of Object.entries(fit.standardErrors)) {
      expect(se).toBeGreaterThan(0);
      expect(se!).toBeLessThan(fit.params[name as keyof BgNbdParams]);
    }
  });

  it("recovers the parameters of simulated customers (within 4 standard errors)", () => {
    const rng = new Rng(11);
    const n = 20_000;
    // Observed 27 to 39 weeks, on a daily grid like real data.
    const T = Float64Array.from({ length: n }, () => (273 - rng.int(84)) / 7);
    const truth: BgNbdParams = { r: 0.5, alpha: 6, a: 0.9, b: 3 };
    const sim = simulateSummary({ model: "bgnbd", params: truth }, T, rng);
    const fit = fitBgNbd(compressTriples(sim.x, sim.tx, sim.T));
    expect(fit.converged).toBe(true);
    for (const name of ["r", "alpha", "a", "b"] as const) {
      expect(Math.abs(fit.params[name] - truth[name])).toBeLessThan(4 * fit.standardErrors[name]!);
    }
  });

  it("stops at the bound when the data show no dropout, instead of running off to b ≈ 1e16", () => {
    const rng = new Rng(5);
    const n = 5000;
    const T = Float64Array.from({ length: n }, () => 20 + rng.int(20));
    // a tiny, b huge: after a purchase nobody drops out (an NBD).
    const sim = simulateSummary({ model: "bgnbd", params: { r: 0.8, alpha: 5, a: 1e-4, b: 1e5 } }, T, rng);
    const fit = fitBgNbd(compressTriples(sim.x, sim.tx, sim.T));
    expect(Number.isFinite(fit.logLikelihood)).toBe(true);
    expect(fit.params.b).toBeLessThanOrEqual(1e6 * (1 + 1e-9));
    // The dropout probability a/(a+b) the fit implies is negligible, whichever way it got there.
    expect(fit.params.a / (fit.params.a + fit.params.b)).toBeLessThan(1e-2);
    expect(fit.params.r).toBeCloseTo(0.8, 0);
  });
});
