/**
 * BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way: an alternative to
 * the Pareto/NBD model", Marketing Science 24(2)): while alive a customer buys at a Poisson rate
 * λ ~ Gamma(r, α); after each purchase they drop out with probability p ~ Beta(a, b).
 *
 * Likelihood of (x, tx, T), eq. (6) of the paper, in logs:
 *   ln L = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
 *          + ln[ (α+T)^−(r+x) + δ(x>0) · a/(b+x−1) · (α+tx)^−(r+x) ]
 * with the bracket as a log-sum-exp, and the two differences of ln Γ as sums of logs:
 *   ln Γ(r+x) − ln Γ(r) = Σ_{k<x} ln(r+k),   ln B(a, b+x) − ln B(a, b) = −Σ_{k<x} ln(1 + a/(b+k)).
 * The second is exact however large b is; as lnΓ(b+x) − lnΓ(b) + … it loses every digit once b
 * is large, which is what lets an optimiser wander to b ≈ 1e16 on round-off.
 */
import { lnGamma, log2F1, logAddExp } from "./special.ts";
import { fitCountModel } from "./fitCount.ts";
import type { Triples } from "./triples.ts";
import type { CountFit } from "./countTypes.ts";

export type BgNbdParams = {
  r: number;
  alpha: number;
  a: number;
  b: number;
};

export const BGNBD_NAMES = ["r", "alpha", "a", "b"] as const;

/** Bounds on every parameter during the fit (see optimize.ts). */
export const BGNBD_BOUNDS = { lower: [1e-6, 1e-6, 1e-6, 1e-6], upper: [1e6, 1e8, 1e6, 1e6] };

/**
 * A log-likelihood over compressed triples with its scratch tables allocated once: p = [r, α,
 * a, b]; fills grad (∂ lnL / ∂p) when given.
 */
export function bgnbdLikelihood(triples: Triples): (p: ArrayLike<number>, grad?: Float64Array) => number {
  const { n, x, weight, maxX, times, txIndex, TIndex } = triples;
  const logAt = new Float64Array(times.length);
  const invAt = new Float64Array(times.length);
  // Per x = 0..maxX: Σ ln(r+k), Σ −ln(1 + a/(b+k)), ln(b+x−1), and their derivatives.
  const lgr = new Float64Array(maxX + 1);
  const lbeta = new Float64Array(maxX + 1);
  const lb1 = new Float64Array(maxX + 1);
  const dR = new Float64Array(maxX + 1);
  const dA = new Float64Array(maxX + 1);
  const dB = new Float64Array(maxX + 1);
  return (p, grad) => {
    const r = p[0], alpha = p[1], a = p[2], b = p[3];
    for (let k = 0; k < times.length; k++) {
      logAt[k] = Math.log(alpha + times[k]);
      invAt[k] = 1 / (alpha + times[k]);
    }
    for (let k = 0; k < maxX; k++) {
      lgr[k + 1] = lgr[k] + Math.log(r + k);
      lbeta[k + 1] = lbeta[k] - Math.log1p(a / (b + k));
      lb1[k + 1] = Math.log(b + k);
      dR[k + 1] = dR[k] + 1 / (r + k);
      dA[k + 1] = dA[k] - 1 / (a + b + k);
      dB[k + 1] = dB[k] + a / ((b + k) * (a + b + k));
    }
    const logA = Math.log(a), logAlpha = Math.log(alpha), rLogAlpha = r * logAlpha;
    let sum = 0, gr = 0, galpha = 0, ga = 0, gb = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[i], w = weight[i], rx = r + xi, iT = TIndex[i];
      const lT = logAt[iT];
      const a3 = -rx * lT;
      // ln[e^a3 + e^a4] inlined; share = e^(a4 − lse), the weight of "dropped out after tx".
      let lse = a3, share = 0;
      if (xi > 0) {
        const a4 = logA - lb1[xi] - rx * logAt[txIndex[i]];
        const d = a4 - a3;
        const e = Math.exp(-Math.abs(d));
        lse = (d > 0 ? a4 : a3) + Math.log1p(e);
        share = d > 0 ? 1 / (1 + e) : e / (1 + e);
      }
      sum += w * (lgr[xi] + rLogAlpha + lbeta[xi] + lse);
      if (grad) {
        const keep = 1 - share, itx = txIndex[i];
        gr += w * (dR[xi] + logAlpha - keep * lT - share * logAt[itx]);
        galpha += w * (r / alpha - rx * (keep * invAt[iT] + share * invAt[itx]));
        ga += w * (dA[xi] + share / a);
        gb += w * (dB[xi] - (xi > 0 ? share / (b + xi - 1) : 0));
      }
    }
    if (grad) {
      grad[0] = gr;
      grad[1] = galpha;
      grad[2] = ga;
      grad[3] = gb;
    }
    return sum;
  };
}

/** Log-likelihood of one customer (eq. 6), the readable form of bgnbdLikelihood. */
export function bgnbdLogLikelihoodOne(p: BgNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = p;
  let lbeta = 0;
  for (let k = 0; k < x; k++) lbeta -= Math.log1p(a / (b + k));
  const head = lnGamma(r + x) - lnGamma(r) + r * Math.log(alpha) + lbeta;
  const a3 = -(r + x) * Math.log(alpha + T);
  const a4 = x > 0 ? Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx) : -Infinity;
  return head + logAddExp(a3, a4);
}

/** P(alive | x, tx, T), eq. (9) of Fader, Hardie & Lee (2005). */
export function bgnbdPAlive(p: BgNbdParams, x: number, tx: number, T: number): number {
  if (x === 0) return 1;
  const { r, alpha, a, b } = p;
  return 1 / (1 + Math.exp(Math.log(a / (b + x - 1)) + (r + x) * Math.log((alpha + T) / (alpha + tx))));
}

/**
 * E[Y(t) | x, tx, T] = P(alive) · g(x, T, t), eq. (10), where
 *   g = (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x−1; t/(α+T+t))].
 * g does not depend on tx, which lets predictions over many customers share it.
 */
export function bgnbdConditionalExpected(p: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  return bgnbdPAlive(p, x, tx, T) * bgnbdAliveExpected(p, t, x, T);
}

/** The factor g(x, T, t) of bgnbdConditionalExpected. */
export function bgnbdAliveExpected(p: BgNbdParams, t: number, x: number, T: number): number {
  if (t <= 0) return 0;
  let { a } = p;
  const { r, alpha, b } = p;
  // At a = 1 the formula is 0/0; the expectation is continuous in a, so step just off it.
  if (Math.abs(a - 1) < 1e-7) a = 1 + 1e-7;
  const z = t / (alpha + T + t);
  const logHyp = log2F1(r + x, b + x, a + b + x - 1, z);
  const inner = -Math.expm1((r + x) * Math.log1p(-z) + logHyp);
  return ((a + b + x - 1) / (a - 1)) * inner;
}

/** E[X(t)] for a customer who made their first purchase at time 0, eq. (7). */
export function bgnbdExpected(p: BgNbdParams, t: number): number {
  return bgnbdAliveExpected(p, t, 0, 0);
}

/**
 * P(X(t) = x) for a new customer, eq. (8):
 *   B(a, b+x)/B(a, b) · Γ(r+x)/(Γ(r) x!) · (α/(α+t))^r (t/(α+t))^x
 *   + δ(x>0) · B(a+1, b+x−1)/B(a, b) · [1 − (α/(α+t))^r Σ_{j<x} Γ(r+j)/(Γ(r) j!) (t/(α+t))^j].
 * Expected counts of customers by calibration frequency (the paper's Figure 3) are sums of it.
 */
export function bgnbdPmf(p: BgNbdParams, t: number, x: number): number {
  const { r, alpha, a, b } = p;
  const lp = Math.log(alpha / (alpha + t)), lq = Math.log(t / (alpha + t));
  let lbeta = 0;
  for (let k = 0; k < x; k++) lbeta -= Math.log1p(a / (b + k));
  const nbd = (j: number) => Math.exp(lnGamma(r + j) - lnGamma(r) - lnGamma(j + 1) + r * lp + (j > 0 ? j * lq : 0));
  let value = Math.exp(lbeta) * nbd(x);
  if (x > 0) {
    let cdf = 0;
    for (let j = 0; j < x; j++) cdf += nbd(j);
    // B(a+1, b+x−1)/B(a, b) = B(a, b+x)/B(a, b) · a/(b+x−1)
    value += Math.exp(lbeta) * (a / (b + x - 1)) * Math.max(0, 1 - cdf);
  }
  return value;
}

/** Per triple, P(alive). */
export function bgnbdPAliveMany(p: BgNbdParams, triples: Triples): Float64Array {
  const out = new Float64Array(triples.n);
  for (let i = 0; i < triples.n; i++) out[i] = bgnbdPAlive(p, triples.x[i], triples.tx[i], triples.T[i]);
  return out;
}

/**
 * Per triple, E[Y(t_j) | x, tx, T] for each t_j (row-major, n × times.length). The
 * hypergeometric factor is computed once per distinct (x, T) and t_j.
 */
export function bgnbdConditionalExpectedCurve(p: BgNbdParams, triples: Triples, horizon: Float64Array): Float64Array {
  const { n, x, T, TIndex } = triples;
  const m = horizon.length;
  const out = new Float64Array(n * m);
  const cache = new Map<number, Float64Array>();
  const nTimes = triples.times.length;
  for (let i = 0; i < n; i++) {
    const key = x[i] * nTimes + TIndex[i];
    let g = cache.get(key);
    if (!g) {
      g = Float64Array.from(horizon, (t) => bgnbdAliveExpected(p, t, x[i], T[i]));
      cache.set(key, g);
    }
    const alive = bgnbdPAlive(p, x[i], triples.tx[i], T[i]);
    for (let j = 0; j < m; j++) out[i * m + j] = alive * g[j];
  }
  return out;
}

/**
 * Maximum-likelihood fit. Start: r = 1, α = r · ΣT / Σx (the start's mean purchase rate r/α
 * matches the data's repeat rate), a = b = 1. Above 2 × WARM_START_CUSTOMERS customers the
 * search starts from the fit on every k-th customer and only polishes on all of them.
 */
export function fitBgNbd(triples: Triples, start?: BgNbdParams): CountFit<BgNbdParams> {
  const s = start ?? { r: 1, alpha: rateStart(triples), a: 1, b: 1 };
  return fitCountModel(BGNBD_NAMES, bgnbdLikelihood, BGNBD_BOUNDS, triples, [s.r, s.alpha, s.a, s.b], { warm: !start });
}

/** ΣT / Σx over customers (α when r = 1 and the mean rate r/α equals the observed one). */
export function rateStart(triples: Triples): number {
  let sx = 0, sT = 0;
  for (let i = 0; i < triples.n; i++) {
    sx += triples.weight[i] * triples.x[i];
    sT += triples.weight[i] * triples.T[i];
  }
  return sx > 0 && sT > 0 ? sT / sx : 1;
}
