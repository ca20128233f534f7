/**
 * Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005, "RFM and CLV: using
 * iso-value curves for customer base analysis", JMR 42(4); Fader & Hardie, "The Gamma-Gamma
 * model of monetary value", 2013): a customer's purchase amounts are Gamma(p, ν) with
 * ν ~ Gamma(q, v) across customers, independent of how often they buy. For a customer with
 * x repeat purchases of mean m̄ (x m̄ ~ Gamma(px, ν)):
 *   ln f(m̄ | x) = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln v + (px−1) ln m̄ + px ln x − (px+q) ln(v + x m̄)
 *   E[M | x, m̄] = (p v + p x m̄) / (p x + q − 1),
 * a weighted average of the population mean p v / (q − 1) and the customer's own mean.
 */
import { WorkbenchError } from "../errors.ts";
import { digamma, lnGamma } from "./special.ts";
import { fitPositive, warmStart, type PositiveFit } from "./optimize.ts";
import { WARM_START_CUSTOMERS } from "./triples.ts";

export interface GammaGammaParams {
  p: number;
  q: number;
  v: number;
}

export interface GammaGammaFit {
  params: GammaGammaParams;
  logLikelihood: number;
  standardErrors: { p: number | null; q: number | null; v: number | null };
  /** Customers the fit used: x > 0 and mean repeat spend > 0. */
  customers: number;
  /** Customers left out: repeat buyers whose mean repeat spend is ≤ 0. */
  excludedNonPositive: number;
  converged: boolean;
  atBound: string[];
}

export const GG_BOUNDS = { lower: [1e-6, 1e-6, 1e-6], upper: [1e6, 1e6, 1e10] };

/** Log-likelihood of one customer's mean repeat spend. */
export function gammaGammaLogLikelihoodOne(params: GammaGammaParams, x: number, mbar: number): number {
  const { p, q, v } = params;
  const px = p * x;
  return lnGamma(px + q) - lnGamma(px) - lnGamma(q) + q * Math.log(v) + (px - 1) * Math.log(mbar) + px * Math.log(x) - (px + q) * Math.log(v + x * mbar);
}

/** E[M | x, m̄]; for x = 0 the population mean p v / (q − 1) (infinite when q ≤ 1). */
export function gammaGammaExpectedSpend(params: GammaGammaParams, x: number, mbar: number): number {
  const { p, q, v } = params;
  const px = p * x;
  if (px + q <= 1) return Infinity;
  return (p * v + px * Math.max(0, mbar)) / (px + q - 1);
}

/**
 * Log-likelihood over customers with x > 0 and m̄ > 0 (p = [p, q, v]); ln Γ and ψ are taken
 * once per distinct x, and ln m̄, ln x once per customer at setup.
 */
export function gammaGammaLikelihood(x: Float64Array, mbar: Float64Array): (params: ArrayLike<number>, grad?: Float64Array) => number {
  const n = x.length;
  const xValues = [...new Set(x)].sort((a, b) => a - b);
  const xIndex = new Int32Array(n);
  const position = new Map(xValues.map((v, k) => [v, k]));
  const count = new Float64Array(xValues.length);
  let constant = 0; // −Σ ln m̄, the part of (px − 1) ln m̄ free of parameters
  const logM = new Float64Array(n);
  let sumLogX = 0, sumXLogM = 0;
  for (let i = 0; i < n; i++) {
    xIndex[i] = position.get(x[i])!;
    count[xIndex[i]]++;
    logM[i] = Math.log(mbar[i]);
    constant -= logM[i];
    sumLogX += x[i] * Math.log(x[i]);
    sumXLogM += x[i] * logM[i];
  }
  return (params, grad) => {
    const p = params[0], q = params[1], v = params[2];
    const lgq = lnGamma(q), logV = Math.log(v);
    let sum = constant + p * (sumXLogM + sumLogX) + n * (q * logV - lgq);
    let dp = sumXLogM + sumLogX, dq = n * (logV - (grad ? digamma(q) : 0)), dv = (n * q) / v;
    for (let k = 0; k < xValues.length; k++) {
      const px = p * xValues[k];
      sum += count[k] * (lnGamma(px + q) - lnGamma(px));
      if (grad) {
        const psiPQ = digamma(px + q);
        dp += count[k] * xValues[k] * (psiPQ - digamma(px));
        dq += count[k] * psiPQ;
      }
    }
    for (let i = 0; i < n; i++) {
      const xi = x[i], px = p * xi, denom = v + xi * mbar[i];
      const logDenom = Math.log(denom);
      sum -= (px + q) * logDenom;
      if (grad) {
        dp -= xi * logDenom;
        dq -= logDenom;
        dv -= (px + q) / denom;
      }
    }
    if (grad) {
      grad[0] = dp;
      grad[1] = dq;
      grad[2] = dv;
    }
    return sum;
  };
}

function fitRaw(xs: number[], ms: number[], start: number[], options?: Parameters<typeof fitPositive>[4]): PositiveFit {
  const ll = gammaGammaLikelihood(Float64Array.from(xs), Float64Array.from(ms));
  return fitPositive((p) => -ll(p), start, GG_BOUNDS, (p, g) => {
    const v = -ll(p, g);
    for (let i = 0; i < 3; i++) g[i] = -g[i];
    return v;
  }, options);
}

/**
 * Fits p, q, v on the repeat buyers (x > 0) with a positive mean repeat spend; the others are
 * left out and counted. Start: p = 1, q = 2, v = mean of m̄ (so the start's population mean
 * p v / (q − 1) is the observed one); above 2 × WARM_START_CUSTOMERS fitted customers, the fit
 * on every k-th of them, polished on all.
 */
export function fitGammaGamma(x: ArrayLike<number>, meanSpend: ArrayLike<number>, start?: GammaGammaParams): GammaGammaFit {
  const xs: number[] = [], ms: number[] = [];
  let excludedNonPositive = 0;
  for (let i = 0; i < x.length; i++) {
    if (!(x[i] > 0)) continue;
    if (meanSpend[i] > 0) {
      xs.push(x[i]);
      ms.push(meanSpend[i]);
    } else excludedNonPositive++;
  }
  if (xs.length < 2) {
    throw new WorkbenchError("too few repeat buyers with a positive spend to fit the Gamma-Gamma spend model", {
      found: String(xs.length), expected: "at least 2", hint: "Use a longer calibration period or more customers"
    });
  }
  const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
  const s = start ?? { p: 1, q: 2, v: mean };
  const initial = [s.p, s.q, s.v];
  const k = Math.ceil(xs.length / WARM_START_CUSTOMERS);
  const fit = !start && xs.length > 2 * WARM_START_CUSTOMERS
    ? (() => {
        const subX = xs.filter((_, i) => i % k === 0), subM = ms.filter((_, i) => i % k === 0);
        const warm = warmStart(fitRaw(subX, subM, initial), subX.length, xs.length);
        return fitRaw(xs, ms, warm.start, warm.options);
      })()
    : fitRaw(xs, ms, initial);
  const [p, q, v] = fit.params;
  return {
    params: { p, q, v },
    logLikelihood: -fit.value,
    standardErrors: { p: fit.standardErrors[0], q: fit.standardErrors[1], v: fit.standardErrors[2] },
    customers: xs.length,
    excludedNonPositive,
    converged: fit.converged,
    atBound: ["p", "q", "v"].filter((_, i) => fit.atBound[i])
  };
}
