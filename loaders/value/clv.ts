/**
 * Customer lifetime value over a horizon of H periods, stepping period by period:
 *
 *   CLV = margin × E[M] × Σ_{i=1..H} (E[Y(i)] − E[Y(i−1)]) / (1 + d)^i
 *
 * where E[Y(i)] is the count model's expected purchases in the customer's next i periods
 * (conditional on their x, tx, T), E[M] the Gamma-Gamma expected spend per purchase, and the
 * purchases expected in period i are discounted to the end of that period. d is the per-period
 * rate equivalent to the annual rate: d = (1 + annual)^(periodDays / 365.25) − 1, so 52.18
 * weekly (365.25 daily) discounts compound to exactly one annual discount.
 */
import type { CountModel, CountParams } from "./countTypes.ts";
import type { Triples } from "./triples.ts";

/** Per-period discount rate equivalent to an annual rate. */
export function periodDiscountRate(annualRate: number, periodDays: number): number {
  return Math.pow(1 + annualRate, periodDays / 365.25) - 1;
}

/**
 * Per triple, the discounted expected purchases Σ_{i=1..H} (E[Y(i)] − E[Y(i−1)]) / (1+d)^i
 * (E[Y(0)] = 0), and the undiscounted E[Y(H)] on the way.
 */
export function discountedPurchases<P extends CountParams>(
  model: CountModel<P>,
  params: P,
  triples: Triples,
  horizon: number,
  rate: number
): { discounted: Float64Array; atHorizon: Float64Array } {
  const steps = Float64Array.from({ length: horizon }, (_, i) => i + 1);
  const curve = model.conditionalExpectedCurve(params, triples, steps);
  const discount = Float64Array.from(steps, (i) => Math.pow(1 + rate, -i));
  const discounted = new Float64Array(triples.n), atHorizon = new Float64Array(triples.n);
  for (let k = 0; k < triples.n; k++) {
    let previous = 0, total = 0;
    for (let i = 0; i < horizon; i++) {
      const e = curve[k * horizon + i];
      total += (e - previous) * discount[i];
      previous = e;
    }
    discounted[k] = total;
    atHorizon[k] = previous;
  }
  return { discounted, atHorizon };
}

/** margin × spend × discounted purchases, per customer. */
export function customerLifetimeValue(margin: number, spend: Float64Array, purchases: Float64Array): Float64Array {
  return Float64Array.from(spend, (m, i) => margin * m * purchases[i]);
}
