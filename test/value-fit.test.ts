import { describe, expect, it } from "vitest";
import { WorkbenchError } from "../loaders/errors.ts";
import { bgnbdConditionalExpected, bgnbdExpected } from "../loaders/value/bgnbd.ts";
import { periodDiscountRate } from "../loaders/value/clv.ts";
import { fitValueModels, type ValueSettings } from "../loaders/value/fit.ts";
import { simulatePurchases } from "../loaders/value/simulate.ts";
import type { Purchases } from "../loaders/features/rfm.ts";
import { Rng } from "../loaders/rng.ts";
import { cdnowFull, cdnowSample } from "./helpers/cdnow.ts";

const relClose = (actual: number, expected: number, rel: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));

// data/cdnow_master.txt through readDataset and customerFeatures (test/helpers/cdnow.ts).
const sample = cdnowSample();
const full = cdnowFull();
// The paper's design: weeks, calibration 1997-01-01 … 1997-09-30, holdout to 1998-06-30.
const PAPER: ValueSettings = {
  periodDays: 7, calibrationEnd: "1997-09-30", holdoutEnd: "1998-06-30", horizon: 52, margin: 0.3, annualDiscountRate: 0.1
};

describe("fitValueModels on the 1/10 CDNOW sample (Fader, Hardie & Lee 2005)", () => {
  const result = fitValueModels(sample.purchases, sample.ids, PAPER);

  it("reproduces the published parameters of all three models", () => {
    expect(result.customers).toBe(2357);
    expect(result.calibration).toEqual({ start: "1997-01-01", end: "1997-09-30", periods: 39 });
    expect(result.holdoutPeriod).toEqual({ end: "1998-06-30", periods: 39 });
    const { bgnbd, pnbd, gammaGamma } = result;
    expect([bgnbd.r, bgnbd.alpha, bgnbd.a, bgnbd.b].map((v) => v.toFixed(4))).toEqual(["0.2426", "4.4136", "0.7929", "2.4259"]);
    expect(bgnbd.logLikelihood.toFixed(2)).toBe("-9582.43");
    expect(pnbd.logLikelihood.toFixed(2)).toBe("-9594.98");
    expect([pnbd.r, pnbd.s].map((v) => v.toFixed(3))).toEqual(["0.553", "0.606"]);
    expect([gammaGamma!.p, gammaGamma!.q, gammaGamma!.v].map((v) => v.toFixed(2))).toEqual(["6.25", "3.74", "15.44"]);
    expect(gammaGamma!.customers).toBe(946);
  });

  it("chooses the BG/NBD by BIC (same parameter count, higher log-likelihood)", () => {
    expect(result.chosen).toBe("bgnbd");
    expect(result.bgnbd.bic).toBeCloseTo(-2 * result.bgnbd.logLikelihood + 4 * Math.log(2357), 9);
    expect(result.bgnbd.bic).toBeLessThan(result.pnbd.bic);
    expect(result.rule).toMatch(/lower BIC/);
  });

  it("reproduces the holdout check: 1,882 actual against 1,653.4 expected repeat purchases", () => {
    const h = result.holdout!;
    expect(h.bgnbd.actual).toBe(1882);
    expect(h.bgnbd.expected.toFixed(1)).toBe("1653.4");
    // bench/value_reference.py "sample": Σ E[Y(39) | x, tx, T] at scipy's estimates.
    relClose(h.bgnbd.expected, 1653.4086711194116, 1e-6);
    relClose(h.pnbd.expected, 1665.5132062286252, 1e-6);
    // Figure 4: groups 0, 1, …, 6, 7+ partition the customers; their means weight back to the totals.
    const groups = h.bgnbd.byFrequency;
    expect(groups.map((g) => g.x)).toEqual(["0", "1", "2", "3", "4", "5", "6", "7+"]);
    expect(groups.reduce((s, g) => s + g.customers, 0)).toBe(2357);
    relClose(groups.reduce((s, g) => s + g.customers * g.actual, 0), 1882, 1e-12);
    relClose(groups.reduce((s, g) => s + g.customers * g.expected, 0), h.bgnbd.expected, 1e-12);
    expect(groups[0].customers).toBe(1411);
    // Per-customer accuracy numbers are in range.
    expect(h.bgnbd.correlation!).toBeGreaterThan(0.5);
    expect(h.bgnbd.meanAbsoluteError).toBeGreaterThan(0);
  });

  it("tracks cumulative repeat purchases (Figure 2): actual totals and the model's expected curve", () => {
    const t = result.tracking;
    expect(t.startDay).toBe("1997-01-01");
    expect(t.periods).toBe(78);
    expect(t.calibrationPeriods).toBe(39);
    expect(t.cumulativeActual[38]).toBe(2457); // Σ x: repeat purchases in the calibration period
    expect(t.cumulativeActual[77]).toBe(2457 + 1882);
    // Expected cumulative at the calibration end = Σ_i E[X(T_i)].
    const params = { r: result.bgnbd.r, alpha: result.bgnbd.alpha, a: result.bgnbd.a, b: result.bgnbd.b };
    const direct = result.rows.reduce((s, row) => s + bgnbdExpected(params, row.T), 0);
    relClose(t.bgnbd.cumulativeExpected[38], direct, 1e-10);
    relClose(t.bgnbd.expected.reduce((a, b) => a + b, 0), t.bgnbd.cumulativeExpected[77], 1e-12);
  });

  it("gives per-customer predictions, spend and CLV as documented", () => {
    const first = result.rows[0]; // master id 4: x = 2, tx = 30.43, T = 38.86
    expect(first.id).toBe("00004"); // ids as the file spells them
    expect(first.x).toBe(2);
    expect(first.expected).toBeCloseTo(1.226, 3);
    expect(first.actual).toBe(1);
    const params = { r: result.bgnbd.r, alpha: result.bgnbd.alpha, a: result.bgnbd.a, b: result.bgnbd.b };
    // CLV = margin × E[M] × Σ_{i=1..52} (E[Y(i)] − E[Y(i−1)]) / (1 + d)^i, d the weekly rate of 10 % a year.
    const d = periodDiscountRate(0.1, 7);
    relClose(d, Math.pow(1.1, 7 / 365.25) - 1, 1e-15);
    let discounted = 0, previous = 0;
    for (let i = 1; i <= 52; i++) {
      const e = bgnbdConditionalExpected(params, i, first.x, first.tx, first.T);
      discounted += (e - previous) / Math.pow(1 + d, i);
      previous = e;
    }
    relClose(first.clv, 0.3 * first.averageValue * discounted, 1e-12);
    // A customer without repeat purchases is valued at the population mean spend p v / (q − 1).
    const gg = result.gammaGamma!;
    const oneTime = result.rows.find((row) => row.x === 0)!;
    relClose(oneTime.averageValue, gg.populationMean!, 1e-14);
    relClose(gg.populationMean!, (gg.p * gg.v) / (gg.q - 1), 1e-14);
    relClose(result.clv.total, result.rows.reduce((s, row) => s + row.clv, 0), 1e-12);
  });

  it("is identical for identical input", () => {
    const again = fitValueModels(sample.purchases, sample.ids, PAPER);
    expect(JSON.stringify(again)).toBe(JSON.stringify(result));
  });

  it("gives the same model in days, with α scaled by 7 and the log-likelihood shifted by Σx ln 7", () => {
    const days = fitValueModels(sample.purchases, sample.ids, { ...PAPER, periodDays: 1, horizon: 364 });
    relClose(days.bgnbd.r, result.bgnbd.r, 1e-5);
    relClose(days.bgnbd.alpha, 7 * result.bgnbd.alpha, 1e-5);
    relClose(days.bgnbd.a, result.bgnbd.a, 1e-5);
    relClose(days.bgnbd.b, result.bgnbd.b, 1e-5);
    // Densities of purchase times in days are 7^-x those in weeks.
    relClose(days.bgnbd.logLikelihood, result.bgnbd.logLikelihood - 2457 * Math.log(7), 1e-10);
    relClose(days.holdout!.bgnbd.expected, result.holdout!.bgnbd.expected, 1e-5);
  });
});

describe("fitValueModels on all 23,570 CDNOW customers", () => {
  const result = fitValueModels(full.purchases, full.ids, PAPER);

  it("agrees with an independent scipy fit of the same summary", () => {
    // bench/value_reference.py "cdnow": the summary and fits computed in Python (scipy.optimize,
    // Nelder–Mead then BFGS on log-parameters).
    expect(result.customers).toBe(23570);
    expect(result.tracking.cumulativeActual[38]).toBe(24337);
    expect(result.holdout!.bgnbd.actual).toBe(19684);
    const ref = {
      bgnbd: [0.2516239635183072, 4.78894297041844, 0.7234336550349194, 2.1610886744614914],
      pnbd: [0.5974199724862369, 11.585657531334236, 0.5221856391624322, 8.827759505483296],
      gammaGamma: [6.27536031162611, 3.6244498157517273, 14.983682759443967]
    };
    const { bgnbd, pnbd, gammaGamma } = result;
    [bgnbd.r, bgnbd.alpha, bgnbd.a, bgnbd.b].forEach((v, i) => relClose(v, ref.bgnbd[i], 1e-6));
    [pnbd.r, pnbd.alpha, pnbd.s, pnbd.beta].forEach((v, i) => relClose(v, ref.pnbd[i], 1e-6));
    [gammaGamma!.p, gammaGamma!.q, gammaGamma!.v].forEach((v, i) => relClose(v, ref.gammaGamma[i], 1e-6));
    relClose(bgnbd.logLikelihood, -95368.44393316074, 1e-12);
    relClose(pnbd.logLikelihood, -95415.11861746982, 1e-12);
    relClose(gammaGamma!.logLikelihood, -40763.476261390715, 1e-12);
    relClose(result.holdout!.bgnbd.expected, 16873.733498611535, 1e-6);
    expect(gammaGamma!.customers).toBe(9450);
    expect(result.excluded.spendNotPositive).toBe(1);
    expect(result.notes).toContain("1 repeat buyer with a mean repeat spend ≤ 0 is left out of the spend fit");
  });
});

describe("fitValueModels settings and data it cannot fit", () => {
  it("with the log's last day, refuses a calibration end after it and cuts a holdout past it", () => {
    const { purchases, ids } = cdnowSample();
    const base = { periodDays: 7 as const, horizon: 52, margin: 1, annualDiscountRate: 0.1, logEnd: "1998-06-30" };
    expect(() => fitValueModels(purchases, ids, { ...base, calibrationEnd: "1998-07-01" })).toThrow(/the calibration end is after the last purchase in the log; found "1998-07-01", expected a day up to 1998-06-30/);
    const cut = fitValueModels(purchases, ids, { ...base, calibrationEnd: "1997-09-30", holdoutEnd: "1999-01-01" });
    expect(cut.holdoutPeriod).toEqual({ end: "1998-06-30", periods: 39 });
    expect(cut.holdout!.bgnbd.actual).toBe(1882);
    expect(cut.notes).toContain("the holdout is cut at the last purchase in the log, 1998-06-30, instead of 1999-01-01: the log holds nothing later");
  });

  const tiny = (rows: [number, number, number][]): Purchases => ({
    customer: Int32Array.from(rows, (r) => r[0]), day: Int32Array.from(rows, (r) => r[1]), amount: Float64Array.from(rows, (r) => r[2])
  });
  const base: ValueSettings = { periodDays: 7, calibrationEnd: 100, horizon: 10, margin: 0.5, annualDiscountRate: 0 };

  it("rejects settings a user can get wrong, naming the setting", () => {
    const p = tiny([[0, 1, 5], [0, 8, 5], [1, 3, 5]]);
    const cases: [Partial<ValueSettings>, RegExp][] = [
      [{ margin: 0 }, /margin/], [{ margin: 1.5 }, /margin/], [{ horizon: 0 }, /horizon/], [{ horizon: 2.5 }, /horizon/],
      [{ annualDiscountRate: -0.1 }, /annualDiscountRate/], [{ periodDays: 30 as 7 }, /periodDays/],
      [{ calibrationEnd: "1997-02-30" }, /calibrationEnd.*YYYY-MM-DD/], [{ holdoutEnd: 50 }, /holdoutEnd.*after calibrationEnd/]
    ];
    for (const [change, pattern] of cases) {
      expect(() => fitValueModels(p, ["a", "b"], { ...base, ...change })).toThrow(WorkbenchError);
      expect(() => fitValueModels(p, ["a", "b"], { ...base, ...change })).toThrow(pattern);
    }
  });

  it("says what to do when nobody made a repeat purchase or there are too few customers", () => {
    expect(() => fitValueModels(tiny([[0, 1, 5], [1, 3, 5], [2, 9, 1]]), ["a", "b", "c"], base)).toThrow(/no customer made a repeat purchase.*calibrationEnd later/);
    expect(() => fitValueModels(tiny([[0, 1, 5], [0, 8, 5], [1, 300, 5]]), ["a", "b"], base)).toThrow(/too few customers.*found "1 customers/);
  });

  it("works without a holdout, and without enough spend data for the Gamma-Gamma model", () => {
    // 300 simulated customers whose purchases are all free: no repeat buyer has a positive spend.
    const purchases = simulatePurchases(
      { model: "bgnbd", params: { r: 0.5, alpha: 5, a: 0.8, b: 2.5 } },
      { customers: 300, startDay: 0, acquisitionDays: 30, endDay: 200, periodDays: 7 }, new Rng(9)
    );
    const zero = { ...purchases, amount: purchases.amount.map(() => 0) };
    const r = fitValueModels(zero, Array.from({ length: 300 }, (_, i) => `c${i}`), { ...base, calibrationEnd: 200, horizon: 26 });
    expect(r.holdout).toBeNull();
    expect(r.holdoutPeriod).toBeNull();
    expect(r.gammaGamma).toBeNull();
    expect(r.notes.some((n) => /Gamma-Gamma not fitted/.test(n))).toBe(true);
    expect(r.rows.every((row) => row.actual === null && row.averageValue === 0 && row.clv === 0)).toBe(true);
    // Without a holdout, `expected` is over the CLV horizon.
    const row = r.rows.find((x) => x.x > 0)!;
    const params = { r: r.bgnbd.r, alpha: r.bgnbd.alpha, a: r.bgnbd.a, b: r.bgnbd.b };
    if (r.chosen === "bgnbd") relClose(row.expected, bgnbdConditionalExpected(params, 26, row.x, row.tx, row.T), 1e-12);
    // The tracking curve ends on the calibration end without a holdout.
    const start = Date.UTC(+r.tracking.startDay.slice(0, 4), +r.tracking.startDay.slice(5, 7) - 1, +r.tracking.startDay.slice(8, 10)) / 86_400_000;
    expect(r.tracking.periods).toBe(Math.ceil((200 - start + 1) / 7));
  });
});
