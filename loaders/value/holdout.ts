/**
 * How well a fitted count model predicts, in the two views of Fader, Hardie & Lee (2005):
 *
 * - Holdout check (their Figure 4): each cohort customer's actual holdout purchases against
 *   E[Y(t*) | x, tx, T], t* the holdout length; totals, mean absolute error, Pearson
 *   correlation, and the mean actual and expected holdout purchases of customers grouped by
 *   calibration frequency x = 0, 1, …, 6 and "7+".
 * - Tracking curve (their Figure 2): repeat purchases of the whole cohort per period across
 *   calibration and holdout, actual against Σ over customers of E[X(age)], age the time since
 *   the customer's first purchase at the end of the period (so customers still arriving add
 *   their own curves from their first day).
 */
import type { CountModel, CountParams } from "./countTypes.ts";
import type { CustomerSummary } from "./summary.ts";
import type { Triples } from "./triples.ts";

export interface FrequencyGroup {
  /** "0", "1", …, or the open last group, e.g. "7+". */
  x: string;
  customers: number;
  /** Mean holdout purchases of the group. */
  actual: number;
  /** Mean expected holdout purchases of the group. */
  expected: number;
}

export interface HoldoutCheck {
  /** Holdout length in periods. */
  periods: number;
  customers: number;
  actual: number;
  expected: number;
  /** Mean |actual − expected| per customer. */
  meanAbsoluteError: number;
  /** Pearson correlation of actual and expected per customer; null when either is constant. */
  correlation: number | null;
  byFrequency: FrequencyGroup[];
}

/** Per customer (summary order), E[Y(t*) | x, tx, T] over the holdout. */
export function expectedHoldout<P extends CountParams>(
  model: CountModel<P>, params: P, triples: Triples, periods: number
): Float64Array {
  const perTriple = model.conditionalExpectedCurve(params, triples, Float64Array.of(periods));
  return Float64Array.from(triples.ofCustomer, (k) => perTriple[k]);
}

/** Actual against expected holdout purchases; the last frequency group is "lastGroup+" (default 7+, as the paper). */
export function holdoutCheck(
  summary: CustomerSummary, expected: Float64Array, lastGroup = 7
): HoldoutCheck {
  const actual = summary.holdout;
  if (!actual || summary.holdoutPeriods === null) throw new Error("holdoutCheck: the summary has no holdout period");
  const n = actual.length;
  let sa = 0, se = 0, abs = 0;
  const groups = lastGroup + 1;
  const count = new Float64Array(groups), ga = new Float64Array(groups), ge = new Float64Array(groups);
  for (let i = 0; i < n; i++) {
    sa += actual[i];
    se += expected[i];
    abs += Math.abs(actual[i] - expected[i]);
    const g = Math.min(summary.x[i], lastGroup);
    count[g]++;
    ga[g] += actual[i];
    ge[g] += expected[i];
  }
  return {
    periods: summary.holdoutPeriods,
    customers: n,
    actual: sa,
    expected: se,
    meanAbsoluteError: n ? abs / n : 0,
    correlation: pearson(actual, expected),
    byFrequency: Array.from({ length: groups }, (_, g) => ({
      x: g === lastGroup ? `${g}+` : String(g),
      customers: count[g],
      actual: count[g] ? ga[g] / count[g] : 0,
      expected: count[g] ? ge[g] / count[g] : 0
    }))
  };
}

/** Pearson correlation; null when either series has no variance. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  const n = a.length;
  if (n < 2) return null;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma, db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : null;
}

export interface TrackingCurve {
  /** Per period (period k covers days startDay + k·periodDays …, the last possibly partial). */
  actual: number[];
  expected: number[];
  cumulativeActual: number[];
  cumulativeExpected: number[];
}

/**
 * Actual and expected repeat purchases per period: expected cumulative at the end of period k
 * (its last day e) is Σ over first-purchase days f ≤ e of (customers starting on f) · E[X((e − f) / periodDays)].
 */
export function trackingCurve<P extends CountParams>(model: CountModel<P>, params: P, summary: CustomerSummary): TrackingCurve {
  const { curve, periodDays } = summary;
  const lastDay = summary.holdoutEnd ?? summary.calibrationEnd;
  const { startDay, periods, firstDays, firstDayCustomers } = curve;
  // E[X(age)] for every whole-day age that occurs.
  const ages = Math.max(0, lastDay - startDay + 1);
  const ex = Float64Array.from({ length: ages }, (_, d) => model.expected(params, d / periodDays));
  const cumulativeExpected: number[] = [];
  for (let k = 0; k < periods; k++) {
    const end = Math.min(startDay + (k + 1) * periodDays - 1, lastDay);
    let total = 0;
    for (let j = 0; j < firstDays.length && firstDays[j] <= end; j++) total += firstDayCustomers[j] * ex[end - firstDays[j]];
    cumulativeExpected.push(total);
  }
  const actual = Array.from(curve.repeatPurchases);
  const cumulativeActual: number[] = [];
  let running = 0;
  for (const v of actual) cumulativeActual.push((running += v));
  return {
    actual,
    expected: cumulativeExpected.map((v, k) => v - (k ? cumulativeExpected[k - 1] : 0)),
    cumulativeActual,
    cumulativeExpected
  };
}
