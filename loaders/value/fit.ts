/**
 * The value models in one call: from purchases to fitted BG/NBD, Pareto/NBD and Gamma-Gamma
 * models, the chosen count model, a holdout check, the tracking curve and per-customer
 * P(alive), expected purchases, expected spend and CLV. The result is plain JSON-able data and
 * identical for identical input.
 *
 * Steps: summarizePurchases (summary.ts) → compressTriples → fit both count models →
 * choose by BIC (countModels.ts) → Gamma-Gamma on repeat buyers with a positive mean spend →
 * predictions with the chosen model → holdout check and tracking curve for both models.
 */
import { WorkbenchError } from "../errors.ts";
import { compressTriples, perCustomer, type Triples } from "./triples.ts";
import { formatDay as isoDay, parseSnapshot, type Purchases } from "../features/rfm.ts";
import { summarizePurchases, type CustomerSummary } from "./summary.ts";
import { SELECTION_RULE, bic, chooseCountModel, countModels, type CountModelName } from "./countModels.ts";
import type { CountFit, CountModel, CountParams } from "./countTypes.ts";
import { fitGammaGamma, gammaGammaExpectedSpend, type GammaGammaFit } from "./gammaGamma.ts";
import { customerLifetimeValue, discountedPurchases, periodDiscountRate } from "./clv.ts";
import { expectedHoldout, holdoutCheck, trackingCurve, type HoldoutCheck, type TrackingCurve } from "./holdout.ts";

export interface ValueSettings {
  /** 1 (days) or 7 (weeks): the time unit of x, tx, T, the horizon and the model parameters. */
  periodDays: 1 | 7;
  /** Last calibration day, inclusive: YYYY-MM-DD or a day number (days since 1970-01-01). */
  calibrationEnd: string | number;
  /** Last holdout day, inclusive; no holdout check without it. */
  holdoutEnd?: string | number;
  /** CLV horizon in periods (a whole number ≥ 1). */
  horizon: number;
  /** Share of revenue that is margin, in (0, 1]. */
  margin: number;
  /** Annual discount rate ≥ 0, e.g. 0.1 for 10 %. */
  annualDiscountRate: number;
  /**
   * The last day the data covers (a log's last purchase), when known: the calibration must end
   * by it, and a holdout running past it is cut there. Simulated data leaves it out: there the
   * customers are observed to calibrationEnd whether or not they bought.
   */
  logEnd?: string | number;
}

/** Minimum repeat buyers with a positive mean spend for a Gamma-Gamma fit. */
export const MIN_SPEND_CUSTOMERS = 10;

export interface ValueRow {
  id: string;
  x: number;
  tx: number;
  T: number;
  pAlive: number;
  /** Expected purchases over the holdout when there is one, else over the horizon (chosen model). */
  expected: number;
  /** Gamma-Gamma expected spend per purchase (x = 0: the population mean p·v/(q−1)). */
  averageValue: number;
  clv: number;
  /** Holdout purchases; null without a holdout. */
  actual: number | null;
}

type FitSummary<N extends string> = { [K in N]: number } & {
  logLikelihood: number;
  bic: number;
  standardErrors: { [K in N]: number | null };
  converged: boolean;
  atBound: string[];
};

export interface ValueModelsResult {
  period: { days: 1 | 7; unit: "day" | "week" };
  calibration: { start: string; end: string; periods: number };
  holdoutPeriod: { end: string; periods: number } | null;
  /** Customers in the calibration cohort (first purchase on or before the calibration end). */
  customers: number;
  excluded: {
    firstAfterCalibration: number;
    noPurchases: number;
    /** Repeat buyers left out of the Gamma-Gamma fit (mean repeat spend ≤ 0). */
    spendNotPositive: number;
  };
  notes: string[];
  bgnbd: FitSummary<"r" | "alpha" | "a" | "b">;
  pnbd: FitSummary<"r" | "alpha" | "s" | "beta">;
  chosen: CountModelName;
  rule: string;
  gammaGamma: {
    p: number; q: number; v: number;
    logLikelihood: number;
    /** Customers the spend model was fitted on. */
    customers: number;
    /** p·v/(q−1), the expected spend of a customer without repeat purchases; null when q ≤ 1. */
    populationMean: number | null;
    standardErrors: { p: number | null; q: number | null; v: number | null };
  } | null;
  clv: { horizon: number; margin: number; annualDiscountRate: number; periodDiscountRate: number; total: number };
  /** Both count models' holdout checks; null without a holdout. */
  holdout: { bgnbd: HoldoutCheck; pnbd: HoldoutCheck } | null;
  /** Repeat purchases per period, actual and expected by each model (Figure 2 of the BG/NBD paper). */
  tracking: {
    startDay: string;
    periods: number;
    /** Calibration length in periods from startDay (the calibration/holdout divide). */
    calibrationPeriods: number;
    actual: number[];
    cumulativeActual: number[];
    bgnbd: { expected: number[]; cumulativeExpected: number[] };
    pnbd: { expected: number[]; cumulativeExpected: number[] };
  };
  rows: ValueRow[];
}

export function fitValueModels(purchases: Purchases, ids: readonly string[], settings: ValueSettings): ValueModelsResult {
  const notes: string[] = [];
  const checked = checkSettings(settings);
  const s = settings.logEnd === undefined ? checked : withinLog(checked, toDay(settings.logEnd, "logEnd"), notes);
  const summary = summarizePurchases(purchases, {
    calibrationEnd: s.calibrationEnd, holdoutEnd: s.holdoutEnd, periodDays: s.periodDays, customers: ids.length
  });
  const C = summary.x.length;
  if (summary.excluded.firstAfterCalibration) {
    notes.push(`${summary.excluded.firstAfterCalibration} customers first bought after the calibration end (${isoDay(s.calibrationEnd)}) and are not in the calibration cohort`);
  }
  if (summary.excluded.noPurchases) notes.push(`${summary.excluded.noPurchases} customer ids have no purchase`);
  if (summary.mergedRows) notes.push(`${summary.mergedRows} rows on a day the same customer already bought were merged into that day's purchase`);
  if (summary.purchasesAfterEnd) {
    notes.push(`${summary.purchasesAfterEnd} purchases after ${isoDay(s.holdoutEnd ?? s.calibrationEnd)} are not used`);
  }
  if (C < 2) {
    throw new WorkbenchError("too few customers to fit the value models", {
      found: `${C} customers with a first purchase on or before ${isoDay(s.calibrationEnd)}`, expected: "at least 2",
      hint: "Move calibrationEnd later or add customers"
    });
  }
  let repeats = 0;
  for (let i = 0; i < C; i++) repeats += summary.x[i];
  if (repeats === 0) {
    throw new WorkbenchError("no customer made a repeat purchase in the calibration period, so purchase rates cannot be fitted", {
      found: `0 repeat purchases among ${C} customers up to ${isoDay(s.calibrationEnd)}`,
      hint: "Move calibrationEnd later (a longer calibration period), or check that purchases of one customer share one id"
    });
  }
  const triples = compressTriples(summary.x, summary.tx, summary.T);
  const fits = { bgnbd: countModels.bgnbd.fit(triples), pnbd: countModels.pnbd.fit(triples) };
  const bics = { bgnbd: bic(fits.bgnbd.logLikelihood, 4, C), pnbd: bic(fits.pnbd.logLikelihood, 4, C) };
  for (const name of ["bgnbd", "pnbd"] as const) {
    const fit: CountFit<CountParams> = fits[name];
    const label = countModels[name].label;
    if (!fit.converged) notes.push(`${label}: the fit stopped before the gradient was small; its parameters may be imprecise`);
    if (fit.atBound.length) notes.push(`${label}: ${fit.atBound.join(", ")} at the bound of the search (the likelihood keeps rising that way; their standard errors are left out)`);
  }
  const chosen = chooseCountModel(bics);

  // Spend.
  let gg: GammaGammaFit | null = null;
  let positive = 0, spendNotPositive = 0;
  for (let i = 0; i < C; i++) {
    if (summary.x[i] > 0) {
      if (summary.meanRepeatSpend[i] > 0) positive++;
      else spendNotPositive++;
    }
  }
  if (positive >= MIN_SPEND_CUSTOMERS) {
    gg = fitGammaGamma(summary.x, summary.meanRepeatSpend);
    if (!gg.converged) notes.push("Gamma-Gamma: the fit stopped before the gradient was small; its parameters may be imprecise");
    if (gg.atBound.length) notes.push(`Gamma-Gamma: ${gg.atBound.join(", ")} at the bound of the search`);
  } else {
    notes.push(`Gamma-Gamma not fitted: ${positive} repeat buyers with a positive spend (at least ${MIN_SPEND_CUSTOMERS} needed); the average value is the mean amount of all calibration purchases`);
  }
  if (spendNotPositive) notes.push(`${spendNotPositive} repeat ${spendNotPositive === 1 ? "buyer with a mean repeat spend ≤ 0 is" : "buyers with a mean repeat spend ≤ 0 are"} left out of the spend fit`);
  const averageValue = spendPerPurchase(summary, gg, purchases, s.calibrationEnd);
  if (gg && !(gg.params.q > 1)) notes.push("Gamma-Gamma: q ≤ 1, so the population mean spend is infinite; customers without repeat purchases get the mean amount of all calibration purchases");

  // Predictions with the chosen model.
  const rate = periodDiscountRate(s.annualDiscountRate, s.periodDays);
  const chosenPredictions = chosen === "bgnbd"
    ? predictions(countModels.bgnbd, fits.bgnbd.params, triples, s.horizon, rate)
    : predictions(countModels.pnbd, fits.pnbd.params, triples, s.horizon, rate);
  const { pAlive, discounted } = chosenPredictions;
  const clv = customerLifetimeValue(s.margin, averageValue, discounted);
  const holdoutExpected = summary.holdoutPeriods !== null
    ? { bgnbd: expectedHoldout(countModels.bgnbd, fits.bgnbd.params, triples, summary.holdoutPeriods),
        pnbd: expectedHoldout(countModels.pnbd, fits.pnbd.params, triples, summary.holdoutPeriods) }
    : null;
  const expected = holdoutExpected ? holdoutExpected[chosen] : chosenPredictions.overHorizon;

  const curves = { bgnbd: trackingCurve(countModels.bgnbd, fits.bgnbd.params, summary), pnbd: trackingCurve(countModels.pnbd, fits.pnbd.params, summary) };
  const rows: ValueRow[] = new Array(C);
  let total = 0;
  for (let i = 0; i < C; i++) {
    total += clv[i];
    rows[i] = {
      id: ids[summary.customer[i]],
      x: summary.x[i],
      tx: summary.tx[i],
      T: summary.T[i],
      pAlive: pAlive[i],
      expected: expected[i],
      averageValue: averageValue[i],
      clv: clv[i],
      actual: summary.holdout ? summary.holdout[i] : null
    };
  }
  const ggParams = gg?.params;
  return {
    period: { days: s.periodDays, unit: s.periodDays === 7 ? "week" : "day" },
    calibration: { start: isoDay(summary.curve.startDay), end: isoDay(s.calibrationEnd), periods: summary.curve.calibrationPeriods },
    holdoutPeriod: s.holdoutEnd === undefined ? null : { end: isoDay(s.holdoutEnd), periods: summary.holdoutPeriods! },
    customers: C,
    excluded: { ...summary.excluded, spendNotPositive },
    notes,
    bgnbd: { ...fits.bgnbd.params, ...fitInfo(fits.bgnbd, bics.bgnbd) },
    pnbd: { ...fits.pnbd.params, ...fitInfo(fits.pnbd, bics.pnbd) },
    chosen,
    rule: SELECTION_RULE,
    gammaGamma: gg && ggParams ? {
      ...ggParams,
      logLikelihood: gg.logLikelihood,
      customers: gg.customers,
      populationMean: ggParams.q > 1 ? (ggParams.p * ggParams.v) / (ggParams.q - 1) : null,
      standardErrors: gg.standardErrors
    } : null,
    clv: { horizon: s.horizon, margin: s.margin, annualDiscountRate: s.annualDiscountRate, periodDiscountRate: rate, total },
    holdout: holdoutExpected ? {
      bgnbd: holdoutCheck(summary, holdoutExpected.bgnbd),
      pnbd: holdoutCheck(summary, holdoutExpected.pnbd)
    } : null,
    tracking: {
      startDay: isoDay(summary.curve.startDay),
      periods: summary.curve.periods,
      calibrationPeriods: summary.curve.calibrationPeriods,
      actual: curves.bgnbd.actual,
      cumulativeActual: curves.bgnbd.cumulativeActual,
      bgnbd: pickExpected(curves.bgnbd),
      pnbd: pickExpected(curves.pnbd)
    },
    rows
  };
}

function fitInfo<P extends CountParams>(fit: CountFit<P>, bicValue: number) {
  return { logLikelihood: fit.logLikelihood, bic: bicValue, standardErrors: fit.standardErrors, converged: fit.converged, atBound: fit.atBound };
}

function pickExpected(curve: TrackingCurve) {
  return { expected: curve.expected, cumulativeExpected: curve.cumulativeExpected };
}

/** Per customer: P(alive), expected purchases over the horizon, discounted expected purchases. */
function predictions<P extends CountParams>(model: CountModel<P>, params: P, triples: Triples, horizon: number, rate: number) {
  const { discounted, atHorizon } = discountedPurchases(model, params, triples, horizon, rate);
  return {
    pAlive: perCustomer(triples, model.pAliveMany(params, triples)),
    overHorizon: perCustomer(triples, atHorizon),
    discounted: perCustomer(triples, discounted)
  };
}

/**
 * Expected spend per purchase per cohort customer: the Gamma-Gamma conditional expectation, or
 * (no fit, or an infinite population mean for x = 0) the mean amount of all calibration purchases.
 */
function spendPerPurchase(summary: CustomerSummary, gg: GammaGammaFit | null, purchases: Purchases, calibrationEnd: number): Float64Array {
  let sum = 0, count = 0;
  for (let i = 0; i < purchases.day.length; i++) {
    if (purchases.day[i] <= calibrationEnd) {
      sum += purchases.amount[i];
      count++;
    }
  }
  const fallback = count ? sum / count : 0;
  return Float64Array.from(summary.x, (x, i) => {
    if (!gg) return fallback;
    const value = gammaGammaExpectedSpend(gg.params, x, summary.meanRepeatSpend[i]);
    return Number.isFinite(value) ? value : fallback;
  });
}

interface CheckedSettings {
  periodDays: 1 | 7;
  calibrationEnd: number;
  holdoutEnd?: number;
  horizon: number;
  margin: number;
  annualDiscountRate: number;
}

/**
 * The settings against the log's last day: a calibration end after it is refused (every
 * customer would look long gone: P(alive) near 0 and no value); a holdout ending after it is cut
 * at the last purchase day, with a note, as the log knows nothing of later days and a model
 * would be judged against purchases that were never recorded.
 */
function withinLog(s: CheckedSettings, last: number, notes: string[]): CheckedSettings {
  if (s.calibrationEnd > last) {
    throw new WorkbenchError("the calibration end is after the last purchase in the log", {
      found: isoDay(s.calibrationEnd),
      expected: `a day up to ${isoDay(last)}`,
      hint: "Use a date within the log: the models learn from purchases up to it"
    });
  }
  if (s.holdoutEnd !== undefined && s.holdoutEnd > last) {
    if (last <= s.calibrationEnd) {
      notes.push(`no holdout check: the log has no purchase after the calibration end (${isoDay(s.calibrationEnd)})`);
      return { ...s, holdoutEnd: undefined };
    }
    notes.push(`the holdout is cut at the last purchase in the log, ${isoDay(last)}, instead of ${isoDay(s.holdoutEnd)}: the log holds nothing later`);
    return { ...s, holdoutEnd: last };
  }
  return s;
}

function checkSettings(settings: ValueSettings): CheckedSettings {
  const bad = (name: string, found: unknown, expected: string, hint?: string) =>
    new WorkbenchError(`invalid value-model setting ${name}`, { column: name, found: String(found), expected, hint });
  const { periodDays, horizon, margin, annualDiscountRate } = settings;
  if (periodDays !== 1 && periodDays !== 7) throw bad("periodDays", periodDays, "1 (days) or 7 (weeks)");
  const calibrationEnd = toDay(settings.calibrationEnd, "calibrationEnd");
  const holdoutEnd = settings.holdoutEnd === undefined ? undefined : toDay(settings.holdoutEnd, "holdoutEnd");
  if (holdoutEnd !== undefined && holdoutEnd <= calibrationEnd) {
    throw bad("holdoutEnd", settings.holdoutEnd, `a day after calibrationEnd (${isoDay(calibrationEnd)})`, "Leave holdoutEnd out to skip the holdout check");
  }
  if (!(Number.isInteger(horizon) && horizon >= 1 && horizon <= 100_000)) throw bad("horizon", horizon, "a whole number of periods ≥ 1");
  if (!(margin > 0 && margin <= 1)) throw bad("margin", margin, "a share in (0, 1], e.g. 0.3 for a 30 % margin");
  if (!(annualDiscountRate >= 0 && Number.isFinite(annualDiscountRate))) {
    throw bad("annualDiscountRate", annualDiscountRate, "a rate ≥ 0, e.g. 0.1 for 10 % a year");
  }
  return { periodDays, calibrationEnd, holdoutEnd, horizon, margin, annualDiscountRate };
}

/** Day number of a YYYY-MM-DD date or a whole day number. */
function toDay(value: string | number, name: string): number {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  try {
    if (typeof value === "string") return parseSnapshot(value);
  } catch {
    // Reported below with the setting's name.
  }
  throw new WorkbenchError(`invalid value-model setting ${name}`, {
    column: name, found: String(value), expected: "a date YYYY-MM-DD or a whole day number"
  });
}
