import { describe, expect, it } from "vitest";
import { parseSnapshot } from "../loaders/features/rfm.ts";
import {
  fitParetoNbd, pnbdConditionalExpected, pnbdConditionalExpectedCurve, pnbdExpected, pnbdLikelihood, pnbdLogLikelihoodOne,
  pnbdPAlive, type ParetoNbdParams
} from "../loaders/value/paretoNbd.ts";
import { simulatePurchases, simulateSummary } from "../loaders/value/simulate.ts";
import { summarizePurchases } from "../loaders/value/summary.ts";
import { compressTriples } from "../loaders/value/triples.ts";
import { Rng } from "../loaders/rng.ts";
import { cdnowSample } from "./helpers/cdnow.ts";

const relClose = (actual: number, expected: number, rel: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));

// Fader, Hardie & Lee (2005), Table 1: the Pareto/NBD on the 1/10 CDNOW sample.
const PUBLISHED: ParetoNbdParams = { r: 0.5532, alpha: 10.5763, s: 0.6062, beta: 11.6715 };

function sampleTriples() {
  const s = summarizePurchases(cdnowSample().purchases, { calibrationEnd: parseSnapshot("1997-09-30"), periodDays: 7 });
  return compressTriples(s.x, s.tx, s.T);
}

describe("Pareto/NBD formulas", () => {
  it("agree with an independent scipy implementation at the published parameters", () => {
    // bench/value_reference.py, "published.pnbd": Fader & Hardie's note (2005) eq. 22 with scipy's hyp2f1.
    relClose(pnbdConditionalExpected(PUBLISHED, 39, 2, 30.43, 38.86), 1.4551502806370966, 1e-10);
    relClose(pnbdConditionalExpected(PUBLISHED, 52, 26, 30.86, 31), 25.457850101420934, 1e-10);
    relClose(pnbdPAlive(PUBLISHED, 26, 30.86, 31), 0.9979181623752493, 1e-12);
    relClose(pnbdPAlive(PUBLISHED, 2, 30.43, 38.86), 0.8691309198438909, 1e-12);
    relClose(pnbdPAlive(PUBLISHED, 0, 0, 38.86), 0.29517004605027014, 1e-12);
    relClose(pnbdExpected(PUBLISHED, 1), 0.05100632282880923, 1e-12);
    relClose(pnbdExpected(PUBLISHED, 39), 1.21352182529861, 1e-12);
    relClose(pnbdExpected(PUBLISHED, 78), 1.9101098576390358, 1e-12);
    // α < β takes the other branch of the hypergeometric form.
    const swapped = { ...PUBLISHED, alpha: PUBLISHED.beta, beta: PUBLISHED.alpha };
    relClose(pnbdPAlive(swapped, 26, 30.86, 31), 0.9978657781099619, 1e-12);
    relClose(pnbdLogLikelihoodOne(swapped, 26, 30.86, 31), -39.80993291121484, 1e-12);
  });

  it("matches the values the BTYD package documents for the sample", () => {
    // BTYD's pnbd.PAlive help page: with its estimates on the same 1/10 sample,
    // pnbd.PAlive(params, x = 0, t.x = 0, T.cal = 39) = 0.2941633; at the published (rounded)
    // parameters the value agrees to 3 decimals.
    expect(pnbdPAlive(PUBLISHED, 0, 0, 39)).toBeCloseTo(0.2941633, 3);
    expect(pnbdPAlive(PUBLISHED, 23, 39, 39)).toBe(1);
  });

  it("stays finite for CLVTools' numerically hard cases (many purchases, tx close to T)", () => {
    // CLVTools tests/testthat/test_correctness_pnbd.R: these produced NaN in an earlier implementation.
    // Values from bench/value_reference.py ("pAlive_clvtools").
    const p = { r: 0.5143, alpha: 2.8845, s: 0.2856, beta: 14.1087 };
    const cases: [number, number, number, number][] = [
      [221, 103.42857, 103.57143, 0.9995960523179943], [254, 97.14286, 97.28571, 0.9995582261230908],
      [161, 94.71429, 98.0, 0.7494877522581184], [204, 98.57143, 99.42857, 0.9942550796378907]
    ];
    for (const [x, tx, T, v] of cases) relClose(pnbdPAlive(p, x, tx, T), v, 1e-9);
  });

  it("is continuous through s = 1, where the expectation's closed form is 0/0", () => {
    const at = (s: number) => pnbdConditionalExpected({ ...PUBLISHED, s }, 39, 2, 30.43, 38.86);
    expect(at(1)).toBeCloseTo((at(1 - 1e-5) + at(1 + 1e-5)) / 2, 8);
    expect(pnbdExpected({ ...PUBLISHED, s: 1 }, 10)).toBeCloseTo((PUBLISHED.r / PUBLISHED.alpha) * PUBLISHED.beta * Math.log1p(10 / PUBLISHED.beta), 12);
  });
});

describe("Pareto/NBD likelihood and fit", () => {
  const triples = sampleTriples();
  const ll = pnbdLikelihood(triples);
  const vector = (p: ParetoNbdParams) => [p.r, p.alpha, p.s, p.beta];

  it("gives the paper's −9594.98 on the 1/10 sample, and scipy's to 1e-12", () => {
    const value = ll(vector(PUBLISHED));
    expect(value).toBeCloseTo(-9594.98, 2);
    relClose(value, -9594.976183985025, 1e-12); // bench/value_reference.py, "sample.llPnbdPublished"
    let sum = 0;
    for (let k = 0; k < triples.n; k++) sum += triples.weight[k] * pnbdLogLikelihoodOne(PUBLISHED, triples.x[k], triples.tx[k], triples.T[k]);
    relClose(value, sum, 1e-12);
  });

  it("has the analytic gradient of its central differences on both branches (α ≥ β and α < β)", () => {
    for (const p of [[0.55, 10.6, 0.61, 11.7], [0.55, 14, 0.61, 3], [2, 1, 0.3, 30]]) {
      const g = new Float64Array(4);
      ll(p, g);
      for (let i = 0; i < 4; i++) {
        const h = 1e-6 * p[i];
        const up = [...p], down = [...p];
        up[i] += h;
        down[i] -= h;
        expect(g[i]).toBeCloseTo((ll(up) - ll(down)) / (2 * h), 2);
      }
    }
  });

  it("reproduces the published estimates and CLVTools' standard errors on the 1/10 sample", () => {
    const fit = fitParetoNbd(triples);
    expect(fit.converged).toBe(true);
    // Fader, Hardie & Lee (2005): r 0.5532, α 10.5763, s 0.6062, β 11.6715, LL −9594.98. The
    // likelihood is flat along β (its standard error is 6.2), so β agrees to 3 significant digits.
    expect(fit.params.r).toBeCloseTo(0.5532, 3);
    expect(fit.params.alpha).toBeCloseTo(10.5763, 2);
    expect(fit.params.s).toBeCloseTo(0.6062, 4);
    relClose(fit.params.beta, 11.6715, 1e-3);
    expect(fit.logLikelihood).toBeCloseTo(-9594.98, 2);
    // CLVTools tests/testthat/test_correctness_pnbd.R: LL −9594.976 and standard errors
    // r 0.0476264, α 0.8427222, s 0.1872594, β 6.2105448.
    expect(fit.logLikelihood).toBeCloseTo(-9594.976, 3);
    relClose(fit.standardErrors.r!, 0.0476264, 2e-3);
    relClose(fit.standardErrors.alpha!, 0.8427222, 2e-3);
    relClose(fit.standardErrors.s!, 0.1872594, 2e-3);
    relClose(fit.standardErrors.beta!, 6.2105448, 2e-3);
    // bench/value_reference.py "sample": scipy Nelder–Mead + BFGS on the same summary.
    const scipy = [0.5532770903854953, 10.57768467817375, 0.6062398395979497, 11.66873141121383];
    vector(fit.params).forEach((v, i) => relClose(v, scipy[i], 2e-6));
    relClose(fit.logLikelihood, -9594.976178939542, 1e-12);
  });

  it("recovers the parameters of simulated customers (within 4 standard errors)", () => {
    const rng = new Rng(21);
    const n = 20_000;
    const T = Float64Array.from({ length: n }, () => (273 - rng.int(84)) / 7);
    const truth: ParetoNbdParams = { r: 0.6, alpha: 8, s: 0.8, beta: 12 };
    const sim = simulateSummary({ model: "pnbd", params: truth }, T, rng);
    const fit = fitParetoNbd(compressTriples(sim.x, sim.tx, sim.T));
    expect(fit.converged).toBe(true);
    for (const name of ["r", "alpha", "s", "beta"] as const) {
      expect(Math.abs(fit.params[name] - truth[name])).toBeLessThan(4 * fit.standardErrors[name]!);
    }
  });

  it("fits data without dropout heterogeneity, where s and β grow together towards the exponential limit", () => {
    // BG/NBD customers: the Pareto/NBD's best fit has s, β → ∞ with s/β fixed, where the
    // hypergeometric argument tends to 1 (the series would need ~1e5 terms; the integral takes over).
    const log = simulatePurchases(
      { model: "bgnbd", params: { r: 0.5, alpha: 5, a: 0.8, b: 2.5 } },
      { customers: 300, startDay: 0, acquisitionDays: 30, endDay: 200, periodDays: 7 }, new Rng(9)
    );
    const sim = summarizePurchases(log, { calibrationEnd: 200, periodDays: 7 });
    const fit = fitParetoNbd(compressTriples(sim.x, sim.tx, sim.T));
    expect(Number.isFinite(fit.logLikelihood)).toBe(true);
    expect(fit.params.s).toBeGreaterThan(50);
    // Along that ridge only the mean dropout rate s/β is identified.
    expect(fit.params.s / fit.params.beta).toBeGreaterThan(0.001);
    expect(fit.params.s / fit.params.beta).toBeLessThan(0.1);
  });

  it("predicts over a horizon consistently with the one-customer form", () => {
    const horizon = Float64Array.of(1, 13, 52);
    const curve = pnbdConditionalExpectedCurve(PUBLISHED, triples, horizon);
    for (const k of [0, 5, triples.n - 1]) {
      horizon.forEach((t, j) => relClose(curve[k * 3 + j], pnbdConditionalExpected(PUBLISHED, t, triples.x[k], triples.tx[k], triples.T[k]), 1e-12));
    }
  });
});
