/**
 * Seeded simulators of the customer-base models with known parameters, for parameter-recovery
 * tests and benchmarks. All randomness comes from the Rng passed in.
 *
 * - BG/NBD: λ ~ Gamma(r, rate α), p ~ Beta(a, b); purchases arrive at rate λ; after each
 *   repeat purchase the customer drops out with probability p (the first purchase, at time 0,
 *   does not count), as in the model's likelihood.
 * - Pareto/NBD: λ ~ Gamma(r, rate α), μ ~ Gamma(s, rate β); purchases at rate λ until a
 *   lifetime τ ~ Exponential(μ) ends.
 * - Gamma-Gamma: ν ~ Gamma(q, rate v) per customer, each amount ~ Gamma(p, rate ν).
 */
import type { Rng } from "../rng.ts";
import type { BgNbdParams } from "./bgnbd.ts";
import type { GammaGammaParams } from "./gammaGamma.ts";
import type { ParetoNbdParams } from "./paretoNbd.ts";
import type { Purchases } from "../features/rfm.ts";

/** Gamma(shape, rate) by Marsaglia & Tsang (2000); shapes below 1 via Gamma(shape + 1) · U^(1/shape). */
export function randomGamma(rng: Rng, shape: number, rate: number): number {
  if (shape < 1) return randomGamma(rng, shape + 1, rate) * Math.pow(1 - rng.random(), 1 / shape);
  const d = shape - 1 / 3, c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.random();
    if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return (d * v) / rate;
  }
}

export function randomBeta(rng: Rng, a: number, b: number): number {
  const x = randomGamma(rng, a, 1);
  return x / (x + randomGamma(rng, b, 1));
}

function randomExponential(rng: Rng, rate: number): number {
  return -Math.log(1 - rng.random()) / rate;
}

export type CountModelParams = { model: "bgnbd"; params: BgNbdParams } | { model: "pnbd"; params: ParetoNbdParams };

/**
 * Repeat-purchase times (periods after the first purchase) of one customer up to `until`,
 * written to `out`; returns how many.
 */
function purchaseTimes(spec: CountModelParams, until: number, rng: Rng, out: number[]): number {
  out.length = 0;
  if (spec.model === "bgnbd") {
    const { r, alpha, a, b } = spec.params;
    const lambda = randomGamma(rng, r, alpha);
    const p = randomBeta(rng, a, b);
    let t = 0;
    for (;;) {
      t += randomExponential(rng, lambda);
      if (!(t <= until)) break;
      out.push(t);
      if (rng.random() < p) break;
    }
  } else {
    const { r, alpha, s, beta } = spec.params;
    const lambda = randomGamma(rng, r, alpha);
    const lifetime = randomExponential(rng, randomGamma(rng, s, beta));
    const end = Math.min(until, lifetime);
    let t = 0;
    for (;;) {
      t += randomExponential(rng, lambda);
      if (!(t <= end)) break;
      out.push(t);
    }
  }
  return out.length;
}

export interface SimulatedSummary {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  /** Purchases in (T, T + holdout] when a holdout length is given. */
  holdout: Float64Array | null;
}

/** Exact (continuous-time) draws of (x, tx, T) for customers observed T[i] periods, plus an optional holdout. */
export function simulateSummary(spec: CountModelParams, T: ArrayLike<number>, rng: Rng, holdout = 0): SimulatedSummary {
  const n = T.length;
  const x = new Float64Array(n), tx = new Float64Array(n), TT = Float64Array.from(T);
  const hold = holdout > 0 ? new Float64Array(n) : null;
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    purchaseTimes(spec, T[i] + holdout, rng, times);
    let k = 0;
    while (k < times.length && times[k] <= T[i]) k++;
    x[i] = k;
    tx[i] = k ? times[k - 1] : 0;
    if (hold) hold[i] = times.length - k;
  }
  return { x, tx, T: TT, holdout: hold };
}

export interface PurchaseLogOptions {
  customers: number;
  /** Day of the first possible first purchase. */
  startDay: number;
  /** First purchases fall uniformly on startDay … startDay + acquisitionDays − 1. */
  acquisitionDays: number;
  /** Last day simulated. */
  endDay: number;
  /** Time unit of the model parameters, in days. */
  periodDays: 1 | 7;
  /** Spend per purchase; every amount is 1 without it. */
  spend?: GammaGammaParams;
}

/**
 * A purchase log at day granularity: customer i's first purchase on a uniform day of the
 * acquisition window, repeat purchases at first + floor(t · periodDays) for model times t.
 * Purchases falling on one day are one purchase (amounts summed), as the summary counts them.
 */
export function simulatePurchases(spec: CountModelParams, options: PurchaseLogOptions, rng: Rng): Purchases {
  const { customers, startDay, acquisitionDays, endDay, periodDays, spend } = options;
  const customer: number[] = [], day: number[] = [], amount: number[] = [];
  const times: number[] = [];
  for (let i = 0; i < customers; i++) {
    const first = startDay + rng.int(acquisitionDays);
    const nu = spend ? randomGamma(rng, spend.q, spend.v) : 0;
    const draw = () => (spend ? randomGamma(rng, spend.p, nu) : 1);
    customer.push(i);
    day.push(first);
    amount.push(draw());
    purchaseTimes(spec, (endDay - first + 1) / periodDays, rng, times);
    for (const t of times) {
      const d = first + Math.floor(t * periodDays);
      if (d > endDay) break;
      if (d === day[day.length - 1] && customer[customer.length - 1] === i) amount[amount.length - 1] += draw();
      else {
        customer.push(i);
        day.push(d);
        amount.push(draw());
      }
    }
  }
  return { customer: Int32Array.from(customer), day: Int32Array.from(day), amount: Float64Array.from(amount) };
}
